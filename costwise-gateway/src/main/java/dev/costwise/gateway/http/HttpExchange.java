package dev.costwise.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.costwise.gateway.pipeline.AnswerBody;
import dev.costwise.gateway.pipeline.ChatService;
import dev.costwise.gateway.pipeline.GatewayMetrics;
import dev.costwise.gateway.pipeline.KeyUsage;
import dev.costwise.llm.provider.http.HttpBodies;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Reading bodies and writing JSON and errors, shared by the endpoints. */
public final class HttpExchange {
    /** {@code x-request-id}. */
    public static final HeaderName REQUEST_ID = HeaderNames.create("x-request-id");
    /** {@code x-costwise-cost}. */
    public static final HeaderName COST = HeaderNames.create("x-costwise-cost");
    /** {@code x-costwise-cache}. */
    public static final HeaderName CACHE = HeaderNames.create("x-costwise-cache");
    /** {@code x-costwise-model-used}. */
    public static final HeaderName MODEL_USED = HeaderNames.create("x-costwise-model-used");
    /** {@code x-costwise-route}. */
    public static final HeaderName ROUTE = HeaderNames.create("x-costwise-route");
    /** {@code x-costwise-simulated}. */
    public static final HeaderName SIMULATED = HeaderNames.create("x-costwise-simulated");

    private static final HeaderName LIMIT_REQUESTS = HeaderNames.create("x-ratelimit-limit-requests");
    private static final HeaderName REMAINING_REQUESTS = HeaderNames.create("x-ratelimit-remaining-requests");
    private static final HeaderName LIMIT_TOKENS = HeaderNames.create("x-ratelimit-limit-tokens");
    private static final HeaderName REMAINING_TOKENS = HeaderNames.create("x-ratelimit-remaining-tokens");

    private static final Header JSON_TYPE = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");
    /** Obeyed by the official OpenAI and Anthropic SDKs: do not retry this answer automatically. */
    private static final Header SHOULD_RETRY_FALSE = HeaderValues.createCached(HeaderNames.create("x-should-retry"),
            "false");
    private static final Header SIMULATED_TRUE = HeaderValues.createCached(SIMULATED, "true");
    /** A location as Jackson writes it inside a message, with a description of its source the caller cannot use. */
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");
    private static final java.util.Map<String, Header> CACHE_VALUES = java.util.Map.of(
            "hit", HeaderValues.createCached(CACHE, "hit"), "miss", HeaderValues.createCached(CACHE, "miss"),
            "bypass", HeaderValues.createCached(CACHE, "bypass"));

    /** The largest body {@link #send} hands to Helidon to copy: 64 KB, above most answers. */
    static final int COPIED_BODY_LIMIT = 64 * 1024;
    /** The head of a larger body, written with the headers. */
    private static final int HEAD = 4 * 1024;

    private final ObjectMapper json;
    /** Writes a tree to a stream it neither flushes nor closes: the stream is a response's, written on after it. */
    private final ObjectWriter treeWriter;
    private final long maxBody;
    private final boolean simulated;
    private final GatewayMetrics metrics;
    private final ConnectionGuard connections;

    /**
     * @param json the shared mapper
     * @param maxBody the largest body accepted
     * @param simulated whether answers come from the simulator (adds {@code x-costwise-simulated: true})
     * @param metrics where every error answer sent through this exchange is counted
     * @param connections closes a connection whose body pauses too long
     */
    public HttpExchange(ObjectMapper json, long maxBody, boolean simulated, GatewayMetrics metrics,
            ConnectionGuard connections) {
        this.json = json;
        this.treeWriter = json.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .without(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        this.maxBody = maxBody;
        this.simulated = simulated;
        this.metrics = metrics;
        this.connections = connections;
    }

    /**
     * The requested model name in a body as the client sent it (the pipeline later rewrites it to the upstream
     * model's), for counting its error.
     *
     * @param body the parsed body
     * @return its {@code model} text, or empty
     */
    public static String modelOf(JsonNode body) {
        return body.path("model").asText("");
    }

    /** @return the request id the caller sent, or a new one; set on the response */
    public String requestId(ServerRequest req, ServerResponse res) {
        String id = req.headers().first(REQUEST_ID).filter(s -> !s.isBlank() && s.length() <= 128)
                .orElseGet(HttpExchange::newId);
        res.header(REQUEST_ID, id);
        if (simulated) {
            res.header(SIMULATED_TRUE);
        }
        return id;
    }

    private static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "req-" + Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Integer.toHexString(r.nextInt() | 0x80000000);
    }

