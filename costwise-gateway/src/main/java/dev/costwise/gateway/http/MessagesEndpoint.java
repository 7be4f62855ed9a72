package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.pipeline.Caller;
import dev.costwise.gateway.pipeline.ChatService;
import dev.costwise.gateway.pipeline.Plan;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/messages}: Anthropic's Messages API in front of the same pipelines as {@code /v1/chat/completions},
 * so a client written for Anthropic (its SDKs, or a coding agent given {@code ANTHROPIC_BASE_URL}) gets routing,
 * caching, budgets, fallbacks and the ledger for any configured model, Anthropic's or not. The request is translated
 * by {@link MessagesRequest}, answers and errors by {@link MessagesAnswer}, streams by {@link MessagesStream}. The key
 * comes as Anthropic's SDKs send it ({@code x-api-key}) or as a bearer token; the {@code x-costwise-*} headers are the
 * same as on chat completions.
 */
public final class MessagesEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(MessagesEndpoint.class);
    private static final HeaderName ESTIMATED = HeaderNames.create("x-costwise-estimated");

    private final HttpExchange http;
    private final Authenticator auth;
    private final ChatService service;
    private final ObjectMapper json;

    /**
     * @param http body reading and request ids
     * @param auth key checks
     * @param service the pipeline
     * @param json parses and writes the bodies
     */
    public MessagesEndpoint(HttpExchange http, Authenticator auth, ChatService service, ObjectMapper json) {
        this.http = http;
        this.auth = auth;
        this.service = service;
        this.json = json;
    }

    /** Handles one request. */
    public void handle(ServerRequest req, ServerResponse res) {
        String requestId = http.requestId(req, res);
        String messageId = "msg_" + requestId;
        String model = "";
        try {
            Caller caller = ChatEndpoint.caller(auth, req, Authenticator.credential(req));
            JsonNode request = http.readJson(req);
            model = HttpExchange.modelOf(request);
            ObjectNode body = RequestValidator.chat(MessagesRequest.toOpenAi(request));
            AnthropicBetaHeader.copyTo(req, body);
            Plan plan = service.plan(caller, body);
            ChatService.CacheMode mode = ChatEndpoint.cacheMode(req);
            if (body.path("stream").asBoolean(false)) {
                stream(res, caller, requestId, messageId, plan, mode);
                return;
            }
            ChatService.Result r = service.complete(caller, requestId, plan, mode);
            HttpExchange.answerHeaders(res, r);
            // the answer's long text stays in its stored bytes, which the message is written from
            http.sendTree(res, 200, MessagesAnswer.message(r.body().tree(json), messageId, json));
        } catch (GatewayException e) {
            if (!res.isSent()) {
                http.sendFailure(res, e, model, MessagesAnswer::errorBody);
            }
        } catch (UncheckedIOException e) {
            LOG.debug("request {}: client connection failed: {}", requestId, e.getMessage());
        } catch (IOException | RuntimeException e) {
            // IOException: the completion the pipeline wrote did not read back as JSON, a bug like any other here
            LOG.error("request {}: internal error", requestId, e);
            if (!res.isSent()) {
                http.sendInternal(res, requestId, model, MessagesAnswer::errorBody);
            }
        }
    }

    private void stream(ServerResponse res, Caller caller, String requestId, String messageId, Plan plan,
            ChatService.CacheMode mode) {
        MessagesStream sink = new MessagesStream(res, json, messageId);
        try {
            service.stream(caller, requestId, plan, mode, true, sink);
        } catch (IOException e) {
            LOG.debug("request {}: the client closed the stream: {}", requestId, e.getMessage());
            sink.abandon();
        }
    }

    /**
     * Handles {@code POST /v1/messages/count_tokens} (https://docs.claude.com/en/api/messages-count-tokens): the
     * request's input tokens for the model its name routes to, exact from Anthropic's own counting endpoint for an
     * Anthropic model, else the gateway's estimate, which errs high; {@code x-costwise-estimated} says which. No model
     * is called and nothing is billed.
     */
    public void countTokens(ServerRequest req, ServerResponse res) {
        String requestId = http.requestId(req, res);
        String model = "";
        try {
            Caller caller = ChatEndpoint.caller(auth, req, Authenticator.credential(req));
            JsonNode request = http.readJson(req);
            model = HttpExchange.modelOf(request);
            ObjectNode body = RequestValidator.chat(MessagesRequest.toOpenAi(request, false));
            AnthropicBetaHeader.copyTo(req, body);
            ChatService.TokenCount count = service.countTokens(caller, service.plan(caller, body));
            res.header(HttpExchange.MODEL_USED, count.model());
            res.header(ESTIMATED, Boolean.toString(count.estimated()));
            http.sendJson(res, 200, json.createObjectNode().put("input_tokens", count.inputTokens()));
        } catch (GatewayException e) {
            http.sendFailure(res, e, model, MessagesAnswer::errorBody);
        } catch (RuntimeException e) {
            LOG.error("request {}: internal error", requestId, e);
            http.sendInternal(res, requestId, model, MessagesAnswer::errorBody);
        }
    }


}
