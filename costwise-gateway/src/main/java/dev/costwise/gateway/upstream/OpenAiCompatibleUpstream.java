package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.ProviderException.Details;
import dev.costwise.llm.provider.http.AnswerMemory;
import dev.costwise.llm.provider.http.AnswerMemoryExhaustedException;
import dev.costwise.llm.provider.http.BaseUrls;
import dev.costwise.llm.provider.http.BoundedLineReader;
import dev.costwise.llm.provider.http.HttpBodies;
import dev.costwise.llm.provider.http.RateLimitHeaderParser;
import dev.costwise.llm.provider.http.RateLimitListener;
import dev.costwise.llm.provider.http.ResponseTooLargeException;
import dev.costwise.llm.provider.http.UpstreamDnsResolver;
import dev.costwise.llm.provider.openai.OpenAiErrorMapper;
import dev.costwise.llm.wire.OpenAiWire;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.common.uri.UriEncoding;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays OpenAI chat completions to any OpenAI-compatible provider (OpenAI, Groq, OpenRouter, DeepSeek, Hugging Face
 * router, Together, vLLM, Ollama's {@code /v1}, Gemini's and Anthropic's OpenAI-compatible endpoints) over Helidon's
 * HTTP/1.1 client on the caller's virtual thread, with connections kept alive by {@link UpstreamConnections} and
 * calls (a stream as a whole) ended at their deadline by {@link AnswerDeadlines}.
 *
 * <p>The request body is forwarded as given (only {@code model} is replaced upstream of this class); the answer's bytes
 * are returned untouched, and only its {@code usage} is read. An answer, or one stream event, larger than {@link
 * HttpBodies#DEFAULT_MAX_SIZE} fails as a malformed response after at most that many bytes, its connection closed, so
 * one runaway answer cannot exhaust the heap every request shares. Thread-safe; one instance serves every model;
 * {@link #close} releases its idle connections and its deadline thread.
 */
public final class OpenAiCompatibleUpstream implements Upstream {
    private static final HeaderName RETRY_AFTER_MS = HeaderNames.create("retry-after-ms");
    private static final HeaderName REQUEST_ID = HeaderNames.create("x-request-id");
    private static final List<HeaderName> RATE_LIMIT_HEADERS = Stream.of("limit-requests", "remaining-requests",
            "reset-requests", "limit-tokens", "remaining-tokens", "reset-tokens")
            .map(h -> HeaderNames.create("x-ratelimit-" + h)).toList();
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiCompatibleUpstream.class);

    /** Kept below the common keep-alive timeouts of servers and load balancers (60 s and more). */
    private static final Duration MAX_IDLE = Duration.ofSeconds(30);
    private static final int MAX_IDLE_PER_ORIGIN = 256;

    private final Http1Client client;
    private final UpstreamConnections connections;
    private final AnswerDeadlines deadlines;
    private final ConcurrentHashMap<String, URI> targets = new ConcurrentHashMap<>();
    private final ObjectMapper json;
    /** Reads stream chunks with fractions as exact decimals: a reported {@code usage.cost} keeps every digit. */
    private final ObjectReader exactJson;
    /** The largest answer, or stream event, read. */
    private final int maxAnswerSize;
    /** Counts the answers read whole (not streams) while they are held, shared with the native adapters. */
    private final AnswerMemory answerMemory;
    /** The wall clock a 429's reset is measured against when the 429 gives it as an epoch time. */
    private final Clock clock;
    /** Hears each answer's rate-limit headers. */
    private final RateLimitListener rateLimits;

    /**
     * @param json the shared mapper
     * @param connectTimeout how long to wait for a TCP connection
     */
    public OpenAiCompatibleUpstream(ObjectMapper json, Duration connectTimeout) {
        this(json, connectTimeout, MAX_IDLE, System::nanoTime);
    }

    /**
     * @param json the shared mapper
     * @param connectTimeout how long to wait for a TCP connection
     * @param maxAnswerSize the largest answer, or stream event, read, in bytes
     * @param answerMemory the budget answers read whole are counted in while held
     * @param clock the wall clock a 429's reset is measured against (OpenRouter's {@code X-RateLimit-Reset} in its
     *     error's metadata, an epoch time)
     */
    public OpenAiCompatibleUpstream(ObjectMapper json, Duration connectTimeout, int maxAnswerSize,
            AnswerMemory answerMemory, Clock clock) {
        this(json, connectTimeout, maxAnswerSize, answerMemory, clock, RateLimitListener.NONE);
    }

    /**
     * @param json the shared mapper
     * @param connectTimeout how long to wait for a TCP connection
     * @param maxAnswerSize the largest answer, or stream event, read, in bytes
     * @param answerMemory the budget answers read whole are counted in while held
     * @param clock the wall clock a 429's reset is measured against (OpenRouter's {@code X-RateLimit-Reset} in its
     *     error's metadata, an epoch time)
     * @param rateLimits hears the {@code x-ratelimit-*} headers of every answer (a 429's {@code retry-after} too),
     *     each snapshot named by the call's configured model
     */
    public OpenAiCompatibleUpstream(ObjectMapper json, Duration connectTimeout, int maxAnswerSize,
            AnswerMemory answerMemory, Clock clock, RateLimitListener rateLimits) {
        this(json, connectTimeout, MAX_IDLE, System::nanoTime, maxAnswerSize, answerMemory, clock, rateLimits);
    }

    /** With the idle limit of kept-alive connections and the clock it is measured with (tests). */
    OpenAiCompatibleUpstream(ObjectMapper json, Duration connectTimeout, Duration maxIdle, LongSupplier nanoTime) {
        this(json, connectTimeout, maxIdle, nanoTime, HttpBodies.DEFAULT_MAX_SIZE, AnswerMemory.unlimited(),
                Clock.systemUTC());
    }

    /** As above, reading answers and stream events of at most {@code maxAnswerSize} bytes (tests). */
    OpenAiCompatibleUpstream(ObjectMapper json, Duration connectTimeout, Duration maxIdle, LongSupplier nanoTime,
            int maxAnswerSize, AnswerMemory answerMemory, Clock clock) {
        this(json, connectTimeout, maxIdle, nanoTime, maxAnswerSize, answerMemory, clock, RateLimitListener.NONE);
    }

    private OpenAiCompatibleUpstream(ObjectMapper json, Duration connectTimeout, Duration maxIdle,
            LongSupplier nanoTime, int maxAnswerSize, AnswerMemory answerMemory, Clock clock,
            RateLimitListener rateLimits) {
        this.rateLimits = Objects.requireNonNull(rateLimits, "rateLimits");
        this.maxAnswerSize = maxAnswerSize;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.answerMemory = Objects.requireNonNull(answerMemory, "answerMemory");
        this.json = json;
        this.exactJson = json.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        // TCP_NODELAY: headers and body leave as separate writes; with Nagle on, each request would wait for the
        // upstream's delayed ACK (tens of milliseconds on loopback).
        // writeBufferSize 0: a request is always one buffer (headers and body) written and flushed at once, and
        // Helidon's 4 KB write buffer copied it through a fresh 4 KB array on every request.
        // UpstreamDnsResolver: a host that does not resolve fails as a connection does (falls back, is billed $0)
        var builder = WebClient.builder().connectTimeout(connectTimeout).followRedirects(false)
                .dnsResolver(new UpstreamDnsResolver()).keepAlive(true).socketOptions(o -> o.tcpNoDelay(true))
                .writeBufferSize(0);
        if (!proxyConfigured()) {
            // Without this the client asks the system proxy selector on every request.
            builder.proxy(Proxy.noProxy());
        }
        WebClient webClient = builder.build();
        // HTTP/1.1 directly: the generic WebClient would look up the protocol for every request (about 1% of the
        // gateway's CPU samples), and every provider's chat API speaks HTTP/1.1.
        this.client = webClient.client(Http1Client.PROTOCOL);
        this.connections = new UpstreamConnections(webClient, client.prototype(), maxIdle, MAX_IDLE_PER_ORIGIN,
                nanoTime);
        this.deadlines = AnswerDeadlines.started();
    }

    private static boolean proxyConfigured() {
        for (String v : new String[] {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"}) {
            if (System.getenv(v) != null && !System.getenv(v).isBlank()) {
                return true;
            }
        }
        return System.getProperty("https.proxyHost") != null || System.getProperty("http.proxyHost") != null;
    }

    @Override
    public Reply complete(Call call) {
        return post(call, "/chat/completions");
    }

    @Override
    public Reply embed(Call call) {
        return post(call, "/embeddings");
    }

    private Reply post(Call call, String path) {
        Model model = call.model();
        byte[] body = bytes(path.equals("/embeddings") ? call.body()
                : CompatibleBodies.forUpstream(call.body(), model.provider()));
        try (AnswerDeadlines.Watch watch = deadlines.watch(call.timeout())) {
            HttpClientResponse res = send(call, path, body, "application/json", watch, Duration.ZERO);
            // the answer's bytes count in the shared budget until its summary is handed over, or the read fails
            try (res; AnswerMemory.Reservation held = answerMemory.open()) {
                int status = res.status().code();
                observeRateLimits(call, res);
                byte[] answer = path.equals("/embeddings") && status < 300 ? embeddings(call, res, held)
                        : body(call, res, held);
                Optional<String> requestId = res.headers().first(REQUEST_ID);
                if (status >= 300) {
                    throw failure(call, res, answer, requestId);
                }
                try {
                    return summarise(answer, model, res, requestId, !path.equals("/embeddings"));
                } catch (IOException e) {
                    throw new ProviderException.MalformedResponse(Details.of(model.provider(), model.name(), status),
                            HttpBodies.notJson(res.headers().first(HeaderNames.CONTENT_TYPE)), e);
                }
            } catch (UncheckedIOException | DataReader.InsufficientDataAvailableException | IllegalStateException e) {
                throw readFailure(call, e, watch);
            }
        }
    }

    /**
     * Reads only {@code model}, {@code usage} and {@code error} from an answer with a streaming parser: the rest of
     * the body (the message, often the bulk) is skipped, not built into a tree, since its bytes are relayed untouched.
     * An answer with an error is a failure whatever its status: it must be retried or fall back, never be cached nor
     * billed as a success; the usage it reports (OpenRouter's, for a generation that failed) is what the failure is
     * billed, so the whole answer is read first, wherever its {@code usage} comes. A chat answer without a choice
     * (an empty or absent {@code choices}) answers nothing: it fails as malformed, billed only the usage it reports.
     */
    private Reply summarise(byte[] answer, Model model, HttpClientResponse res, Optional<String> requestId,
            boolean chat) throws IOException {
        String answered = model.upstreamModel();
        Optional<Usage> usage = Optional.empty();
        Optional<String> tier = Optional.empty();
        JsonNode error = null;
        int choices = 0;
        try (JsonParser p = json.getFactory().createParser(answer)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("error") && value != JsonToken.VALUE_NULL) {
                    error = json.readTree(p);
                } else if (field.equals("usage") && value == JsonToken.START_OBJECT) {
                    usage = OpenAiReplies.usage(p);
                } else if (field.equals("choices") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        choices++;
                        p.skipChildren();
                    }
                } else if (field.equals("model") && value == JsonToken.VALUE_STRING) {
                    answered = p.getText();
                } else if (field.equals("service_tier") && value == JsonToken.VALUE_STRING) {
                    tier = Optional.of(p.getText()); // the tier that served the call is the one billed
                } else {
                    p.skipChildren();
                }
            }
        }
        ServiceTier served = ServiceTier.ofReported(tier);
        Optional<Usage> billed = usage.map(u -> u.withServiceTier(served));
        if (OpenAiReplies.reportsFailure(error)) {
            throw OpenAiReplies.errorInAnswer(model, error, retryAfter(res), requestId).withBilledUsage(billed);
        }
        if (chat && choices == 0) {
            throw new ProviderException.MalformedResponse(new Details(model.provider(), model.name(),
                    OptionalInt.of(res.status().code()), requestId), "the answer has no choice (empty 'choices')",
                    null).withBilledUsage(billed);
        }
        return new Reply(answer, billed, answered, requestId);
    }

    @Override
    public Events stream(Call call) {
        ObjectNode body = call.body();
        body.put("stream", true);
        ObjectNode options = body.withObjectProperty("stream_options");
        options.put("include_usage", true);
        // Each chunk must come within the call's timeout (the socket read timeout), the whole stream within the
        // request's deadline and its first output within the model's first-token timeout (the watch closes the
        // connection when either passes).
        AnswerDeadlines.Watch watch = deadlines.watch(call.deadline(), call.model().firstTokenTimeout());
        try {
            HttpClientResponse res = send(call, "/chat/completions",
                    bytes(CompatibleBodies.forUpstream(body, call.model().provider())), "text/event-stream", watch,
                    call.timeout());
            int status = res.status().code();
            observeRateLimits(call, res);
            if (status >= 300) {
                try (res; AnswerMemory.Reservation held = answerMemory.open()) {
                    byte[] answer = body(call, res, held);
                    throw failure(call, res, answer, res.headers().first(REQUEST_ID));
                } catch (UncheckedIOException e) {
                    throw transportFailure(call, e, watch);
                }
            }
            return new SseEvents(call, res, watch);
        } catch (RuntimeException e) {
            watch.close();
            throw e;
        }
    }

    @Override
    public void close() {
        deadlines.close();
        connections.close();
    }

    /**
     * Sends on a kept-alive connection, or a new one. The watch ends the call by closing its connection when its
     * deadline passes; {@code readTimeout} (zero: none) bounds each socket read as well.
     */
    private HttpClientResponse send(Call call, String path, byte[] body, String accept, AnswerDeadlines.Watch watch,
            Duration readTimeout) {
        Model model = call.model();
        // Parsed and encoded once per URL: post(String) would encode and parse the same string on every request.
        URI target = targets.computeIfAbsent(BaseUrls.resolve(model.baseUrl(), path), OpenAiCompatibleUpstream::uri);
        for (boolean retry = false; ; retry = true) {
            UpstreamConnections.Lease lease = null;
            try {
                lease = retry ? connections.connect(target) : connections.acquire(target);
                TcpClientConnection connection = lease.connection();
                watch.connection(connection);
                lease.beforeGiveBack(watch::release);
                return request(call, target, accept, connection, readTimeout).submit(body);
            } catch (IllegalStateException e) {
                // Helidon refuses to send on a connection closed under it (only the deadline closes ours), and fails
                // an answer that does not start with a status line (bytes left on a kept-alive connection past the
                // previous answer, a server that is not HTTP) the same way: a broken connection, never ours to
                // reuse, and not resent, since the upstream may have read the request.
                if (lease != null) {
                    lease.connection().closeResource();
                }
                throw watch.expired() ? expiry(call, watch) : unreadable(call, e);
            } catch (UncheckedIOException | DataReader.InsufficientDataAvailableException e) {
                if (lease != null) {
                    lease.connection().closeResource();
                }
                // A kept-alive connection the upstream closed while it sat idle fails before any response byte: the
                // request never reached the upstream, so it goes once more on a new connection.
                boolean closedWhileIdle = lease != null && lease.reused() && !watch.expired()
                        && !(e.getCause() instanceof SocketTimeoutException);
                if (!closedWhileIdle) {
                    throw transportFailure(call, e, watch);
                }
            }
        }
    }

    /**
     * Encodes a URL's path for the client; its query (a base URL's {@code ?api-version=...}) is kept as written,
     * since encoding would turn its {@code ?} into {@code %3F} and its escapes into double ones.
     */
    private static URI uri(String url) {
        int q = url.indexOf('?');
        return URI.create(q < 0 ? UriEncoding.encodeUri(url) : UriEncoding.encodeUri(url.substring(0, q))
                + url.substring(q));
    }

    private Http1ClientRequest request(Call call, URI target, String accept, ClientConnection connection,
            Duration readTimeout) {
        Model model = call.model();
        var request = client.post().uri(target).connection(connection).readTimeout(readTimeout)
                .contentType(MediaTypes.APPLICATION_JSON).header(HeaderNames.ACCEPT, accept);
        model.apiKey().ifPresent(k -> request.header(HeaderNames.AUTHORIZATION, "Bearer " + k));
        if (model.provider().equals("anthropic")) {
            model.apiKey().ifPresent(k -> request.header(HeaderNames.create("x-api-key"), k));
            request.header(HeaderNames.create("anthropic-version"), "2023-06-01");
        }
        return request;
    }

    /**
     * Reads an answer of at most {@link #maxAnswerSize} bytes; a larger one is not read further (closing the response
     * then closes its connection) and fails as malformed.
     */
    private byte[] body(Call call, HttpClientResponse res, AnswerMemory.Reservation held) {
        try (InputStream in = res.inputStream()) {
            return HttpBodies.readAtMost(in, res.headers().contentLength(), maxAnswerSize, "the answer", held);
        } catch (ResponseTooLargeException e) {
            throw tooLarge(call, e, OptionalInt.of(res.status().code()));
        } catch (AnswerMemoryExhaustedException e) {
            throw new ProviderException.Overloaded(Details.of(call.model().provider(), call.model().name(),
                    res.status().code()), e.getMessage(), Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads an embeddings answer as {@link #body} does; one too large is the batch's size, not the provider's fault:
     * {@link OversizedEmbeddings} says so, with the usage the provider billed when it can be read.
     */
    private byte[] embeddings(Call call, HttpClientResponse res, AnswerMemory.Reservation held) {
        OptionalLong declared = res.headers().contentLength();
        try (InputStream in = res.inputStream()) {
            try {
                return HttpBodies.readAtMost(in, declared, maxAnswerSize, "the answer", held);
            } catch (ResponseTooLargeException e) {
                // a declared length is refused before any byte is read; else the limit and one byte more were
                long read = declared.isPresent() ? 0 : maxAnswerSize + 1L;
                throw OversizedEmbeddings.failure(call, new Details(call.model().provider(), call.model().name(),
                        OptionalInt.of(res.status().code()), res.headers().first(REQUEST_ID)), in, read, declared,
                        maxAnswerSize, json, e);
            }
        } catch (AnswerMemoryExhaustedException e) {
            throw new ProviderException.Overloaded(Details.of(call.model().provider(), call.model().name(),
                    res.status().code()), e.getMessage(), Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ProviderException tooLarge(Call call, ResponseTooLargeException e, OptionalInt status) {
        return new ProviderException.MalformedResponse(new Details(call.model().provider(), call.model().name(),
                status, Optional.empty()), e.getMessage(), e);
    }

    private ProviderException failure(Call call, HttpClientResponse res, byte[] answer, Optional<String> requestId) {
        JsonNode tree;
        try {
            tree = json.readTree(answer);
        } catch (IOException e) {
            tree = MissingNode.getInstance();
        }
        if (tree == null) {
            tree = MissingNode.getInstance();
        }
        int status = res.status().code();
        Optional<Duration> retryAfter = retryAfter(res);
        if (retryAfter.isEmpty() && status == 429) {
            // no retry-after, but OpenAI's x-ratelimit-reset-*, else OpenRouter's X-RateLimit-Reset in the error's
            // metadata: when the limit is whole again, waited for at most the retry settings' longest delay, as a
            // call may fit sooner; but a reset the request cannot wait for is a long Retry-After (no retry, a
            // fallback at once, the caller told the whole wait), not a short one
            JsonNode metadata = tree.path("error").path("metadata");
            retryAfter = RateLimitHeaderParser.untilReset(name -> res.headers().first(HeaderNames.create(name)))
                    .or(() -> OpenAiErrorMapper.untilMetadataReset(Optional.of(metadata), clock.instant()))
                    .map(reset -> reset.compareTo(call.maxRetryDelay()) < 0 || reset.compareTo(call.deadline()) >= 0
                            ? reset : call.maxRetryDelay());
        }
        return OpenAiReplies.error(call.model(), status, tree, retryAfter, requestId);
    }

    /**
     * Tells the listener what an answer's {@code x-ratelimit-*} headers say, read by costwise-llm's parser; a 429's
     * {@code retry-after} as well (on another status it is no statement about the limits). A listener that fails is
     * logged, never failing the call.
     */
    private void observeRateLimits(Call call, HttpClientResponse res) {
        if (rateLimits == RateLimitListener.NONE) {
            return;
        }
        int status = res.status().code();
        Map<String, String> found = new HashMap<>();
        for (HeaderName h : RATE_LIMIT_HEADERS) {
            res.headers().first(h).ifPresent(v -> found.put(h.lowerCase(), v));
        }
        if (status == 429) {
            for (HeaderName h : List.of(HeaderNames.RETRY_AFTER, RETRY_AFTER_MS)) {
                res.headers().first(h).ifPresent(v -> found.put(h.lowerCase(), v));
            }
        }
        if (found.isEmpty()) {
            return;
        }
        RateLimitHeaderParser.openAiStyle(call.model().provider(), call.model().name(), status,
                dev.costwise.llm.provider.http.HttpHeaders.of(found), clock.instant()).ifPresent(snapshot -> {
                    try {
                        rateLimits.onSnapshot(snapshot);
                    } catch (RuntimeException e) {
                        LOG.warn("rate-limit listener failed for '{}'; ignored", call.model().name(), e);
                    }
                });
    }

    private static Optional<Duration> retryAfter(HttpClientResponse res) {
        return OpenAiReplies.retryAfter(res.headers().first(HeaderNames.RETRY_AFTER),
                res.headers().first(RETRY_AFTER_MS));
    }

    private static ProviderException timeout(Call call) {
        return new ProviderException.ProviderTimeout(Details.of(call.model().provider(), call.model().name()),
                "the upstream call", call.timeout());
    }

    /** The timeout a watch's expiry stands for: the first output's, or the call's own. */
    private static ProviderException expiry(Call call, AnswerDeadlines.Watch watch) {
        if (watch.expiredAwaitingOutput()) {
            Duration limit = call.model().firstTokenTimeout().orElseThrow();
            return new ProviderException.ProviderTimeout(Details.of(call.model().provider(), call.model().name()),
                    "waiting for the first token from " + named(call), limit);
        }
        return timeout(call);
    }

    /** A failed read or write: a timeout when the deadline closed the connection or the socket timed out. */
    private static ProviderException transportFailure(Call call, RuntimeException e, AnswerDeadlines.Watch watch) {
        return watch.expired() ? expiry(call, watch) : transportFailure(call, e);
    }

    /**
     * A failed read of an answer. Helidon reports a connection closed mid-body as
     * {@code InsufficientDataAvailableException}, and its chunked reader asks a connection the deadline has closed
     * for its reader, which fails with {@link IllegalStateException}: that one is the deadline, any other is not ours
     * to translate and is rethrown as it is.
     */
    private static RuntimeException readFailure(Call call, RuntimeException e, AnswerDeadlines.Watch watch) {
        return e instanceof IllegalStateException && !watch.expired() ? e : transportFailure(call, e, watch);
    }

    /** An answer that is not HTTP: as a connection failure, which is tried elsewhere and billed nothing. */
    private static ProviderException unreadable(Call call, IllegalStateException e) {
        Details d = Details.of(call.model().provider(), call.model().name());
        return new ProviderException.ConnectionFailed(d, "cannot reach " + named(call)
                + ": the answer did not start with an HTTP status line", e);
    }

    private static ProviderException transportFailure(Call call, RuntimeException e) {
        if (e.getCause() instanceof SocketTimeoutException) {
            return timeout(call);
        }
        Details d = Details.of(call.model().provider(), call.model().name());
        // in plain words: the exception's class stays in the cause, for the logs
        String why = e instanceof UncheckedIOException && e.getCause() != null && e.getCause().getMessage() != null
                ? e.getCause().getMessage() : "connection closed before the answer";
        return new ProviderException.ConnectionFailed(d, "cannot reach " + named(call) + ": " + why, e);
    }

    /**
     * Names a call's provider in an error by its configured model, never by its base URL: errors reach the callers,
     * and a base URL may hold credentials (user info, an {@code api-key} query) or be internal.
     */
    private static String named(Call call) {
        return "the provider of '" + call.model().name() + "' (" + call.model().provider() + ")";
    }

    private byte[] bytes(ObjectNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** Server-sent events of one streamed completion. */
    private final class SseEvents implements Events {
        private final Call call;
        private final HttpClientResponse response;
        private final AnswerDeadlines.Watch watch;
        private final BoundedLineReader reader;
        private final boolean closeDelimited;
        private String pending;
        private boolean done;
        private Optional<Usage> usage = Optional.empty();
        /** Groq's usage in its last chunk's {@code x_groq}, for a stream that sends no top-level one. */
        private Optional<Usage> groqUsage = Optional.empty();
        private Optional<String> answered = Optional.empty();
        private Runnable keepAlive = () -> { };

        SseEvents(Call call, HttpClientResponse response, AnswerDeadlines.Watch watch) {
            this.call = call;
            this.response = response;
            this.watch = watch;
            this.closeDelimited = !response.headers().contains(HeaderNames.CONTENT_LENGTH)
                    && !response.headers().contains(HeaderNames.TRANSFER_ENCODING);
            this.reader = new BoundedLineReader(response.inputStream(), maxAnswerSize);
        }

        @Override
        public boolean hasNext() {
            if (pending != null) {
                return true;
            }
            if (done) {
                return false;
            }
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (!line.startsWith("data:")) {
                        if (line.startsWith(":")) {
                            keepAlive.run(); // a comment: OpenRouter's ": OPENROUTER PROCESSING" keep-alive
                        }
                        continue;
                    }
                    String data = line.substring(5).trim();
                    if (data.equals("[DONE]")) {
                        done = true;
                        return false;
                    }
                    inspect(data);
                    pending = data;
                    return true;
                }
                throw endedBeforeDone();
            } catch (ResponseTooLargeException e) {
                throw tooLarge(call, e, OptionalInt.empty());
            } catch (IOException e) {
                throw broken(new UncheckedIOException(e));
            } catch (DataReader.InsufficientDataAvailableException e) {
                // a body without length or chunking ends where the connection closes (RFC 9112, section 6.3)
                throw closeDelimited && !watch.expired() ? endedBeforeDone() : broken(e);
            } catch (UncheckedIOException | IllegalStateException e) {
                throw broken(e);
            }
        }

        /**
         * A read of the stream that failed: the watch ended it at the request's deadline ({@code
         * server.request_timeout}), which bounds the whole stream, each chunk coming in time or not, or at its first
         * output's timeout; the wait for a chunk passed the call's timeout; or the stream broke. A state error the
         * watch did not cause is not ours to translate.
         */
        private RuntimeException broken(RuntimeException e) {
            if (e instanceof IllegalStateException && !watch.expired()) {
                return e;
            }
            Details d = Details.of(call.model().provider(), call.model().name());
            if (watch.expired() && !watch.expiredAwaitingOutput()) {
                return new ProviderException.ProviderTimeout(d, "the request (server.request_timeout), mid-stream,",
                        call.deadline());
            }
            if (watch.expired() || e.getCause() instanceof SocketTimeoutException) {
                return transportFailure(call, e, watch); // the first output's timeout, or the wait for a chunk
            }
            // the provider was reached and answered: its stream broke, it is no failure to reach it
            String why = e instanceof UncheckedIOException && e.getCause() != null && e.getCause().getMessage() != null
                    ? e.getCause().getMessage() : "the connection closed mid-answer";
            return new ProviderException.ConnectionFailed(d, "the stream from " + named(call) + " broke: " + why, e);
        }

        /**
         * OpenAI-compatible streams end with [DONE]; without it the answer is cut short, not complete (and must not
         * be cached or billed as a success).
         */
        private ProviderException endedBeforeDone() {
            done = true;
            return new ProviderException.ConnectionFailed(Details.of(call.model().provider(), call.model().name()),
                    "the stream from " + named(call) + " ended before [DONE]", null);
        }

        private void inspect(String data) {
            try {
                JsonNode chunk = exactJson.readTree(data);
                // read before an error is: OpenRouter's error event carries the usage of the generation it failed,
                // which the provider billed and the failed stream is ledgered at
                JsonNode u = chunk.get("usage");
                if (u != null && u.isObject()) {
                    usage = OpenAiReplies.usage(u).map(v -> v.withServiceTier(OpenAiWire.readServedTier(chunk)));
                }
                // Groq's streams long carried their usage only in the last chunk's x_groq.usage
                JsonNode g = chunk.path("x_groq").get("usage");
                if (g != null && g.isObject()) {
                    groqUsage = OpenAiReplies.usage(g);
                }
                Optional<JsonNode> error = OpenAiReplies.errorIn(chunk);
                if (error.isPresent()) {
                    throw OpenAiReplies.errorInAnswer(call.model(), error.get(), Optional.empty(),
                            response.headers().first(REQUEST_ID));
                }
                if (watch.awaitingOutput() && ChunkOutput.shows(chunk)) {
                    watch.outputArrived();
                }
                if (answered.isEmpty() && chunk.hasNonNull("model")) {
                    answered = Optional.of(chunk.get("model").asText());
                }
            } catch (IOException e) {
                throw new ProviderException.MalformedResponse(Details.of(call.model().provider(),
                        call.model().name()), "a stream chunk is not JSON", e);
            }
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the stream has ended");
            }
            String out = pending;
            pending = null;
            return out;
        }

        @Override
        public Optional<Usage> usage() {
            return usage.or(() -> groqUsage);
        }

        @Override
        public Optional<String> answeredModel() {
            return answered;
        }

        @Override
        public void onKeepAlive(Runnable listener) {
            keepAlive = listener;
        }

        @Override
        public void close() {
            try {
                response.close();
            } catch (IllegalStateException e) {
                // The deadline closed the connection; there is nothing left to read or give back.
                if (!watch.expired()) {
                    throw e;
                }
            } finally {
                watch.close();
            }
        }
    }
}