    /**
     * Reads and parses the body.
     *
     * @param req the request
     * @return the JSON tree
     * @throws GatewayException.BodyTooLarge over the limit
     * @throws GatewayException.InvalidJson if it does not parse
     */
    public JsonNode readJson(ServerRequest req) {
        return readJson(req, json.reader());
    }

    /**
     * Reads and parses an admin body, which holds money and settings: a number with a fraction becomes an exact
     * decimal node rather than a {@code double}, so {@code 5.123456789123456789} keeps every digit; a field given
     * twice is refused, as the config loader refuses a duplicated YAML key, rather than the last one silently winning
     * (only here: the chat path does not pay for the check).
     *
     * @param req the request
     * @return the JSON tree
     * @throws GatewayException.BodyTooLarge over the limit
     * @throws GatewayException.InvalidJson if it does not parse, or has a field twice
     */
    public JsonNode readAdminJson(ServerRequest req) {
        return readJson(req, adminReader());
    }

    /**
     * Reads an admin body that may be absent: no body, or one of whitespace only, is empty; anything else is parsed as
     * {@link #readAdminJson} parses.
     *
     * @param req the request
     * @return the JSON tree, or empty without a body
     * @throws GatewayException.BodyTooLarge over the limit
     * @throws GatewayException.InvalidJson if a body was sent and does not parse
     */
    public Optional<JsonNode> readOptionalAdminJson(ServerRequest req) {
        byte[] bytes = readBody(req);
        if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return Optional.empty();
        }
        return Optional.of(parse(bytes, adminReader()));
    }

    private ObjectReader adminReader() {
        return json.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    private JsonNode readJson(ServerRequest req, ObjectReader reader) {
        byte[] bytes = readBody(req);
        if (bytes.length == 0) {
            throw new GatewayException.InvalidJson("the body is empty");
        }
        return parse(bytes, reader);
    }

    private byte[] readBody(ServerRequest req) {
        OptionalLong length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBody) {
            throw new GatewayException.BodyTooLarge(maxBody, length.getAsLong());
        }
        byte[] bytes;
        try (InputStream in = connections.body(req, req.content().inputStream())) {
            bytes = HttpBodies.read(in, length, maxBody);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DataReader.InsufficientDataAvailableException e) {
            // The client closed its side: its request is at fault, not the gateway (whose server would log a 500)
            throw new GatewayException.InvalidField("", "the request body ended early: the client closed the "
                    + "connection before sending all of it");
        } catch (CloseConnectionException e) {
            // The client left, or paused longer than the header timeout and lost its connection: no internal error
            throw new UncheckedIOException(new IOException("the connection closed while its body was read", e));
        }
        if (bytes.length > maxBody) {
            throw new GatewayException.BodyTooLarge(maxBody, -1);
        }
        return bytes;
    }

    /**
     * Parses one JSON value; text after it is refused rather than ignored, as a proxy or firewall that reads the body
     * may read it otherwise (two values, the second one's {@code model} winning there).
     */
    private static JsonNode parse(byte[] bytes, ObjectReader reader) {
        try (JsonParser parser = reader.createParser(bytes)) {
            JsonNode tree = reader.readTree(parser);
            if (tree == null) {
                return MissingNode.getInstance(); // white space only
            }
            JsonLocation end = parser.currentLocation();
            if (!atEnd(parser)) {
                throw new GatewayException.InvalidJson("the body has more after its JSON value (from line "
                        + end.getLineNr() + ", column " + end.getColumnNr() + "): send one JSON object");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw new GatewayException.InvalidJson(describe(e));
        } catch (IOException e) {
            throw new GatewayException.InvalidJson(shortened(e.getMessage()));
        }
    }

    /** @return whether only white space follows the value the parser has read; text that is no JSON is more too */
    private static boolean atEnd(JsonParser parser) throws IOException {
        try {
            return parser.nextToken() == null;
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * The parser's complaint in plain words and where in the body it was, without the parser's description of its
     * source ({@code [Source: REDACTED (`StreamReadFeature...` disabled); line: 1, column: 1]}), which a location
     * inside the complaint (an object's start) is written with.
     */
    private static String describe(JsonProcessingException e) {
        String what = shortened(SOURCE.matcher(String.valueOf(e.getOriginalMessage()))
                .replaceAll("line $1, column $2"));
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? what
                : what + " (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    private static String shortened(String message) {
        String m = String.valueOf(message);
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }

    /**
     * Sends JSON bytes with a status. A body of at most {@value #COPIED_BODY_LIMIT} bytes goes out with its headers in
     * one buffer; a larger one is written from {@code body} itself, with its {@code Content-Length}, so a cached answer
     * shared by many hits at once is held once, not once more per response in flight.
     *
     * @param body the bytes; never changed, and safe to share with other requests
     * @throws UncheckedIOException if writing a large body to the client fails
     */
    public static void send(ServerResponse res, int status, byte[] body) {
        send(res, status, AnswerBody.of(body));
    }

    /**
     * Sends an answer's JSON with a status, as {@link #send(ServerResponse, int, byte[])} sends bytes: a large one from
     * the arrays it is made of (a cached answer, and the request's own part of it), without a copy.
     *
     * @throws UncheckedIOException if writing a large body to the client fails
     */
    public static void send(ServerResponse res, int status, AnswerBody body) {
        if (body.length() <= COPIED_BODY_LIMIT) {
            sendWhole(res, status, body.bytes());
            return;
        }
        largeHead(res, status, body.length());
        try (OutputStream out = res.outputStream()) {
            // Helidon copies the first write into the buffer that carries the headers: only a small head of the body
            body.writeTo(out, HEAD);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends a JSON tree with a status, as {@link #send(ServerResponse, int, byte[])} sends bytes: a small one whole
     * with its headers; a large one written to the response as it is serialised, with its {@code Content-Length}
     * (counted by serialising it once without keeping the bytes), so that a translated answer whose long strings stay
     * in a cached answer shared by many hits ({@link AnswerBody#tree}) is written from there, not from an array of
     * its own per response.
     *
     * @throws UncheckedIOException if writing a large body to the client fails
     */
    public void sendTree(ServerResponse res, int status, JsonNode tree) {
        try {
            CountingStream counted = new CountingStream();
            treeWriter.writeValue(counted, tree);
            if (counted.count <= COPIED_BODY_LIMIT) {
                sendWhole(res, status, json.writeValueAsBytes(tree));
                return;
            }
            largeHead(res, status, counted.count);
            try (OutputStream out = res.outputStream()) {
                writeJson(out, tree); // the generator's first write is its buffer's, at most 8 KB, beside the headers
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sendWhole(ServerResponse res, int status, byte[] body) {
        res.status(status == 200 ? Status.OK_200 : Status.create(status));
        res.header(JSON_TYPE);
        res.send(body); // Helidon copies the body into a buffer of its own, after the headers
    }

    private static void largeHead(ServerResponse res, int status, long length) {
        res.status(status == 200 ? Status.OK_200 : Status.create(status));
        res.header(JSON_TYPE);
        res.headers().contentLength(length);
    }

    /** Counts the bytes written to it, and keeps none. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    /**
     * Sets OpenAI's {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests} and the
     * {@code -tokens} pair for the limits the caller's key has.
     */
    public static void rateLimitHeaders(ServerResponse res, Optional<KeyUsage> usage) {
        if (usage.isEmpty()) {
            return;
        }
        KeyUsage u = usage.get();
        u.rpm().ifPresent(limit -> res.header(LIMIT_REQUESTS, Integer.toString(limit)));
        u.remainingRequests().ifPresent(left -> res.header(REMAINING_REQUESTS, Long.toString(left)));
        u.tpm().ifPresent(limit -> res.header(LIMIT_TOKENS, Integer.toString(limit)));
        u.remainingTokens().ifPresent(left -> res.header(REMAINING_TOKENS, Long.toString(left)));
    }

    /** Sets the {@code x-costwise-*} and rate-limit headers of a completed (not streamed) answer. */
    public static void answerHeaders(ServerResponse res, ChatService.Result r) {
        res.header(COST, r.cost().toString());
        cacheHeader(res, r.cache());
        res.header(MODEL_USED, r.modelUsed());
        res.header(ROUTE, r.route());
        rateLimitHeaders(res, r.keyUsage());
    }

    /** Sets the headers of a server-sent-event stream, with what is known when it starts. */
    public static void streamHeaders(ServerResponse res, String cache, String modelUsed, String route,
            Optional<KeyUsage> keyUsage) {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(CACHE, cache);
        res.header(MODEL_USED, modelUsed);
        res.header(ROUTE, route);
        rateLimitHeaders(res, keyUsage);
    }

    /** Sets {@code x-costwise-cache} from pre-validated constant headers. */
    public static void cacheHeader(ServerResponse res, String status) {
        Header h = CACHE_VALUES.get(status);
        if (h != null) {
            res.header(h);
        } else {
            res.header(CACHE, status);
        }
    }

    /**
     * Writes a JSON tree to a response's stream as UTF-8, without flushing or closing it. Writes of more than 64 KB (a
     * stored answer's long string, which a {@code StoredText} writes whole) are passed on in pieces of 64 KB: Helidon
     * copies each write to a chunked response into a chunk of its own.
     *
     * @param out the response's stream
     * @param value the tree
     * @throws IOException if writing to the stream fails
     */
    public void writeJson(OutputStream out, JsonNode value) throws IOException {
        treeWriter.writeValue(new PiecedWrites(out), value);
    }

    /** Passes long writes on in pieces of {@link #COPIED_BODY_LIMIT} bytes; flushes and closes nothing. */
    private static final class PiecedWrites extends FilterOutputStream {
        PiecedWrites(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int at = off; at < off + len; at += COPIED_BODY_LIMIT) {
                out.write(b, at, Math.min(COPIED_BODY_LIMIT, off + len - at));
            }
        }
    }

    /** Sends a value as JSON. */
    public void sendJson(ServerResponse res, int status, Object value) {
        try {
            send(res, status, json.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Sends an error in OpenAI's shape, for a request that named no model, and counts it. */
    public void sendError(ServerResponse res, ApiError error) {
        sendError(res, error, "", ErrorResponses::body);
    }

    /**
     * Sends an error with its status, {@code Retry-After} and, when {@link ErrorResponses#noClientRetry} says so,
     * {@code x-should-retry: false}, and counts it in {@code costwise_errors_total}.
     *
     * @param model the model the request named, or empty
     * @param body writes the body in the shape of the endpoint's API (OpenAI's, Anthropic's)
     */
    public void sendError(ServerResponse res, ApiError error, String model, Function<ApiError, byte[]> body) {
        metrics.error(error.status(), error.code().orElse(""), model);
        error.retryAfter().ifPresent(d -> res.header(HeaderNames.RETRY_AFTER,
                Long.toString(ApiError.retryAfterSeconds(d))));
        if (ErrorResponses.noClientRetry(error)) {
            res.header(SHOULD_RETRY_FALSE);
        }
        error.billed().ifPresent(b -> res.header(COST, b.cost().toString()));
        send(res, error.status(), body.apply(error));
    }

    /**
     * Sends the failure of a model request; a key's own rate limit also says, as OpenAI does, what is left of its
     * minute.
     *
     * @param model the model the request named, or empty
     * @param body writes the body in the shape of the endpoint's API
     */
    public void sendFailure(ServerResponse res, GatewayException e, String model, Function<ApiError, byte[]> body) {
        if (e instanceof GatewayException.RateLimited limited) {
            rateLimitHeaders(res, limited.keyUsage());
        }
        sendError(res, ErrorResponses.of(e), model, body);
    }

    /** Sends a 500 for a bug, without details, in OpenAI's shape. */
    public void sendInternal(ServerResponse res, String requestId, String model) {
        sendInternal(res, requestId, model, ErrorResponses::body);
    }

    /** Sends a 500 for a bug, without details, in the shape {@code body} writes. */
    public void sendInternal(ServerResponse res, String requestId, String model, Function<ApiError, byte[]> body) {
        sendError(res, ErrorResponses.internal(requestId), model, body);
    }

    /** @return UTF-8 bytes */
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
