package dev.costwise.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's routing table: registers each endpoint with Helidon and remembers it, so that a request no endpoint
 * takes is answered 405 with {@code Allow} when its path exists under another method, 404 otherwise, both in
 * OpenAI's error shape. Anything an endpoint throws and does not answer itself (a bug, or an {@link Error} such as
 * an {@link OutOfMemoryError}, which the endpoints' {@code catch (RuntimeException)} lets through) is a 500 in that
 * shape too, counted in {@code costwise_errors_total}, rather than Helidon's plain-text one that SDKs cannot parse.
 * Not thread-safe while endpoints are added; {@link #routing()} is called once.
 */
public final class Endpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);
    private final HttpRouting.Builder routing = HttpRouting.builder();
    /** Each path template's pattern and the methods it serves. */
    private final Map<String, PathRoutes> paths = new LinkedHashMap<>();
    private final HttpExchange http;

    private record PathRoutes(Pattern pattern, List<Method> methods) {}

    /** @param http what sends (and counts) the 404 and 405 answers */
    public Endpoints(HttpExchange http) {
        this.http = http;
    }

    /**
     * Adds {@code GET path}, and {@code HEAD path}, which answers as {@code GET} does without the body
     * ({@link HeadResponse}); {@code {name}} in a path stands for one segment, {@code {+name}} for the rest.
     */
    public Endpoints get(String path, Handler handler) {
        add(Method.GET, path, handler);
        return add(Method.HEAD, path, (req, res) -> handler.handle(req, new HeadResponse(res)));
    }

    /** Adds {@code POST path}. */
    public Endpoints post(String path, Handler handler) {
        return add(Method.POST, path, handler);
    }

    /** Adds {@code PATCH path}. */
    public Endpoints patch(String path, Handler handler) {
        return add(Method.PATCH, path, handler);
    }

    /** Adds {@code DELETE path}. */
    public Endpoints delete(String path, Handler handler) {
        return add(Method.DELETE, path, handler);
    }

    private Endpoints add(Method method, String path, Handler handler) {
        routing.route(method, path, handler);
        paths.computeIfAbsent(path, p -> new PathRoutes(Pattern.compile(p.replaceAll("\\{\\+[^/}]*}", ".+")
                .replaceAll("\\{[^/}]+}", "[^/]+")), new ArrayList<>())).methods().add(method);
        return this;
    }

    /**
     * @return the routing: every endpoint added, then the 405/404 answer for anything else, and the last-resort 500
     *     for whatever a handler throws
     */
    public HttpRouting.Builder routing() {
        return routing.any(this::unmatched).error(Throwable.class, this::internalError);
    }

    /** The last resort: Helidon calls it only while nothing of the answer has been sent. */
    private void internalError(ServerRequest req, ServerResponse res, Throwable e) {
        String requestId = res.headers().first(HttpExchange.REQUEST_ID).orElseGet(() -> http.requestId(req, res));
        LOG.error("request {}: internal error", requestId, e);
        http.sendInternal(res, requestId, "");
    }

    private void unmatched(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        String method = req.prologue().method().text();
        TreeSet<String> allowed = new TreeSet<>();
        paths.values().forEach(routes -> {
            if (routes.pattern().matcher(path).matches()) {
                routes.methods().forEach(m -> allowed.add(m.text()));
            }
        });
        if (allowed.isEmpty()) {
            http.sendError(res, ErrorResponses.of(new GatewayException.NotFound("not_found",
                    "no endpoint " + method + " " + path)));
            return;
        }
        String allow = String.join(", ", allowed);
        res.header(HeaderNames.ALLOW, allow);
        http.sendError(res, ApiError.of(405, "invalid_request_error", "method_not_allowed",
                method + " is not allowed on " + path + " (allowed: " + allow + ")"));
    }
}
