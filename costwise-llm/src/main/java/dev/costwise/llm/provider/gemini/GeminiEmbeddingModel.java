package dev.costwise.llm.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.embedding.Embedding;
import dev.costwise.llm.embedding.EmbeddingModel;
import dev.costwise.llm.embedding.EmbeddingRequest;
import dev.costwise.llm.embedding.EmbeddingResponse;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.AdapterSettings;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.BaseUrls;
import dev.costwise.llm.provider.http.DeadlineBoundExchange;
import dev.costwise.llm.provider.http.HttpCall;
import dev.costwise.llm.provider.http.HttpResult;
import dev.costwise.llm.provider.http.HttpTransport;
import dev.costwise.llm.provider.http.RateLimitHeaderParser;
import dev.costwise.llm.provider.http.ResponseTooLargeException;
import dev.costwise.llm.provider.http.TransportTimeoutException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Embeddings from the Gemini API (https://ai.google.dev/api/embeddings): one text through
 * {@code models/{model}:embedContent}, several through {@code models/{model}:batchEmbedContents} in batches of at most
 * 100, vectors returned in input order.
 *
 * <pre>{@code
 * EmbeddingModel embed = GeminiEmbeddingModel.builder("gemini-embedding-001").pricer(pricer)
 *     .taskType("RETRIEVAL_DOCUMENT").build();   // key from GOOGLE_API_KEY or GEMINI_API_KEY
 * }</pre>
 *
 * <p>Gemini reports no token counts for embeddings, so usage is counted with the settings' {@link TokenEstimator} and
 * marked estimated; the cost is that usage priced by the pricer. Each exchange is bounded by the time left before the
 * context's deadline, when it has one. Each call records a {@link CostRecord} in the context: {@code SUCCESS}, or
 * {@code FAILED}. A failed call costs what Google billed: nothing, unless it failed after some of its batches were
 * answered, whose texts it then costs and its failure carries as {@link ProviderException#billedUsage()}. Errors map
 * as for chat ({@link GeminiErrorMapper}). The key travels
 * only in the {@code x-goog-api-key} header and never appears in messages or {@link #toString()}. Immutable and
 * thread-safe.
 */
public final class GeminiEmbeddingModel implements EmbeddingModel {

    private final ObjectMapper json = new ObjectMapper();
    private final GeminiEmbeddingCodec codec = new GeminiEmbeddingCodec(json);
    private final GeminiErrorMapper errorMapper = new GeminiErrorMapper(json);
    private final AdapterSettings settings;
    private final String model;
    private final URI singleUri;
    private final URI batchUri;
    private final ApiKey apiKey;
    private final Optional<String> taskType;

    private GeminiEmbeddingModel(AdapterSettings settings, URI baseUrl, ApiKey apiKey, Optional<String> taskType) {
        this.settings = settings;
        this.model = GeminiResponseMapper.stripModelsPrefix(settings.model());
        this.singleUri = GeminiKeys.resolve(baseUrl, "v1beta/models/" + model + ":embedContent");
        this.batchUri = GeminiKeys.resolve(baseUrl, "v1beta/models/" + model + ":batchEmbedContents");
        this.apiKey = apiKey;
        this.taskType = taskType;
    }

    /**
     * Starts building an embedding model.
     *
     * @param model the model as Gemini names it, such as {@code gemini-embedding-001}
     * @return a builder
     */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    @Override
    public String name() {
        return settings.model();
    }

    @Override
    public String provider() {
        return settings.provider();
    }

    @Override
    public EmbeddingResponse execute(EmbeddingRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        long start = context.ticker().read();
        List<Embedding> vectors = new ArrayList<>(request.inputs().size());
        try {
            List<String> inputs = request.inputs();
            OptionalInt dims = request.dimensions().map(OptionalInt::of).orElse(OptionalInt.empty());
            if (inputs.size() == 1) {
                JsonNode body = call(singleUri, codec.single(model, inputs.getFirst(), taskType, dims), context);
                vectors.add(new Embedding(0, read(() -> codec.readSingle(body))));
            } else {
                for (int from = 0; from < inputs.size(); from += GeminiEmbeddingCodec.MAX_BATCH) {
                    List<String> batch = inputs.subList(from, Math.min(inputs.size(),
                            from + GeminiEmbeddingCodec.MAX_BATCH));
                    JsonNode body = call(batchUri, codec.batch(model, batch, taskType, dims), context);
                    List<float[]> read = read(() -> codec.readBatch(body, batch.size()));
                    for (float[] v : read) {
                        vectors.add(new Embedding(vectors.size(), v));
                    }
                }
            }
        } catch (ProviderException e) {
            // the batches answered before this failure were billed: a request of 150 texts that fails on its second
            // batch has paid for the first 100
            if (vectors.isEmpty()) {
                record(context, request, Usage.ZERO, new Pricer.Priced(Money.ZERO, PriceStatus.PRICED),
                        Outcome.FAILED, Optional.of(e.kind()), elapsed(context, start));
                throw e;
            }
            Usage billed = estimatedUsage(request.inputs().subList(0, vectors.size()));
            record(context, request, billed, settings.pricer().price(name(), billed), Outcome.FAILED,
                    Optional.of(e.kind()), elapsed(context, start));
            throw e.billedUsage().isPresent() ? e : e.withBilledUsage(Optional.of(billed));
        }
        Usage usage = estimatedUsage(request.inputs());
        Pricer.Priced priced = settings.pricer().price(name(), usage);
        Duration latency = elapsed(context, start);
        record(context, request, usage, priced, Outcome.SUCCESS, Optional.empty(), latency);
        return new EmbeddingResponse(name(), provider(), vectors, usage, priced.cost(), priced.status(), latency);
    }

    /** Gemini reports no token counts for embeddings: the texts' tokens as the settings' estimator counts them. */
    private Usage estimatedUsage(List<String> texts) {
        long tokens = texts.stream().mapToLong(t -> settings.tokenEstimator().countText(name(), t)).sum();
        return new Usage(tokens, 0, 0, 0, 0, true);
    }

    /** One exchange, within the time left before the context's deadline when it has one. */
    private JsonNode call(URI uri, ObjectNode body, WorkflowContext context) {
        HttpResult result;
        HttpCall http = HttpCall.postJson(uri, Map.of("x-goog-api-key", apiKey.reveal()),
                body.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Optional<Duration> remaining = context.remaining();
            result = remaining.isPresent() ? DeadlineBoundExchange.send(settings.transport(), http, remaining.get())
                    : DeadlineBoundExchange.send(settings.transport(), http);
        } catch (TransportTimeoutException e) {
            throw new ProviderException.ProviderTimeout(details(), e.phase().label(), e.timeout());
        } catch (ResponseTooLargeException e) {
            // the same batch gets the same answer: split, not retried
            throw new ProviderException.AnswerTooLarge(details(), e.getMessage() + "; split the batch", e);
        } catch (IOException e) {
            if (e instanceof InterruptedIOException) {
                Thread.currentThread().interrupt();
            }
            throw new ProviderException.ConnectionFailed(details(), e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + apiKey.redactFrom(e.getMessage())), e);
        }
        ProviderException.Details details = new ProviderException.Details(provider(), settings.displayName(),
                OptionalInt.of(result.status()), result.headers().first("x-request-id"));
        if (!result.isSuccess()) {
            throw errorMapper.fromResponse(details, apiKey.redactFrom(result.bodyText()),
                    RateLimitHeaderParser.retryAfter(result.headers(), settings.clock().instant()), Duration.ZERO);
        }
        try {
            return json.readTree(result.body());
        } catch (IOException e) {
            throw new ProviderException.MalformedResponse(details, "unreadable JSON: " + e.getMessage(), e);
        }
    }

    private <T> T read(java.util.function.Supplier<T> reader) {
        try {
            return reader.get();
        } catch (IllegalArgumentException e) {
            throw new ProviderException.MalformedResponse(details(), e.getMessage(), e);
        }
    }

    private ProviderException.Details details() {
        return ProviderException.Details.of(provider(), settings.displayName());
    }

    private void record(WorkflowContext context, EmbeddingRequest request, Usage usage, Pricer.Priced priced,
            Outcome outcome, Optional<String> errorKind, Duration latency) {
        int attempt = context.attributeValues("record", CostRecord.class).size() + 1;
        CostRecord record = new CostRecord(context.correlationId(), attempt, context.clock().instant(),
                request.model(), name(), provider(), usage, priced.cost(), priced.cost(), priced.status(), outcome,
                errorKind, Optional.empty(), latency, context.tags());
        context.record(name(), "cost", Map.of("record", record));
    }

    private static Duration elapsed(WorkflowContext context, long start) {
        return Duration.ofNanos(Math.max(0, context.ticker().read() - start));
    }

    @Override
    public String toString() {
        return "GeminiEmbeddingModel[" + provider() + " " + name() + "]";
    }

    /** Builds a {@link GeminiEmbeddingModel}. Not thread-safe. */
    public static final class Builder {
        private final AdapterSettings.Builder settings;
        private final GeminiKeys keys = new GeminiKeys();
        private Optional<String> taskType = Optional.empty();

        private Builder(String model) {
            this.settings = AdapterSettings.builder(GeminiChatModel.PROVIDER, model);
        }

        /**
         * Sets the base URL. Default {@link GeminiChatModel#DEFAULT_BASE_URL}.
         *
         * @param value an absolute http(s) URL
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http(s) URL (naming it)
         */
        public Builder baseUrl(URI value) {
            keys.baseUrl(value);
            return this;
        }

        /**
         * Sets the base URL, as {@link #baseUrl(URI)}.
         *
         * @param value an absolute http(s) URL
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http(s) URL (naming it)
         */
        public Builder baseUrl(String value) {
            keys.baseUrl(BaseUrls.parse(value));
            return this;
        }

        /** @param value the key; default {@code GOOGLE_API_KEY}, else {@code GEMINI_API_KEY}; @return this builder */
        public Builder apiKey(ApiKey value) {
            keys.apiKey(value);
            return this;
        }

        /** @param value the key as text; @return this builder */
        public Builder apiKey(String value) {
            keys.apiKey(ApiKey.of(value));
            return this;
        }

        /** @param value where the key is read from; default {@link System#getenv()}; @return this builder */
        public Builder environment(Map<String, String> value) {
            keys.environment(value);
            return this;
        }

        /**
         * Sets Gemini's {@code taskType}, which tunes the vectors for their use. Default: none (Gemini's default).
         *
         * @param value such as {@code RETRIEVAL_DOCUMENT}, {@code RETRIEVAL_QUERY}, {@code SEMANTIC_SIMILARITY},
         *     {@code CLASSIFICATION}, {@code CLUSTERING}
         * @return this builder
         * @throws IllegalArgumentException if blank
         */
        public Builder taskType(String value) {
            Objects.requireNonNull(value, "taskType");
            if (value.isBlank()) {
                throw new IllegalArgumentException("taskType cannot be blank");
            }
            this.taskType = Optional.of(value);
            return this;
        }

        /**
         * Sets the name errors call this model by, such as a gateway's configured model name. Default: the model.
         *
         * @param value the name
         * @return this builder
         * @throws IllegalArgumentException if it is blank
         */
        public Builder label(String value) {
            settings.label(value);
            return this;
        }

        /** @param transport the shared HTTP transport; @return this builder */
        public Builder transport(HttpTransport transport) {
            settings.transport(transport);
            return this;
        }

        /** @param pricer prices each call (required); @return this builder */
        public Builder pricer(Pricer pricer) {
            settings.pricer(pricer);
            return this;
        }

        /** @param estimator counts the input tokens Gemini does not report; @return this builder */
        public Builder tokenEstimator(TokenEstimator estimator) {
            settings.tokenEstimator(estimator);
            return this;
        }

        /** @param clock the wall clock; @return this builder */
        public Builder clock(Clock clock) {
            settings.clock(clock);
            return this;
        }

        /**
         * @return the embedding model
         * @throws IllegalStateException if no pricer was set, or no key was given or found
         */
        public GeminiEmbeddingModel build() {
            AdapterSettings built = settings.build();
            return new GeminiEmbeddingModel(built, keys.baseUrl(), keys.requireKey(built.model()), taskType);
        }
    }
}
