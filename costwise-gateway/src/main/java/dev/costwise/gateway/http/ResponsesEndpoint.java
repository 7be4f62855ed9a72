package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.gateway.pipeline.Caller;
import dev.costwise.gateway.pipeline.ChatService;
import dev.costwise.gateway.pipeline.Plan;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/responses}: OpenAI's Responses API in front of the same pipelines as
 * {@code /v1/chat/completions}, so clients and agent frameworks written for it get routing, caching, budgets,
 * fallbacks and the ledger for any configured model. The request is translated by {@link ResponsesRequest}, answers
 * by {@link ResponsesAnswer}, streams by {@link ResponsesStream}; errors keep OpenAI's shape and statuses, and the
 * {@code x-costwise-*} headers are those of chat completions. Responses are stored unless the request says
 * {@code store: false} ({@link StoredResponses}: in Redis or the ledger's database, for {@code server.responses_ttl}),
 * so a request may continue one with {@code previous_response_id}, and {@code GET} and
 * {@code DELETE /v1/responses/{id}} read and forget them.
 */
public final class ResponsesEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ResponsesEndpoint.class);

    private final HttpExchange http;
    private final Authenticator auth;
    private final ChatService service;
    private final ObjectMapper json;
    private final Clock clock;
    private final StoredResponses stored;

    /**
     * @param http body reading, request ids and errors
     * @param auth key checks
     * @param service the pipeline
     * @param json parses and writes the bodies
     * @param clock gives a streamed response's {@code created_at}
     * @param ticker measures how long stored responses are kept in memory
     * @param ttl how long a stored response can be continued or read
     * @param durable where stored responses outlive this process (Redis, or the ledger's database), if anywhere
     */
    public ResponsesEndpoint(HttpExchange http, Authenticator auth, ChatService service, ObjectMapper json,
            Clock clock, Ticker ticker, Duration ttl, Optional<ResponseDocuments> durable) {
        this.http = http;
        this.auth = auth;
        this.service = service;
        this.json = json;
        this.clock = clock;
        this.stored = new StoredResponses(ticker, ttl, durable, json);
    }

    /** Handles one request. */
    public void handle(ServerRequest req, ServerResponse res) {
        String requestId = http.requestId(req, res);
        // Not from the request id, which a client may set: one tenant could then overwrite another's stored response.
        String responseId = "resp_" + randomId();
        String model = "";
        try {
            Caller caller = ChatEndpoint.caller(auth, req, Authenticator.credential(req));
            JsonNode request = http.readJson(req);
            model = HttpExchange.modelOf(request);
            if (!request.isObject()) {
                throw new GatewayException.InvalidField("body", "expected a JSON object with model and input");
            }
            Optional<String> previous = previousId(request);
            ArrayNode input = ResponsesRequest.inputItems(request);
            Optional<StoredResponses.Conversation> history = previous.map(p -> history(p, caller.keyId()));
            ObjectNode body = RequestValidator.chat(ResponsesRequest.toChat(withHistory(request, history, input)));
            Plan plan = service.plan(caller, body);
            ChatService.CacheMode mode = ChatEndpoint.cacheMode(req);
            Consumer<ObjectNode> store = answer -> {
                if (ResponsesAnswer.stores(request)) {
                    ArrayNode turn = input.deepCopy();
                    turn.addAll((ArrayNode) answer.get("output"));
                    if (!stored.put(responseId, caller.keyId(), history, turn, answer)) {
                        answer.put("store", false); // billed and answered all the same, but not continuable
                    }
                }
            };
            if (body.path("stream").asBoolean(false)) {
                ResponsesStream sink = new ResponsesStream(res, json, responseId, request, clock.millis() / 1000,
                        store);
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
            // the answer's long text stays in its stored bytes, which the response is written from
            ObjectNode answer = ResponsesAnswer.response(r.body().tree(json), responseId, request,
                    "msg_" + responseId.substring("resp_".length()));
            store.accept(answer);
            http.sendTree(res, 200, answer);
        } catch (GatewayException e) {
            if (!res.isSent()) {
                // the provider was sent a chat request translated from this one: a field it names is not the caller's,
                // and a field the gateway names is named as the caller named it
                http.sendFailure(res, e, model, error -> ErrorResponses.body(
                        e instanceof GatewayException.UpstreamFailed ? error.withoutParam()
                                : ResponsesRequest.inCallersNames(error)));
            }
        } catch (UncheckedIOException e) {
            LOG.debug("request {}: client connection failed: {}", requestId, e.getMessage());
        } catch (IOException | RuntimeException e) {
            // IOException: the completion the pipeline wrote did not read back as JSON, a bug like any other here
            LOG.error("request {}: internal error", requestId, e);
            if (!res.isSent()) {
                http.sendInternal(res, requestId, model);
            }
        }
    }

    /** {@code GET /v1/responses/{id}}: a stored response, to the key that created it. */
    public void get(ServerRequest req, ServerResponse res) {
        http.requestId(req, res);
        try {
            Caller caller = auth.authenticate(Authenticator.credential(req));
            String id = req.path().pathParameters().get("id");
            ObjectNode answer = stored.response(id, caller.keyId()).orElseThrow(() -> stored.notStored(id)
                    .<GatewayException>map(why -> new GatewayException.NotFound("not_found", why))
                    .orElseGet(() -> notStored(id)));
            http.sendJson(res, 200, answer);
        } catch (GatewayException e) {
            http.sendFailure(res, e, "", ErrorResponses::body);
        }
    }

    /**
     * {@code DELETE /v1/responses/{id}}: forgets a stored response; a conversation through it ends there, and
     * continuing a later turn of it is a 400 saying this one was deleted.
     */
    public void delete(ServerRequest req, ServerResponse res) {
        http.requestId(req, res);
        try {
            Caller caller = auth.authenticate(Authenticator.credential(req));
            String id = req.path().pathParameters().get("id");
            if (!stored.delete(id, caller.keyId())) {
                throw notStored(id);
            }
            http.sendJson(res, 200, json.createObjectNode().put("id", id).put("object", "response.deleted")
                    .put("deleted", true));
        } catch (GatewayException e) {
            http.sendFailure(res, e, "", ErrorResponses::body);
        }
    }

    private static Optional<String> previousId(JsonNode request) {
        JsonNode previous = request.get("previous_response_id");
        if (previous == null || previous.isNull()) {
            return Optional.empty();
        }
        if (!previous.isTextual() || previous.asText().isBlank()) {
            throw new GatewayException.InvalidField("previous_response_id", "expected the id of a stored response");
        }
        return Optional.of(previous.asText());
    }

    /** The stored conversation a request continues, or a 400 on {@code previous_response_id} saying why not. */
    private StoredResponses.Conversation history(String previousId, String keyId) {
        try {
            return stored.conversation(previousId, keyId);
        } catch (StoredResponses.NotContinuable e) {
            throw new GatewayException.InvalidField("previous_response_id", e.getMessage() + (!e.mayHaveExpired() ? ""
                    : " (responses are kept for " + describe(stored.ttl()) + " after the last turn of their "
                    + "conversation, and only when the request did not set store: false)"));
        }
    }

    /** The request with the stored conversation it continues before its own input. */
    private static JsonNode withHistory(JsonNode request, Optional<StoredResponses.Conversation> history,
            ArrayNode input) {
        if (history.isEmpty()) {
            return request;
        }
        ArrayNode items = JsonNodeFactory.instance.arrayNode().addAll(history.get().items()).addAll(input);
        ObjectNode copy = ((ObjectNode) request).deepCopy();
        copy.set("input", items);
        return copy;
    }

    private static GatewayException notStored(String id) {
        return new GatewayException.NotFound("not_found", "no stored response '" + id + "' for this key");
    }

    /** @return 32 random hex digits */
    private static String randomId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong());
    }

    /** @return the TTL in its largest whole unit: {@code 30 d}, {@code 1 h}, {@code 90 min} */
    static String describe(Duration ttl) {
        if (ttl.toDays() > 0 && ttl.equals(Duration.ofDays(ttl.toDays()))) {
            return ttl.toDays() + " d";
        }
        if (ttl.toHours() > 0 && ttl.equals(Duration.ofHours(ttl.toHours()))) {
            return ttl.toHours() + " h";
        }
        return ttl.toMinutes() + " min";
    }
}
