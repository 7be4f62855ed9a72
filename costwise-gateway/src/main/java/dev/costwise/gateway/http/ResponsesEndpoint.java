package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.pipeline.Caller;
import dev.costwise.gateway.pipeline.ChatService;
import dev.costwise.gateway.pipeline.Plan;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/responses}: OpenAI's Responses API, stateless, in front of the same pipelines as
 * {@code /v1/chat/completions}, so clients and agent frameworks written for it get routing, caching, budgets,
 * fallbacks and the ledger for any configured model. The request is translated by {@link ResponsesRequest}, answers
 * by {@link ResponsesAnswer}, streams by {@link ResponsesStream}; errors keep OpenAI's shape and statuses, and the
 * {@code x-costwise-*} headers are those of chat completions.
 */
public final class ResponsesEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ResponsesEndpoint.class);

    private final HttpExchange http;
    private final Authenticator auth;
    private final ChatService service;
    private final ObjectMapper json;
    private final Clock clock;

    /**
     * @param http body reading, request ids and errors
     * @param auth key checks
     * @param service the pipeline
     * @param json parses and writes the bodies
     * @param clock gives a streamed response's {@code created_at}
     */
    public ResponsesEndpoint(HttpExchange http, Authenticator auth, ChatService service, ObjectMapper json,
            Clock clock) {
        this.http = http;
        this.auth = auth;
        this.service = service;
        this.json = json;
        this.clock = clock;
    }

    /** Handles one request. */
    public void handle(ServerRequest req, ServerResponse res) {
        String requestId = http.requestId(req, res);
        String responseId = "resp_" + requestId;
        try {
            Caller caller = ChatEndpoint.caller(auth, req, Authenticator.credential(req));
            JsonNode request = http.readJson(req);
            ObjectNode body = RequestValidator.chat(ResponsesRequest.toChat(request));
            Plan plan = service.plan(caller, body);
            ChatService.CacheMode mode = ChatEndpoint.cacheMode(req);
            if (body.path("stream").asBoolean(false)) {
                ResponsesStream sink = new ResponsesStream(res, json, responseId, request, clock.millis() / 1000);
                try {
                    service.stream(caller, requestId, plan, mode, true, sink);
                } catch (IOException e) {
                    LOG.debug("request {}: the client closed the stream: {}", requestId, e.getMessage());
                    sink.abandon();
                }
                return;
            }
            ChatService.Result r = service.complete(caller, requestId, plan, mode);
            HttpExchange.answerHeaders(res, r);
            JsonNode completion = json.readTree(r.body());
            HttpExchange.send(res, 200, json.writeValueAsBytes(ResponsesAnswer.response(completion, responseId,
                    request, "msg_" + requestId)));
        } catch (GatewayException e) {
            if (!res.isSent()) {
                HttpExchange.sendFailure(res, e, ErrorResponses::body);
            }
        } catch (UncheckedIOException e) {
            LOG.debug("request {}: client connection failed: {}", requestId, e.getMessage());
        } catch (IOException | RuntimeException e) {
            // IOException: the completion the pipeline wrote did not read back as JSON, a bug like any other here
            LOG.error("request {}: internal error", requestId, e);
            if (!res.isSent()) {
                HttpExchange.sendInternal(res, requestId);
            }
        }
    }
}
