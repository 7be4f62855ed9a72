package dev.costwise.gateway.http;

import dev.costwise.gateway.pipeline.GatewayMetrics;
import io.helidon.http.DirectHandler;
import io.helidon.http.DirectHandler.EventType;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * The answers the web server sends itself, before any endpoint runs, to a request it cannot read as HTTP (a header
 * too large, a bare CR or LF, a NUL, a folded header line, a Content-Length that is no number, a body over its
 * limit), in OpenAI's error shape like every other error, rather than with an empty body; each is counted in
 * {@code costwise_errors_total}. The server's own reason is not shown: it is not always safe to, and the gateway's
 * words say what to fix.
 */
public final class DirectErrors {
    private DirectErrors() {}

    /**
     * @param metrics where each answer is counted
     * @param maxBody the largest body the gateway accepts, named in a 413
     * @return handlers for every kind of request the server refuses itself
     */
    public static DirectHandlers of(GatewayMetrics metrics, long maxBody) {
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            handlers.addHandler(type, handler(metrics, maxBody));
        }
        return handlers.build();
    }

    private static DirectHandler handler(GatewayMetrics metrics, long maxBody) {
        return (request, type, status, headers, message) -> {
            ApiError error = error(type, status, maxBody);
            metrics.error(error.status(), error.code().orElse(""), "");
            headers.set(HeaderNames.CONTENT_TYPE, "application/json");
            return DirectHandler.TransportResponse.builder().status(status).headers(headers)
                    .keepAlive(type.keepAlive()).entity(ErrorResponses.body(error)).build();
        };
    }

    static ApiError error(EventType type, Status status, long maxBody) {
        int code = status.code();
        if (code == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) { // the server says BAD_REQUEST with it
            return ApiError.of(code, "invalid_request_error", "body_too_large", "the request body is larger than "
                    + "the " + maxBody + " bytes the gateway accepts (server.max_body_size)");
        }
        if (code == Status.HTTP_VERSION_NOT_SUPPORTED_505.code()) {
            return ApiError.of(code, "invalid_request_error", "http_version_not_supported", "HTTP version not "
                    + "supported: send HTTP/1.1 (or HTTP/1.0)");
        }
        if (code >= 500) {
            return ApiError.of(code, "server_error", "internal_error", "internal error in the gateway's HTTP "
                    + "server; see the gateway log");
        }
        if (type == EventType.BAD_REQUEST || code == Status.BAD_REQUEST_400.code()) {
            return ApiError.of(code, "invalid_request_error", "invalid_http", "the request is not valid HTTP/1.1: "
                    + "its request line, a header (too large, or holding a bare CR or LF, a NUL or a folded line) "
                    + "or its framing (Content-Length, Transfer-Encoding) cannot be read");
        }
        return ApiError.of(code, "invalid_request_error", null, code + " " + status.reasonPhrase());
    }
}
