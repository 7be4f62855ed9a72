package dev.costwise.llm.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.AbstractProviderChatModel;
import dev.costwise.llm.provider.http.AdapterSettings;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.ChunkSource;
import dev.costwise.llm.provider.http.FunctionTools;
import dev.costwise.llm.provider.http.GuardedStream;
import dev.costwise.llm.provider.http.HttpCall;
import dev.costwise.llm.provider.http.HttpHeaders;
import dev.costwise.llm.provider.http.HttpResult;
import dev.costwise.llm.provider.http.HttpTransport;
import dev.costwise.llm.provider.http.ProviderReply;
import dev.costwise.llm.provider.http.RateLimitHeaderParser;
import dev.costwise.llm.provider.http.RateLimitListener;
import dev.costwise.llm.provider.http.StreamTimeouts;
import dev.costwise.llm.provider.http.ThoughtSignatureIds;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.RequestEncoding;
import dev.costwise.llm.wire.WireCompletion;
import dev.costwise.llm.wire.WireError;
import dev.costwise.llm.wire.WireFormatException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model behind an OpenAI-compatible chat-completions API: OpenAI, Groq, OpenRouter, DeepSeek, Together, the Hugging
 * Face router, or a self-hosted vLLM or llama.cpp server.
 *
 * <p>Non-streamed calls read the {@code chat.completion}; streams read server-sent {@code chat.completion.chunk}
 * events up to {@code [DONE]}, and always ask for usage ({@code stream_options.include_usage}) so every stream is
 * priced from the provider's own counts. Errors, including an error inside a 200 body or a mid-stream error event
 * (OpenRouter), are mapped by {@link OpenAiErrorMapper}; a stream that ends before {@code [DONE]} or a finish reason
 * is a {@link ProviderException.ConnectionFailed}. Rate-limit headers go to the {@link RateLimitListener}. When the
 * answer (or a stream's last chunk) says what the call was charged, as OpenRouter's {@code usage.cost} does, the call
 * costs exactly that ({@link dev.costwise.llm.cost.PriceStatus#PROVIDER_REPORTED}) instead of its catalog price.
 *
 * <pre>{@code
 * ChatModel groq = OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.GROQ, "llama-3.3-70b-versatile")
 *     .pricer(pricer)                  // the key comes from GROQ_API_KEY
 *     .transport(sharedTransport)
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class OpenAiCompatibleChatModel extends AbstractProviderChatModel {
    private final OpenAiCompatibleEndpoint endpoint;
    private final Optional<ApiKey> apiKey;
    private final Map<String, String> extraHeaders;
    private final OpenAiWire wire;

    private OpenAiCompatibleChatModel(AdapterSettings settings, OpenAiCompatibleEndpoint endpoint,
            Optional<ApiKey> apiKey, Map<String, String> extraHeaders, OpenAiWire wire) {
        super(settings);
        this.endpoint = endpoint;
        this.apiKey = apiKey;
        this.extraHeaders = Map.copyOf(extraHeaders);
        this.wire = wire;
    }

    /**
     * Starts a model at {@code endpoint}.
     *
     * @param endpoint a preset such as {@link OpenAiCompatibleEndpoint#OPENAI}, or
     *     {@link OpenAiCompatibleEndpoint#custom(String, String)}
     * @param model the model name the provider knows, such as {@code gpt-4o-mini}, or the pricer's catalog name for
     *     it, such as {@code llama-3.3-70b-versatile:free} (the catalog's upstream id is sent)
     * @return a builder
     */
    public static Builder builder(OpenAiCompatibleEndpoint endpoint, String model) {
        return new Builder(endpoint, model);
    }

    /** @return the endpoint this model calls */
    public OpenAiCompatibleEndpoint endpoint() {
        return endpoint;
    }

    /**
     * The same provider, key and settings for another model.
     *
     * @param model the model name
     * @return the sibling model
     */
    public OpenAiCompatibleChatModel withModel(String model) {
        return new OpenAiCompatibleChatModel(settings().withModel(model), endpoint, apiKey, extraHeaders, wire);
    }

    /**
     * The request's body: a Gemini thought signature in a tool-call id is Gemini's alone, and too long for OpenAI; an
     * Anthropic-defined tool, which OpenAI-format APIs do not know, is refused before anything is sent.
     */
    private byte[] body(ChatRequest request, RequestEncoding enc) {
        FunctionTools.require(request.tools());
        return wire.bytes(wire.writeRequest(ThoughtSignatureIds.unsigned(request), upstreamModel(), enc));
    }

    @Override
    protected ProviderReply doChat(ChatRequest request, WorkflowContext context) {
        long start = System.nanoTime();
        RequestEncoding enc = encoding();
        HttpCall call = HttpCall.postJson(endpoint.resolve("/chat/completions"), headers(),
                body(request, enc));
        HttpResult result = send(call, context);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (!result.isSuccess()) {
            throw error(result.status(), result.headers(), result.bodyText(), elapsed);
        }
        JsonNode root = parseBody(result.body(), result.status(), result.headers());
        Optional<WireError> inBody = wire.readError(root);
        if (inBody.isPresent()) {
            throw OpenAiErrorMapper.mapInBody(details(result.status(), result.headers()), inBody.get(),
                    retryAfter(result.headers()), elapsed, apiKey).withBilledUsage(billedWith(root));
        }
        WireCompletion c;
        try {
            c = wire.readResponse(root);
        } catch (WireFormatException e) {
            throw new ProviderException.MalformedResponse(details(result.status(), result.headers()),
                    e.getMessage(), e);
        }
        return new ProviderReply(c.id(), Optional.of(c.model()).filter(m -> !m.isBlank()), c.message(),
                c.finishReason(), c.usage(), requestId(result.headers()));
    }

    /**
     * The usage an answer that reports an error still carries: OpenRouter's error inside a 200 comes with what the
     * failed generation was billed. An unreadable one is no report, and must not hide the error.
     */
    private Optional<Usage> billedWith(JsonNode root) {
        try {
            return wire.readUsage(root.get("usage")).map(u -> u.withServiceTier(OpenAiWire.readServedTier(root)));
        } catch (WireFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    protected ChunkSource doStream(ChatRequest request, WorkflowContext context) {
        long start = System.nanoTime();
        RequestEncoding enc = encoding().streamingWithUsage();
        HttpCall call = HttpCall.postJsonForStream(endpoint.resolve("/chat/completions"), headers(),
                body(request, enc));
        GuardedStream stream = openStream(call, context);
        if (stream.status() < 200 || stream.status() >= 300) {
            String body;
            try {
                body = stream.readRemaining();
            } catch (IOException e) {
                body = "";
            } finally {
                stream.close();
            }
            throw error(stream.status(), stream.headers(), body, Duration.ofNanos(System.nanoTime() - start));
        }
        return new OpenAiChunkSource(this, stream, wire);
    }

    // ---- used by OpenAiChunkSource ----

    ProviderException streamFailure(IOException e) {
        return transportFailure(e);
    }

    ProviderException eventError(WireError error, GuardedStream stream) {
        return OpenAiErrorMapper.mapStreamEvent(details(stream.status(), stream.headers()), error, apiKey);
    }

    ProviderException malformed(String what, GuardedStream stream, Throwable cause) {
        return new ProviderException.MalformedResponse(details(stream.status(), stream.headers()), what, cause);
    }

    ProviderException truncated(GuardedStream stream) {
        return new ProviderException.ConnectionFailed(details(stream.status(), stream.headers()),
                "the stream ended before [DONE] or a finish reason (truncated)", null);
    }

    Optional<String> streamRequestId(GuardedStream stream) {
        return requestId(stream.headers());
    }

    // ---- internals ----

    private RequestEncoding encoding() {
        RequestEncoding enc = RequestEncoding.DEFAULT.withoutMetadata();
        if (endpoint.provider().equals(OpenAiCompatibleEndpoint.OPENROUTER.provider())) {
            // OpenRouter hands breakpoints to the providers that need them, and takes a reasoning budget as well
            enc = enc.withCacheControl().withOpenRouterReasoning();
        }
        if (endpoint.provider().equals(OpenAiCompatibleEndpoint.OPENAI.provider())) {
            enc = enc.withServiceTier(); // flex and priority are OpenAI's; Groq and others refuse their names
        }
        if (!OpenAiCompatibleEndpoint.refusesTopK(endpoint.provider())) {
            enc = enc.withTopK(); // open-model servers (vLLM, llama.cpp, Together, OpenRouter) sample with it
        }
        return endpoint.maxCompletionTokens() ? enc.withMaxCompletionTokens() : enc;
    }

    private Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>(extraHeaders);
        apiKey.ifPresent(k -> h.put("Authorization", "Bearer " + k.reveal()));
        return h;
    }

    private JsonNode parseBody(byte[] body, int status, HttpHeaders headers) {
        try {
            return wire.parseAnswer(body);
        } catch (WireFormatException e) {
            throw new ProviderException.MalformedResponse(details(status, headers), e.getMessage(), e);
        }
    }

    private ProviderException error(int status, HttpHeaders headers, String body, Duration elapsed) {
        Optional<WireError> parsed;
        try {
            parsed = wire.readError(wire.parse(body));
        } catch (WireFormatException e) {
            parsed = Optional.empty();
        }
        // a 429 without retry-after still says when the limit resets: x-ratelimit-reset-*, else OpenRouter's
        // X-RateLimit-Reset in the error's metadata
        Optional<JsonNode> metadata = parsed.flatMap(WireError::metadata);
        Optional<Duration> wait = retryAfter(headers).or(() -> status == 429
                ? RateLimitHeaderParser.untilReset(headers::first).or(() -> OpenAiErrorMapper.untilMetadataReset(
                        metadata, settings().clock().instant()))
                : Optional.empty());
        return OpenAiErrorMapper.map(details(status, headers), status, parsed, body, wait, elapsed, apiKey);
    }

    private Optional<Duration> retryAfter(HttpHeaders headers) {
        return RateLimitHeaderParser.retryAfter(headers, settings().clock().instant());
    }

    /** Builds an {@link OpenAiCompatibleChatModel}. Not thread-safe. */
    public static final class Builder {
        private OpenAiCompatibleEndpoint endpoint;
        private final AdapterSettings.Builder settings;
        private Optional<ApiKey> apiKey = Optional.empty();
        private Map<String, String> environment;
        private final Map<String, String> extraHeaders = new LinkedHashMap<>();
        private OpenAiWire wire;

        private Builder(OpenAiCompatibleEndpoint endpoint, String model) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            this.settings = AdapterSettings.builder(endpoint.provider(), model);
        }

        /**
         * Moves the endpoint to {@code url} (a proxy, a test server), as {@link OpenAiCompatibleEndpoint#withBaseUrl}:
         * a URL set here wins over {@code OPENAI_BASE_URL}.
         *
         * @param url an absolute http(s) URL, such as {@code http://localhost:8080/v1}
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http(s) URL (naming it)
         */
        public Builder baseUrl(String url) {
            this.endpoint = endpoint.withBaseUrl(url);
            return this;
        }

        /**
         * Moves the endpoint to {@code url}, as {@link #baseUrl(String)}.
         *
         * @param url an absolute http(s) URL
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http(s) URL (naming it)
         */
        public Builder baseUrl(URI url) {
            this.endpoint = endpoint.withBaseUrl(url);
            return this;
        }

        /**
         * Sets the key, as {@link #apiKey(ApiKey)} does. Default: read from the endpoint's environment variables at
         * {@link #build()}.
         *
         * @param key the key
         * @return this builder
         * @throws IllegalArgumentException if it is blank (the message does not contain it)
         */
        public Builder apiKey(String key) {
            return apiKey(ApiKey.of(key));
        }

        /**
         * Sets the key. Default: read from the endpoint's environment variables at {@link #build()}.
         *
         * @param key the key
         * @return this builder
         */
        public Builder apiKey(ApiKey key) {
            this.apiKey = Optional.of(Objects.requireNonNull(key, "key"));
            return this;
        }

        /**
         * Sets the environment the key and the endpoint's {@link OpenAiCompatibleEndpoint#baseUrlVariable() base URL
         * variable} ({@code OPENAI_BASE_URL}) are read from. Default {@link System#getenv()}. The variable moves only
         * an endpoint whose base URL was not set in code: {@code OPENAI.withBaseUrl(url)} stays at {@code url}.
         *
         * @param env the environment
         * @return this builder
         */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /**
         * Adds a header to every request (OpenRouter's {@code HTTP-Referer} and {@code X-Title}, an organisation
         * header). Do not pass the key here: use {@link #apiKey}.
         *
         * @param name the header name
         * @param value its value
         * @return this builder
         */
        public Builder header(String name, String value) {
            extraHeaders.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** @param transport the shared HTTP transport; default a new Helidon one; @return this builder */
        public Builder transport(HttpTransport transport) {
            settings.transport(transport);
            return this;
        }

        /** @param pricer prices each call (required); @return this builder */
        public Builder pricer(Pricer pricer) {
            settings.pricer(pricer);
            return this;
        }

        /** @param registry receives {@code costwise.model.downgrades}; default none; @return this builder */
        public Builder meterRegistry(MeterRegistry registry) {
            settings.meterRegistry(registry);
            return this;
        }

        /** @param listener receives rate-limit headers; default none; @return this builder */
        public Builder rateLimitListener(RateLimitListener listener) {
            settings.rateLimitListener(listener);
            return this;
        }

        /** @param estimator counts tokens when no usage is reported; @return this builder */
        public Builder tokenEstimator(TokenEstimator estimator) {
            settings.tokenEstimator(estimator);
            return this;
        }

        /** @param timeouts first-token and total stream limits; default none; @return this builder */
        public Builder streamTimeouts(StreamTimeouts timeouts) {
            settings.streamTimeouts(timeouts);
            return this;
        }

        /** @param clock the wall clock; default UTC system clock; @return this builder */
        public Builder clock(Clock clock) {
            settings.clock(clock);
            return this;
        }

        /** @param codec the JSON codec; default a new {@link OpenAiWire}; @return this builder */
        public Builder wire(OpenAiWire codec) {
            this.wire = Objects.requireNonNull(codec, "wire");
            return this;
        }

        /**
         * @return the model
         * @throws IllegalStateException if no pricer was set, or the endpoint needs a key and none was given or found
         *     in its environment variables (the message names them), or the pricer cannot price the model (unknown
         *     or unpriced, and unpriced models not allowed)
         */
        public OpenAiCompatibleChatModel build() {
            Map<String, String> env = environment != null ? environment : System.getenv();
            OpenAiCompatibleEndpoint ep = endpoint.withEnvironment(env);
            Optional<ApiKey> key = apiKey.or(() -> ApiKey.fromEnvironment(env,
                    ep.keyVariables().toArray(String[]::new)));
            if (key.isEmpty() && !ep.keyVariables().isEmpty()) {
                throw new IllegalStateException("no API key for " + ep.provider() + ": set "
                        + String.join(" or ", ep.keyVariables()) + ", or call apiKey(...)");
            }
            return new OpenAiCompatibleChatModel(settings.build(), ep, key, extraHeaders,
                    wire != null ? wire : new OpenAiWire());
        }
    }
}
