package dev.costwise.llm.provider.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.provider.http.AbstractProviderChatModel;
import dev.costwise.llm.provider.http.AdapterSettings;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.BaseUrls;
import dev.costwise.llm.provider.http.ChunkSource;
import dev.costwise.llm.provider.http.GuardedStream;
import dev.costwise.llm.provider.http.HelidonHttpTransport;
import dev.costwise.llm.provider.http.HttpCall;
import dev.costwise.llm.provider.http.HttpHeaders;
import dev.costwise.llm.provider.http.HttpResult;
import dev.costwise.llm.provider.http.ProviderReply;
import dev.costwise.llm.provider.http.RateLimitHeaderParser;
import dev.costwise.llm.provider.http.SseEvent;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.provider.http.HttpTransport;
import dev.costwise.llm.provider.http.InBandErrors;
import dev.costwise.llm.provider.http.RateLimitListener;
import dev.costwise.llm.provider.http.StreamTimeouts;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link dev.costwise.llm.chat.ChatModel} for the Gemini API of Google AI Studio:
 * {@code POST {base}/v1beta/models/{model}:generateContent}, and {@code :streamGenerateContent?alt=sse} for streams.
 *
 * <pre>{@code
 * ChatModel gemini = GeminiChatModel.builder("gemini-2.5-pro")
 *     .pricer(pricer)
 *     .build();                                   // key from GOOGLE_API_KEY or GEMINI_API_KEY
 * }</pre>
 *
 * <p>Requests are translated as {@link GeminiRequestMapper} describes; JSON mode is native. A reasoning setting
 * ({@link ChatRequest#reasoning()}) is sent as this model's thinking level (Gemini 3) or thinking budget (Gemini 2.5),
 * the nearest the model accepts; one it cannot honour (no reasoning on Gemini 2.5 Pro, any reasoning on Gemini 2.0) is
 * refused with {@link ProviderException.InvalidRequest} before a call is made. Usage is normalised:
 * {@code promptTokenCount} already includes cached tokens, and {@code thoughtsTokenCount} is added to the output and
 * reported as reasoning. The model that answered is read from {@code modelVersion}, so a silent downgrade (a request
 * for {@code gemini-2.5-pro} answered by {@code gemini-2.5-flash}) is flagged on the response and priced as the model
 * that answered. A prompt refused by the safety filter ({@code promptFeedback.blockReason}) throws
 * {@link ProviderException.ContentFiltered}; an answer stopped by it ends with
 * {@link dev.costwise.llm.chat.FinishReason#CONTENT_FILTER}. An answer whose tool call failed
 * ({@code MALFORMED_FUNCTION_CALL}, {@code UNEXPECTED_TOOL_CALL}) throws {@link ProviderException.MalformedResponse},
 * which is retried or falls back, rather than ending as if the model had finished; such a failure, and a blocked
 * prompt, carry the {@code usageMetadata} Google billed ({@link ProviderException#billedUsage()}). Errors map as
 * {@link GeminiErrorMapper} lists, a 429's wait read from its {@code RetryInfo}. A request's
 * {@linkplain ChatRequest#serviceTier() service tier} ({@code flex}, {@code priority}) is asked for with
 * {@code service_tier}, and each call is billed on the tier the {@code x-gemini-service-tier} response header says
 * served it ({@link dev.costwise.llm.chat.Usage#serviceTier()}).
 *
 * <p>The API key is sent only in the {@code x-goog-api-key} header (never in the URL), is never logged, and never
 * appears in an exception message or in {@link #toString()}. Instances are immutable and thread-safe.
 */
public final class GeminiChatModel extends AbstractProviderChatModel {

    /** The provider id. */
    public static final String PROVIDER = "gemini";
    /** The Gemini API's base URL. */
    public static final URI DEFAULT_BASE_URL = URI.create("https://generativelanguage.googleapis.com");
    /** The environment variables the key is read from by default, in this order (as Google's SDKs do). */
    public static final String[] API_KEY_ENVS = {"GOOGLE_API_KEY", "GEMINI_API_KEY"};

    private final ObjectMapper json = new ObjectMapper();
    private final GeminiRequestMapper requestMapper = new GeminiRequestMapper(json);
    private final GeminiErrorMapper errorMapper = new GeminiErrorMapper(json);
    private final URI baseUrl;
    private final String upstreamModel;
    private final URI generateUri;
    private final URI streamUri;
    private final ApiKey apiKey;

    private GeminiChatModel(AdapterSettings settings, URI baseUrl, ApiKey apiKey) {
        super(settings);
        this.baseUrl = baseUrl;
        String model = GeminiResponseMapper.stripModelsPrefix(upstreamModel());
        this.upstreamModel = model;
        this.generateUri = GeminiKeys.resolve(baseUrl, "v1beta/models/" + model + ":generateContent");
        this.streamUri = GeminiKeys.resolve(baseUrl, "v1beta/models/" + model + ":streamGenerateContent?alt=sse");
        this.apiKey = apiKey;
    }

    /**
     * Starts building an adapter for {@code model}.
     *
     * @param model the model as Gemini or the pricer's catalog names it, such as {@code gemini-2.5-flash} or
     *     {@code gemini-2.5-pro:free} (the catalog's upstream id is sent)
     * @return a builder
     */
    public static Builder builder(String model) {
        return new Builder(AdapterSettings.builder(PROVIDER, model));
    }

    /**
     * Starts building an adapter from prepared settings.
     *
     * @param settings the model (as Gemini names it), pricer, transport and listeners
     * @return a builder
     */
    public static Builder builder(AdapterSettings settings) {
        return new Builder(settings.toBuilder());
    }

    /**
     * The same key, URL and settings for another Gemini model (Pro and its Flash fallback share a key).
     *
     * @param model the model name
     * @return the sibling adapter
     */
    public GeminiChatModel withModel(String model) {
        return new GeminiChatModel(settings().withModel(model), baseUrl, apiKey);
    }

    @Override
    protected ProviderReply doChat(ChatRequest request, WorkflowContext context) {
        HttpResult result = send(HttpCall.postJson(generateUri, headers(), body(request)), context);
        if (!result.isSuccess()) {
            throw errorFrom(result.status(), result.headers(), result.bodyText());
        }
        ProviderException.Details details = details(result.status(), result.headers());
        GeminiResponseMapper.Reply reply;
        try {
            reply = GeminiResponseMapper.read(json.readTree(result.body()));
        } catch (IOException | IllegalArgumentException e) {
            throw unreadableAnswer(result, e);
        }
        ServiceTier tier = GeminiServiceTiers.served(result.headers(), request.serviceTier());
        // a 200 answer refused here was billed all the same: the failure carries its usageMetadata
        Optional<Usage> usage = reply.usage().map(u -> u.withServiceTier(tier));
        if (reply.blockReason().isPresent() && reply.message().content().isEmpty()
                && reply.message().toolCalls().isEmpty()) {
            throw new ProviderException.ContentFiltered(details, "prompt blocked: " + reply.blockReason().get())
                    .withBilledUsage(usage);
        }
        if (reply.toolCallFailure().isPresent()) {
            throw new ProviderException.MalformedResponse(details, reply.toolCallFailure().get(), null)
                    .withBilledUsage(usage);
        }
        return new ProviderReply(reply.responseId().orElseGet(() -> "gemini-" + UUID.randomUUID()),
                reply.modelVersion(), reply.message(), reply.finishReason(), usage, requestId(result.headers()));
    }

    @Override
    protected ChunkSource doStream(ChatRequest request, WorkflowContext context) {
        GuardedStream stream = openStream(HttpCall.postJsonForStream(streamUri, headers(), body(request)), context);
        if (stream.status() < 200 || stream.status() >= 300) {
            String body;
            try {
                body = stream.readRemaining();
            } catch (IOException e) {
                stream.close();
                throw transportFailure(e);
            }
            stream.close();
            throw errorFrom(stream.status(), stream.headers(), body);
        }
        return new EventSource(stream, requestId(stream.headers()),
                GeminiServiceTiers.served(stream.headers(), request.serviceTier()));
    }

    private byte[] body(ChatRequest request) {
        try {
            return requestMapper.toBody(request, upstreamModel).toString().getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw UnsupportedRequestException.of(e); // nothing was sent: not a failed call
        }
    }

    private Map<String, String> headers() {
        return Map.of("x-goog-api-key", apiKey.reveal());
    }

    private ProviderException errorFrom(int status, HttpHeaders headers, String body) {
        return errorMapper.fromResponse(details(status, headers), redact(body),
                RateLimitHeaderParser.retryAfter(headers, settings().clock().instant()), timeout());
    }

    /** @return the limit to report when the provider says it timed out: the stream total, else the read timeout */
    private Duration timeout() {
        return settings().streamTimeouts().total().orElseGet(() -> settings().transport()
                instanceof HelidonHttpTransport helidon ? helidon.readTimeout() : Duration.ZERO);
    }

    private String redact(String text) {
        return apiKey.redactFrom(text);
    }

    /** Reads the SSE chunks of one stream. */
    private final class EventSource implements ChunkSource {
        private final GuardedStream stream;
        private final Optional<String> requestId;
        private final ProviderException.Details details;
        private final GeminiStreamDecoder decoder = new GeminiStreamDecoder(
                GeminiResponseMapper.stripModelsPrefix(name()));
        private final Deque<ChatChunk> pending = new ArrayDeque<>();
        private final ServiceTier tier;
        private boolean ended;
        /** The latest usageMetadata, on the served tier; read by {@link #usageSoFar()} from any thread. */
        private volatile Usage reported;

        EventSource(GuardedStream stream, Optional<String> requestId, ServiceTier tier) {
            this.stream = stream;
            this.requestId = requestId;
            this.tier = tier;
            this.details = details(requestId);
        }

        @Override
        public Optional<ChatChunk> next() {
            while (pending.isEmpty()) {
                if (ended) {
                    return Optional.empty();
                }
                Optional<SseEvent> event;
                try {
                    event = stream.nextEvent();
                } catch (IOException e) {
                    throw transportFailure(e);
                }
                if (event.isEmpty()) {
                    ended = true;
                    if (!decoder.complete()) {
                        throw new ProviderException.ConnectionFailed(details,
                                "stream ended before a candidate carried a finishReason", null);
                    }
                    if (decoder.blockReason().isPresent()) {
                        throw new ProviderException.ContentFiltered(details,
                                "prompt blocked: " + decoder.blockReason().get());
                    }
                    return Optional.of(decoder.finalChunk(tier));
                }
                JsonNode data;
                try {
                    data = json.readTree(event.get().data());
                } catch (JsonProcessingException e) {
                    throw new ProviderException.MalformedResponse(details, "a stream chunk is not JSON", e);
                }
                if (data.has("error")) {
                    JsonNode error = data.path("error");
                    String message = GeminiErrorMapper.shorten(redact(error.path("message").asText("error in stream")));
                    throw errorMapper.fromError(details, error, InBandErrors.streamEvent(message, stream.status()),
                            Optional.empty(), timeout());
                }
                try {
                    pending.addAll(decoder.decode(data));
                } catch (IllegalArgumentException e) {
                    throw new ProviderException.MalformedResponse(details, e.getMessage(), e);
                }
                reported = decoder.usage().map(u -> u.withServiceTier(tier)).orElse(null);
                if (decoder.blockReason().isPresent()) {
                    throw new ProviderException.ContentFiltered(details,
                            "prompt blocked: " + decoder.blockReason().get());
                }
                if (decoder.toolCallFailure().isPresent()) {
                    throw new ProviderException.MalformedResponse(details, decoder.toolCallFailure().get(), null);
                }
            }
            ChatChunk chunk = pending.removeFirst();
            if (chunk.carriesOutput()) {
                stream.markFirstToken(); // not a chunk of usage metadata only
            }
            return Optional.of(chunk);
        }

        @Override
        public Optional<Usage> usageSoFar() {
            return Optional.ofNullable(reported);
        }

        @Override
        public void onKeepAlive(Runnable listener) {
            stream.onKeepAlive(listener);
        }

        @Override
        public Optional<String> providerRequestId() {
            return requestId;
        }

        @Override
        public void close() {
            stream.close();
        }
    }

    /** Builds a {@link GeminiChatModel}. Not thread-safe. */
    public static final class Builder {
        private final AdapterSettings.Builder settings;
        private final GeminiKeys keys = new GeminiKeys();

        private Builder(AdapterSettings.Builder settings) {
            this.settings = settings;
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

        /**
         * Sets the name errors call this adapter by, such as a gateway's configured model name. Default: the model.
         *
         * @param value the name
         * @return this builder
         * @throws IllegalArgumentException if it is blank
         */
        public Builder label(String value) {
            settings.label(value);
            return this;
        }

        /**
         * Sets the base URL. Default {@link #DEFAULT_BASE_URL}.
         *
         * @param value an absolute http(s) URL; {@code /v1beta/models/…} is appended
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http(s) URL
         */
        public Builder baseUrl(URI value) {
            keys.baseUrl(value);
            return this;
        }

        /**
         * Sets the base URL, as {@link #baseUrl(URI)}.
         *
         * @param value an absolute http(s) URL, such as {@code http://localhost:8080}
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http(s) URL (naming it)
         */
        public Builder baseUrl(String value) {
            keys.baseUrl(BaseUrls.parse(value));
            return this;
        }

        /**
         * Sets the API key. Default: {@code GOOGLE_API_KEY}, else {@code GEMINI_API_KEY}, from the environment.
         *
         * @param value the key
         * @return this builder
         * @throws IllegalArgumentException if it is blank
         */
        public Builder apiKey(String value) {
            keys.apiKey(ApiKey.of(value));
            return this;
        }

        /**
         * Sets the API key. Default: {@code GOOGLE_API_KEY}, else {@code GEMINI_API_KEY}, from the environment.
         *
         * @param value the key
         * @return this builder
         */
        public Builder apiKey(ApiKey value) {
            keys.apiKey(value);
            return this;
        }

        /**
         * Sets the environment the key is read from when {@link #apiKey} is not called. Default
         * {@link System#getenv()}.
         *
         * @param value variable name to value
         * @return this builder
         */
        public Builder environment(Map<String, String> value) {
            keys.environment(value);
            return this;
        }

        /**
         * @return the adapter
         * @throws IllegalStateException if no pricer was set, or no key was given and neither environment variable
         *     is set, or the pricer cannot price the model (unknown or unpriced, and unpriced models not allowed)
         */
        public GeminiChatModel build() {
            AdapterSettings built = settings.build();
            return new GeminiChatModel(built, keys.baseUrl(), keys.requireKey(built.model()));
        }
    }
}
