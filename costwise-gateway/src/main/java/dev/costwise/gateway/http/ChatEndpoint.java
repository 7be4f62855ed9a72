package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.pipeline.Caller;
import dev.costwise.gateway.pipeline.ChatService;
import dev.costwise.gateway.pipeline.KeyUsage;
import dev.costwise.gateway.pipeline.Plan;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/chat/completions}: auth, validation, then the chat service; answers in OpenAI's format with the
 * {@code x-costwise-*} headers, or as server-sent events for {@code "stream": true}.
 */
public final class ChatEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ChatEndpoint.class);
    private static final byte[] DATA = HttpExchange.utf8("data: ");
    private static final byte[] END = HttpExchange.utf8("\n\n");
    private static final byte[] DONE = HttpExchange.utf8("data: [DONE]\n\n");
    /** An SSE comment, which OpenAI's SDKs skip: a keep-alive. */
    private static final byte[] KEEP_ALIVE = HttpExchange.utf8(NamedEventWriter.KEEP_ALIVE);
    private static final HeaderName TAGS = HeaderNames.create(RequestTags.HEADER);

    private final HttpExchange http;
    private final Authenticator auth;
    private final ChatService service;

    /**
     * @param http body and error handling
     * @param auth key checks
     * @param service the pipeline
     */
    public ChatEndpoint(HttpExchange http, Authenticator auth, ChatService service) {
        this.http = http;
        this.auth = auth;
        this.service = service;
    }

    /** Handles one request. */
    public void handle(ServerRequest req, ServerResponse res) {
        String requestId = http.requestId(req, res);
        String model = "";
        try {
            Caller caller = caller(req);
            JsonNode request = http.readJson(req);
            model = HttpExchange.modelOf(request);
            ObjectNode body = RequestValidator.chat(request);
            AnthropicBetaHeader.copyTo(req, body);
            Plan plan = service.plan(caller, body);
            ChatService.CacheMode mode = cacheMode(req);
            if (body.path("stream").asBoolean(false)) {
                boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
                stream(res, caller, requestId, plan, mode, includeUsage);
                return;
            }
            ChatService.Result r = service.complete(caller, requestId, plan, mode);
            HttpExchange.answerHeaders(res, r);
            HttpExchange.send(res, 200, r.body());
        } catch (GatewayException e) {
            if (!res.isSent()) {
                http.sendFailure(res, e, model, ErrorResponses::body);
            }
        } catch (UncheckedIOException e) {
            LOG.debug("request {}: client connection failed: {}", requestId, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("request {}: internal error", requestId, e);
            if (!res.isSent()) {
                http.sendInternal(res, requestId, model);
            }
        }
    }

    /** Handles {@code POST /v1/embeddings}. */
    public void embeddings(ServerRequest req, ServerResponse res) {
        String requestId = http.requestId(req, res);
        String model = "";
        try {
            Caller caller = caller(req);
            JsonNode request = http.readJson(req);
            model = HttpExchange.modelOf(request);
            ObjectNode body = RequestValidator.embeddings(request);
            ChatService.Result r = service.embed(caller, requestId, body, cacheMode(req));
            HttpExchange.answerHeaders(res, r); // as a completion's: cost, cache, model used, route, rate limits
            HttpExchange.send(res, 200, r.body());
        } catch (GatewayException e) {
            http.sendFailure(res, e, model, ErrorResponses::body);
        } catch (RuntimeException e) {
            LOG.error("request {}: internal error", requestId, e);
            http.sendInternal(res, requestId, model);
        }
    }

    /** @return who sent the request, with the tags it adds in {@code x-costwise-tags} */
    private Caller caller(ServerRequest req) {
        return caller(auth, req, Authenticator.credential(req));
    }

    /**
     * @param authorization the credential, as an {@code Authorization} header's value
     * @return who sent the request, with the tags it adds in {@code x-costwise-tags}
     */
    static Caller caller(Authenticator auth, ServerRequest req, Optional<String> authorization) {
        Caller caller = auth.authenticate(authorization);
        return caller.withRequestTags(RequestTags.parse(req.headers().first(TAGS), caller.keyTags()));
    }

    private void stream(ServerResponse res, Caller caller, String requestId, Plan plan, ChatService.CacheMode mode,
            boolean includeUsage) {
        OutputStream[] out = new OutputStream[1];
        try {
            service.stream(caller, requestId, plan, mode, includeUsage, new ChatService.StreamSink() {
                @Override
                public void start(String cache, String modelUsed, String route, Optional<KeyUsage> keyUsage,
                        Optional<JsonNode> promptUsage) {
                    HttpExchange.streamHeaders(res, cache, modelUsed, route, keyUsage);
                    out[0] = res.outputStream();
                }

                @Override
                public void event(String chunkJson) throws IOException {
                    send(DATA, HttpExchange.utf8(chunkJson), END);
                }

                @Override
                public void event(JsonNode chunk) throws IOException {
                    write(o -> { // a hit's stored strings go straight from the cache
                        o.write(DATA);
                        http.writeJson(o, chunk);
                        o.write(END);
                    });
                }

                @Override
                public void done() throws IOException {
                    try {
                        out[0].write(DONE);
                        out[0].close();
                    } catch (UncheckedIOException | CloseConnectionException e) {
                        throw clientGone(e);
                    }
                }

                @Override
                public void keepAlive() throws IOException {
                    send(KEEP_ALIVE);
                }

                /** Writes {@code parts} and flushes them at once, as one event. */
                private void send(byte[]... parts) throws IOException {
                    write(o -> {
                        for (byte[] part : parts) {
                            o.write(part);
                        }
                    });
                }

                /** Writes one event with {@code event} and flushes it at once. */
                private void write(EventWriter event) throws IOException {
                    try {
                        event.writeTo(out[0]);
                        out[0].flush();
                    } catch (UncheckedIOException | CloseConnectionException e) {
                        throw clientGone(e);
                    }
                }
            });
        } catch (IOException e) {
            LOG.debug("request {}: the client closed the stream: {}", requestId, e.getMessage());
            if (out[0] != null) {
                try {
                    out[0].close();
                } catch (IOException | UncheckedIOException | CloseConnectionException ignored) {
                    // the connection is gone already
                }
            }
        }
    }

    /** Writes one event to a stream. */
    private interface EventWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Helidon reports a write to a client that has gone as an unchecked {@link CloseConnectionException}; the stream
     * sink's contract is an {@link IOException}, on which the pipeline ledgers the attempt as aborted.
     */
    private static IOException clientGone(RuntimeException e) {
        return new IOException("the client closed the connection", e);
    }

    /** @return whether the client's {@code Cache-Control} lets the response cache answer */
    static ChatService.CacheMode cacheMode(ServerRequest req) {
        Optional<String> cc = req.headers().first(HeaderNames.CACHE_CONTROL);
        if (cc.isPresent()) {
            String v = cc.get().toLowerCase(Locale.ROOT);
            if (v.contains("no-cache") || v.contains("no-store")) {
                return ChatService.CacheMode.BYPASS;
            }
        }
        return ChatService.CacheMode.USE;
    }

}
