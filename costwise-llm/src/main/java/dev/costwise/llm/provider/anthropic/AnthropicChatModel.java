package dev.costwise.llm.provider.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatRequest;
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
import dev.costwise.llm.provider.http.RateLimitSnapshot;
import dev.costwise.llm.provider.http.SseEvent;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.provider.http.HttpTransport;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link dev.costwise.llm.chat.ChatModel} for Anthropic's Messages API ({@code POST {base}/v1/messages}).
 *
 * <pre>{@code
 * ChatModel claude = AnthropicChatModel.builder("claude-sonnet-4-5")
 *     .pricer(pricer)
 *     .build();                                   // key from ANTHROPIC_API_KEY
 * ChatResponse r = claude.execute(ChatRequest.of("claude-sonnet-4-5", "Hello"), WorkflowContext.of("demo"));
 * }</pre>
 *
 * <p>Requests are translated from the canonical OpenAI shape as {@link AnthropicRequestMapper} describes (system
 * prompt on top, alternating roles, {@code tool_use}/{@code tool_result} blocks, images, a strict JSON schema as
 * native structured outputs on Claude 4.5 and later, other JSON modes by instruction).
 * {@code max_tokens}, which Anthropic requires, defaults to the model's maximum output from the catalog when one is
 * given, else {@value #DEFAULT_MAX_TOKENS}. Anthropic caches prompts only at explicit breakpoints:
 * {@link Builder#promptCaching} places them after the tools and the system prompt. A request's
 * {@linkplain ChatRequest#contextManagement() context editing} (clearing old tool results) is sent with its beta
 * header, and the request's own {@linkplain ChatRequest#anthropicBetas() betas} in the same {@code anthropic-beta}
 * header, each once (on token counts too). Usage is normalised so that input tokens include cache reads and cache
 * writes. Errors are mapped as {@link AnthropicErrorMapper} lists; the request id comes from the
 * {@code request-id} header; the {@code anthropic-ratelimit-*} headers of every response go to the settings'
 * rate-limit listener.
 *
 * <p>The API key is sent only in the {@code x-api-key} header; it is never logged, and never appears in an exception
 * message or in {@link #toString()}. Instances are immutable and thread-safe.
 */
public final class AnthropicChatModel extends AbstractProviderChatModel {

    /** The provider id. */
    public static final String PROVIDER = "anthropic";
    /** The public API's base URL. */
    public static final URI DEFAULT_BASE_URL = URI.create("https://api.anthropic.com");
    /** The {@code anthropic-beta} value under which Anthropic reads {@code context_management}. */
    static final String CONTEXT_MANAGEMENT_BETA = "context-management-2025-06-27";
    /** The {@code anthropic-version} header sent with every request. */
    public static final String API_VERSION = "2023-06-01";
    /** The {@code max_tokens} sent when the request has none and no catalog knows the model's maximum output. */
    public static final int DEFAULT_MAX_TOKENS = 4096;
    /** The environment variable the key is read from by default. */
    public static final String API_KEY_ENV = "ANTHROPIC_API_KEY";

    private final ObjectMapper json = new ObjectMapper();
    private final AnthropicRequestMapper requestMapper = new AnthropicRequestMapper(json);
    private final AnthropicErrorMapper errorMapper;
    private final URI baseUrl;
    /** The fields of a call that the token-counting endpoint takes (it refuses the others). */
    /** The fields the counting endpoint takes; {@code thinking} changes how earlier thinking blocks count. */
    private static final List<String> COUNTED_FIELDS = List.of("model", "system", "messages", "tools",
            "tool_choice", "thinking");

    private final URI messagesUri;
    private final URI countTokensUri;
    private final ApiKey apiKey;
    private final int defaultMaxTokens;
    private final AnthropicPromptCaching caching;

    private AnthropicChatModel(AdapterSettings settings, URI baseUrl, ApiKey apiKey, int defaultMaxTokens,
            AnthropicPromptCaching caching) {
        super(settings);
        this.caching = caching;
        this.baseUrl = baseUrl;
        this.messagesUri = resolve(baseUrl, "v1/messages");
        this.countTokensUri = resolve(baseUrl, "v1/messages/count_tokens");
        this.apiKey = apiKey;
        this.errorMapper = new AnthropicErrorMapper(json, apiKey);
        this.defaultMaxTokens = defaultMaxTokens;
    }

    /**
     * Starts building an adapter for {@code model}.
     *
     * @param model the model as Anthropic or the pricer's catalog names it, such as {@code claude-sonnet-4-5} (the
     *     catalog's upstream id, such as {@code claude-sonnet-4-5-20250929}, is sent)
     * @return a builder
     */
    public static Builder builder(String model) {
        return new Builder(AdapterSettings.builder(PROVIDER, model));
    }

    /**
     * Starts building an adapter from prepared settings.
     *
     * @param settings the model (as Anthropic names it), pricer, transport and listeners
     * @return a builder
     */
    public static Builder builder(AdapterSettings settings) {
        return new Builder(settings.toBuilder());
    }

    /**
     * The same key, URL and settings for another Anthropic model.
     *
     * @param model the model name
     * @return the sibling adapter (its default {@code max_tokens} is this one's)
     */
    public AnthropicChatModel withModel(String model) {
        return new AnthropicChatModel(settings().withModel(model), baseUrl, apiKey, defaultMaxTokens, caching);
    }

    /** @return the {@code max_tokens} sent when a request sets none */
    public int defaultMaxTokens() {
        return defaultMaxTokens;
    }

    /**
     * Counts a request's input tokens exactly, with Anthropic's token-counting endpoint
     * (https://docs.claude.com/en/api/messages-count-tokens), which is free and calls no model: the prompt as
     * {@link #execute} would send it (system, messages, tools, tool choice, thinking).
     *
     * @param request the request
     * @return its input tokens
     * @throws ProviderException as a call would (invalid request, authentication, rate limit...)
     */
    public long countTokens(ChatRequest request) {
        ObjectNode full = bodyNode(request, false);
        ObjectNode body = json.createObjectNode();
        for (String field : COUNTED_FIELDS) {
            if (full.has(field)) {
                body.set(field, full.get(field));
            }
        }
        // the request's betas count too: one may let a longer prompt be counted
        HttpResult result = send(HttpCall.postJson(countTokensUri, headers(request.anthropicBetas(), List.of()),
                body.toString().getBytes(StandardCharsets.UTF_8)));
        if (!result.isSuccess()) {
            throw errorFrom(result.status(), result.headers(), result.bodyText());
        }
        try {
            JsonNode answer = json.readTree(result.body());
            if (!answer.path("input_tokens").canConvertToLong()) {
                throw new IllegalArgumentException("no input_tokens in "
                        + AnthropicRequestMapper.abbreviate(result.bodyText()));
            }
            return answer.get("input_tokens").asLong();
        } catch (IOException | IllegalArgumentException e) {
            throw unreadableAnswer(result, e);
        }
    }

    @Override
    protected ProviderReply doChat(ChatRequest request, WorkflowContext context) {
        HttpResult result = send(HttpCall.postJson(messagesUri, headers(request), body(request, false)), context);
        if (!result.isSuccess()) {
            throw errorFrom(result.status(), result.headers(), result.bodyText());
        }
        Optional<String> requestId = requestId(result.headers());
        AnthropicResponseMapper.Reply reply;
        try {
            reply = AnthropicResponseMapper.read(json.readTree(result.body()));
        } catch (IOException | IllegalArgumentException e) {
            throw unreadableAnswer(result, e);
        }
        return new ProviderReply(reply.id(), Optional.of(reply.model()), reply.message(), reply.finishReason(),
                reply.usage(), requestId, reply.stopSequence());
    }

    @Override
    protected ChunkSource doStream(ChatRequest request, WorkflowContext context) {
        GuardedStream stream = openStream(HttpCall.postJsonForStream(messagesUri, headers(request),
                body(request, true)), context);
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
        return new EventSource(stream, requestId(stream.headers()));
    }

    @Override
    protected Optional<RateLimitSnapshot> rateLimits(int status, HttpHeaders headers) {
        return AnthropicRateLimits.read(provider(), name(), status, headers, settings().clock().instant());
    }

    private byte[] body(ChatRequest request, boolean stream) {
        return bodyNode(request, stream).toString().getBytes(StandardCharsets.UTF_8);
    }

    private ObjectNode bodyNode(ChatRequest request, boolean stream) {
        try {
            return requestMapper.toBody(request, upstreamModel(), defaultMaxTokens, stream, caching);
        } catch (IllegalArgumentException e) {
            throw UnsupportedRequestException.of(e); // nothing was sent: not a failed call
        }
    }

    /**
     * The headers of a Messages call: the betas the request turns on ({@link ChatRequest#anthropicBetas()}) and the
     * one the adapter needs for context editing, which Anthropic takes only with its beta.
     */
    private Map<String, String> headers(ChatRequest request) {
        return headers(request.anthropicBetas(), request.contextManagement().isPresent()
                ? List.of(CONTEXT_MANAGEMENT_BETA) : List.of());
    }

    /** The key and version headers, with the betas asked for and the adapter's own once each in one header. */
    private Map<String, String> headers(List<String> requested, List<String> own) {
        Set<String> betas = new LinkedHashSet<>(requested);
        betas.addAll(own);
        return betas.isEmpty() ? Map.of("x-api-key", apiKey.reveal(), "anthropic-version", API_VERSION)
                : Map.of("x-api-key", apiKey.reveal(), "anthropic-version", API_VERSION,
                        "anthropic-beta", String.join(",", betas));
    }

    private ProviderException errorFrom(int status, HttpHeaders headers, String body) {
        return errorMapper.fromResponse(details(status, headers), body,
                RateLimitHeaderParser.retryAfter(headers, settings().clock().instant()), timeout());
    }

    /** @return the limit to report when the provider says it timed out: the stream total, else the read timeout */
    private Duration timeout() {
        return settings().streamTimeouts().total().orElseGet(() -> settings().transport()
                instanceof HelidonHttpTransport helidon ? helidon.readTimeout() : Duration.ZERO);
    }

    static URI resolve(URI base, String path) {
        return BaseUrls.resolve(base, path);
    }

    /** Reads server-sent events and decodes them; one per stream. */
    private final class EventSource implements ChunkSource {
        private static final int DRAIN_LIMIT = 4096;

        private final GuardedStream stream;
        private final Optional<String> requestId;
        private final AnthropicStreamDecoder decoder;
        private final ProviderException.Details details;
        private final Deque<ChatChunk> pending = new ArrayDeque<>();
        /** The decoder's usage once message_start came; read by {@link #usageSoFar()} from any thread. */
        private volatile Usage reported;
        private Runnable keepAlive = () -> { };

        EventSource(GuardedStream stream, Optional<String> requestId) {
            this.stream = stream;
            this.requestId = requestId;
            this.details = details(requestId);
            this.decoder = new AnthropicStreamDecoder(name(),
                    data -> errorMapper.fromStreamEvent(details, stream.status(), data, timeout()));
        }

        @Override
        public Optional<ChatChunk> next() {
            while (pending.isEmpty()) {
                if (decoder.complete()) {
                    stream.drainAndClose(DRAIN_LIMIT); // the chunked end, so the connection can be reused
                    return Optional.empty();
                }
                Optional<SseEvent> event;
                try {
                    event = stream.nextEvent();
                } catch (IOException e) {
                    throw transportFailure(e);
                }
                if (event.isEmpty()) {
                    throw new ProviderException.ConnectionFailed(details, "stream ended before message_stop"
                            + (decoder.started() ? "" : " (no message_start either)"), null);
                }
                if (event.get().event().filter("ping"::equals).isPresent()) {
                    keepAlive.run(); // Anthropic's keep-alive, sent while the model thinks
                }
                JsonNode data;
                try {
                    data = json.readTree(event.get().data());
                } catch (JsonProcessingException e) {
                    throw new ProviderException.MalformedResponse(details, "stream event "
                            + event.get().event().orElse("(unnamed)") + " is not JSON", e);
                }
                try {
                    pending.addAll(decoder.decode(event.get().event().orElse(""), data));
                } catch (IllegalArgumentException e) {
                    throw new ProviderException.MalformedResponse(details, e.getMessage(), e);
                } finally {
                    if (decoder.started()) {
                        // before an error event is thrown, so the failure bills it
                        reported = decoder.usage().orElse(null);
                    }
                }
            }
            ChatChunk chunk = pending.removeFirst();
            if (chunk.carriesOutput()) {
                stream.markFirstToken(); // not message_start, ping or other metadata
            }
            return Optional.of(chunk);
        }

        @Override
        public Optional<Usage> usageSoFar() {
            return Optional.ofNullable(reported);
        }

        @Override
        public void onKeepAlive(Runnable listener) {
            keepAlive = listener;
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

    /** Builds an {@link AnthropicChatModel}. Not thread-safe. */
    public static final class Builder {
        private final AdapterSettings.Builder settings;
        private URI baseUrl = DEFAULT_BASE_URL;
        private ApiKey apiKey;
        private Map<String, String> environment = System.getenv();
        private Integer defaultMaxTokens;
        private ModelCatalog catalog;
        private AnthropicPromptCaching caching = AnthropicPromptCaching.NONE;

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
         * @param value an absolute http(s) URL; {@code /v1/messages} is appended
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http(s) URL
         */
        public Builder baseUrl(URI value) {
            this.baseUrl = BaseUrls.require(value);
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
            this.baseUrl = BaseUrls.parse(value);
            return this;
        }

        /**
         * Sets the API key. Default: the {@value #API_KEY_ENV} environment variable.
         *
         * @param value the key
         * @return this builder
         * @throws IllegalArgumentException if it is blank
         */
        public Builder apiKey(String value) {
            return apiKey(ApiKey.of(value));
        }

        /**
         * Sets the API key. Default: the {@value #API_KEY_ENV} environment variable.
         *
         * @param value the key
         * @return this builder
         */
        public Builder apiKey(ApiKey value) {
            this.apiKey = Objects.requireNonNull(value, "apiKey");
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
            this.environment = Map.copyOf(value);
            return this;
        }

        /**
         * Sets the {@code max_tokens} sent when a request sets none. Default: the model's {@code maxOutputTokens}
         * from the {@link #catalog} if given and known, else {@value #DEFAULT_MAX_TOKENS}.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder defaultMaxTokens(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("defaultMaxTokens must be >= 1, was " + value);
            }
            this.defaultMaxTokens = value;
            return this;
        }

        /**
         * Sets where prompt-cache breakpoints go. Default {@link AnthropicPromptCaching#NONE}.
         *
         * @param value the caching mode
         * @return this builder
         */
        public Builder promptCaching(AnthropicPromptCaching value) {
            this.caching = Objects.requireNonNull(value, "promptCaching");
            return this;
        }

        /**
         * Sets a catalog to read the model's maximum output from (see {@link #defaultMaxTokens}). Default none.
         *
         * @param value the catalog
         * @return this builder
         */
        public Builder catalog(ModelCatalog value) {
            this.catalog = Objects.requireNonNull(value, "catalog");
            return this;
        }

        /**
         * @return the adapter
         * @throws IllegalStateException if no pricer was set, or no key was given and {@value #API_KEY_ENV} is not
         *     set, or the pricer cannot price the model (unknown or unpriced, and unpriced models not allowed)
         */
        public AnthropicChatModel build() {
            AdapterSettings settings = this.settings.build();
            ApiKey key = apiKey != null ? apiKey : ApiKey.fromEnvironment(environment, API_KEY_ENV)
                    .orElseThrow(() -> new IllegalStateException("no Anthropic API key: set " + API_KEY_ENV
                            + " or call apiKey(...) for model " + settings.model()));
            int maxTokens = defaultMaxTokens != null ? defaultMaxTokens
                    : Optional.ofNullable(catalog).flatMap(c -> c.find(settings.model()))
                            .map(ModelInfo::maxOutputTokens).filter(m -> m > 0).orElse(DEFAULT_MAX_TOKENS);
            return new AnthropicChatModel(settings, baseUrl, key, maxTokens, caching);
        }
    }
}
