package dev.costwise.llm.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.AbstractProviderChatModel;
import dev.costwise.llm.provider.http.AdapterSettings;
import dev.costwise.llm.provider.http.ChunkSource;
import dev.costwise.llm.provider.http.GuardedStream;
import dev.costwise.llm.provider.http.HttpCall;
import dev.costwise.llm.provider.http.HttpHeaders;
import dev.costwise.llm.provider.http.HttpResult;
import dev.costwise.llm.provider.http.HttpTransport;
import dev.costwise.llm.provider.http.ProviderReply;
import dev.costwise.llm.provider.http.RateLimitHeaderParser;
import dev.costwise.llm.provider.http.RateLimitSnapshot;
import dev.costwise.llm.provider.http.StreamTimeouts;
import dev.costwise.llm.provider.openai.OpenAiErrorMapper;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireError;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A model served by Ollama through its native {@code /api/chat}: {@code stream: false} for a single answer, NDJSON
 * lines for a stream (the last one has {@code done: true} and the counts). Options map to Ollama's
 * {@code options} ({@code temperature}, {@code top_p}, {@code seed}, {@code num_predict}, {@code stop}); JSON mode is
 * {@code format: "json"}, a JSON schema goes in {@code format}; images are sent base64 in {@code images} (only inline
 * {@code data:} images: Ollama does not fetch URLs). A reasoning setting ({@link ChatRequest#reasoning()}) is sent as
 * {@code think}: {@code false} for none, else {@code true}, or for a gpt-oss model the level {@code low},
 * {@code medium} or {@code high} nearest the effort; without one, {@code think} is not sent and the model thinks as it
 * does by default. The reasoning text Ollama returns ({@code message.thinking}) is not kept. Usage is
 * {@code prompt_eval_count} and {@code eval_count}; the pricer decides the cost (normally
 * {@link dev.costwise.llm.cost.PriceStatus#LOCAL}, free).
 *
 * <pre>{@code
 * ChatModel llama = OllamaChatModel.builder("llama3.2").pricer(pricer).build(); // OLLAMA_HOST or localhost:11434
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @see <a href="https://docs.ollama.com/api/chat">Ollama chat API</a>
 */
public final class OllamaChatModel extends AbstractProviderChatModel {

    private final URI baseUrl;
    private final OllamaWire wire;
    private final OpenAiWire errors;

    private OllamaChatModel(AdapterSettings settings, URI baseUrl, ObjectMapper mapper) {
        super(settings);
        this.baseUrl = baseUrl;
        this.wire = new OllamaWire(mapper);
        this.errors = new OpenAiWire(mapper);
    }

    /**
     * Starts a model.
     *
     * @param model the Ollama model tag, such as {@code llama3.2} or {@code qwen2.5:7b}
     * @return a builder
     */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /** @return the server's base URL */
    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    protected Optional<RateLimitSnapshot> rateLimits(int status, HttpHeaders headers) {
        return Optional.empty(); // Ollama sends no rate-limit headers
    }

    @Override
    protected ProviderReply doChat(ChatRequest request, WorkflowContext context) {
        long start = System.nanoTime();
        HttpResult result = send(HttpCall.postJson(URI.create(baseUrl + "/api/chat"), Map.of(),
                body(request, false)), context);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (!result.isSuccess()) {
            throw error(result.status(), result.headers(), result.bodyText(), elapsed);
        }
        JsonNode root = parse(result.bodyText(), result.status(), result.headers());
        Optional<WireError> inBody = errors.readError(root);
        if (inBody.isPresent()) {
            throw OpenAiErrorMapper.mapInBody(details(result.status(), result.headers()), inBody.get(),
                    Optional.empty(), elapsed, Optional.empty());
        }
        if (!root.path("message").isObject()) {
            throw new ProviderException.MalformedResponse(details(result.status(), result.headers()),
                    "message: expected an object, was " + root.path("message").getNodeType(), null);
        }
        Message message = wire.readMessage(root, 0);
        return new ProviderReply("ollama-" + UUID.randomUUID(), Optional.ofNullable(root.path("model").asText(null)),
                message, OllamaWire.finishReason(root, !message.toolCalls().isEmpty()), wire.readUsage(root),
                Optional.empty());
    }

    @Override
    protected ChunkSource doStream(ChatRequest request, WorkflowContext context) {
        long start = System.nanoTime();
        GuardedStream stream = openStream(HttpCall.postJson(URI.create(baseUrl + "/api/chat"),
                Map.of("Accept", "application/x-ndjson"), body(request, true)), context);
        if (stream.status() < 200 || stream.status() >= 300) {
            String text;
            try {
                text = stream.readRemaining();
            } catch (IOException e) {
                text = "";
            } finally {
                stream.close();
            }
            throw error(stream.status(), stream.headers(), text, Duration.ofNanos(System.nanoTime() - start));
        }
        return new OllamaChunkSource(this, stream, wire, errors, "ollama-" + UUID.randomUUID());
    }

    // ---- used by OllamaChunkSource ----

    ProviderException streamFailure(IOException e) {
        return transportFailure(e);
    }

    ProviderException streamError(WireError error, GuardedStream stream) {
        return OpenAiErrorMapper.mapStreamEvent(details(stream.status(), stream.headers()), error, Optional.empty());
    }

    ProviderException malformed(String what, GuardedStream stream, Throwable cause) {
        return new ProviderException.MalformedResponse(details(stream.status(), stream.headers()), what, cause);
    }

    ProviderException truncated(GuardedStream stream) {
        return new ProviderException.ConnectionFailed(details(stream.status(), stream.headers()),
                "the stream ended before a line with done: true (truncated)", null);
    }

    // ---- internals ----

    private byte[] body(ChatRequest request, boolean stream) {
        // an UnsupportedRequestException from the wire is not a failed call: nothing was sent
        return errors.bytes(wire.writeRequest(request, upstreamModel(), stream));
    }

    private JsonNode parse(String text, int status, HttpHeaders headers) {
        try {
            return errors.parse(text);
        } catch (dev.costwise.llm.wire.WireFormatException e) {
            throw new ProviderException.MalformedResponse(details(status, headers), e.getMessage(), e);
        }
    }

    private ProviderException error(int status, HttpHeaders headers, String body, Duration elapsed) {
        Optional<WireError> parsed;
        try {
            parsed = errors.readError(errors.parse(body));
        } catch (dev.costwise.llm.wire.WireFormatException e) {
            parsed = Optional.empty();
        }
        // Ollama itself sends none, but a proxy or hosted Ollama in front of it may ask to wait on a 429 or 503
        return OpenAiErrorMapper.map(details(status, headers), status, parsed, body,
                RateLimitHeaderParser.retryAfter(headers, settings().clock().instant()), elapsed, Optional.empty());
    }

    /** Builds an {@link OllamaChatModel}. Not thread-safe. */
    public static final class Builder {
        private final AdapterSettings.Builder settings;
        private URI baseUrl;
        private Map<String, String> environment;
        private ObjectMapper mapper;

        private Builder(String model) {
            this.settings = AdapterSettings.builder("ollama", model);
        }

        /**
         * Sets the server. Default: {@code OLLAMA_HOST}, else {@code http://localhost:11434}.
         *
         * @param url the base URL, or a host:port
         * @return this builder
         * @throws IllegalArgumentException if it is not a host or an absolute http(s) URL
         */
        public Builder baseUrl(String url) {
            this.baseUrl = OllamaHost.parse(url);
            return this;
        }

        /**
         * Sets the server, as {@link #baseUrl(String)}.
         *
         * @param url an absolute http(s) URL, such as {@code http://gpu-box:11434}
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http(s) URL (naming it)
         */
        public Builder baseUrl(URI url) {
            this.baseUrl = OllamaHost.of(url);
            return this;
        }

        /** @param env where {@code OLLAMA_HOST} is read; default {@link System#getenv()}; @return this builder */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /** @param transport the shared HTTP transport; @return this builder */
        public Builder transport(HttpTransport transport) {
            settings.transport(transport);
            return this;
        }

        /** @param pricer prices each call (required; normally LOCAL, free); @return this builder */
        public Builder pricer(Pricer pricer) {
            settings.pricer(pricer);
            return this;
        }

        /** @param registry receives {@code costwise.model.downgrades}; @return this builder */
        public Builder meterRegistry(MeterRegistry registry) {
            settings.meterRegistry(registry);
            return this;
        }

        /** @param estimator counts tokens when Ollama reports none; @return this builder */
        public Builder tokenEstimator(TokenEstimator estimator) {
            settings.tokenEstimator(estimator);
            return this;
        }

        /** @param timeouts first-token and total stream limits (a cold model load can take a while); @return this */
        public Builder streamTimeouts(StreamTimeouts timeouts) {
            settings.streamTimeouts(timeouts);
            return this;
        }

        /** @param clock the wall clock; @return this builder */
        public Builder clock(Clock clock) {
            settings.clock(clock);
            return this;
        }

        /** @param value the Jackson mapper; default a new one; @return this builder */
        public Builder mapper(ObjectMapper value) {
            this.mapper = Objects.requireNonNull(value, "mapper");
            return this;
        }

        /**
         * @return the model
         * @throws IllegalStateException if no pricer was set, or the pricer cannot price the model (unknown or
         *     unpriced, and unpriced models not allowed)
         * @throws IllegalArgumentException if {@code OLLAMA_HOST} is unreadable
         */
        public OllamaChatModel build() {
            URI url = baseUrl != null ? baseUrl
                    : OllamaHost.fromEnvironment(environment != null ? environment : System.getenv());
            return new OllamaChatModel(settings.build(), url, mapper != null ? mapper : new ObjectMapper());
        }
    }
}
