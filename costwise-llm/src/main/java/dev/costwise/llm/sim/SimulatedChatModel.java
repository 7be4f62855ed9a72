package dev.costwise.llm.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.core.Sleeper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.SavingsCalculator;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.provider.ProviderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The {@code sim} provider: a seeded stand-in for any catalog chat model, used by the cost planner, the offline default
 * and tests.
 *
 * <p>Each call:
 * <ol>
 *   <li>counts the prompt with the {@link TokenEstimator} and fails with
 *       {@link ProviderException.ContextLengthExceeded} if prompt plus {@code max_tokens} exceed the model's window,
 *       as the real model would;</li>
 *   <li>draws one injected failure (if any are configured) from the seeded generator and throws it as the same typed
 *       {@link ProviderException} a real adapter throws ({@link SimulatedFailure#TIMEOUT} first waits the configured
 *       timeout on the {@link Sleeper});</li>
 *   <li>draws the output length from a generator seeded by the seed and the request, so the <em>same request always
 *       gets the same answer</em> (text, length, usage, cost), capped by {@code max_tokens} (finish reason
 *       {@code LENGTH});</li>
 *   <li>waits the simulated latency on the {@link Sleeper}, or fails with {@link ProviderException.ProviderTimeout}
 *       when the context's deadline comes first;</li>
 *   <li>answers with a tool call (finish reason {@code TOOL_CALLS}) when {@code tool_choice} forces one
 *       ({@code "required"} or a named function), else with text;</li>
 *   <li>prices the usage with the {@link Pricer} <em>as the real model would be priced</em> (the planner needs real
 *       costs), the prompt tokens its {@link PromptCacheReads} says were cached at the cached-input price, and
 *       answers with provider {@value #PROVIDER} and a text such as {@code "[simulated gpt-4o] …"};</li>
 *   <li>records a {@link CostRecord} in the context through {@link CostRecords}: {@code SUCCESS}, {@code FAILED}
 *       (zero tokens, with the error kind) or, for a stream closed early, {@code ABORTED} with the output generated so
 *       far.</li>
 * </ol>
 *
 * <p>Streams sleep the whole latency before the first chunk, then emit the answer in chunks of a few words and a final
 * chunk with the finish reason and usage; with a {@linkplain Builder#midStreamFailureRate mid-stream failure rate} a
 * stream may break halfway with {@link ProviderException.ConnectionFailed}, its partial output recorded as
 * {@code FAILED} spend. Thread-safe: draws from the shared generator are serialised.
 */
public final class SimulatedChatModel implements ChatModel {

    /** The provider id of simulated responses and records. */
    public static final String PROVIDER = "sim";

    private static final int TOOL_CALL_OVERHEAD_TOKENS = 5;

    private final ModelInfo model;
    private final Pricer pricer;
    private final TokenEstimator estimator;
    private final PromptCacheReads cacheReads;
    private final RandomGenerator random;
    private final long seed;
    private final LatencyModel latency;
    private final Sleeper sleeper;
    private final OutputLength outputLength;
    private final double reasoningShare;
    private final List<FailureRate> failures;
    private final Duration retryAfter;
    private final Duration timeout;
    private final int chunkWords;
    private final double midStreamFailureRate;
    private final Optional<SavingsCalculator> baseline;
    private final PriceStatus statusOfZero;

    private SimulatedChatModel(Builder b, PriceStatus statusOfZero) {
        this.model = b.model;
        this.pricer = b.pricer;
        this.estimator = b.estimator;
        this.cacheReads = b.cacheReads;
        this.seed = b.seed;
        this.random = b.random.orElseGet(() -> RandomGeneratorFactory.of("L64X128MixRandom").create(b.seed));
        this.latency = b.latency;
        this.sleeper = b.sleeper;
        this.outputLength = b.outputLength;
        this.reasoningShare = b.reasoningShare;
        this.failures = List.copyOf(b.failures);
        this.retryAfter = b.retryAfter;
        this.timeout = b.timeout;
        this.chunkWords = b.chunkWords;
        this.midStreamFailureRate = b.midStreamFailureRate;
        this.baseline = b.baseline;
        this.statusOfZero = statusOfZero;
    }

    /**
     * Starts a simulator of {@code modelName}, priced and counted from {@code catalog} by default.
     *
     * @param catalog the catalog holding the model
     * @param modelName a catalog name or alias
     * @return a builder
     * @throws dev.costwise.llm.catalog.UnknownModelException if the catalog has no such model
     */
    public static Builder builder(ModelCatalog catalog, String modelName) {
        return new Builder(catalog, modelName);
    }

    /**
     * A simulator with the defaults: seed 0, no latency, no failures, 100 to 400 output tokens.
     *
     * @param catalog the catalog holding the model
     * @param modelName a catalog name or alias
     * @return the simulator
     */
    public static SimulatedChatModel of(ModelCatalog catalog, String modelName) {
        return builder(catalog, modelName).build();
    }

    @Override
    public String name() {
        return model.name();
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    /** @return the catalog entry this simulator stands in for */
    public ModelInfo model() {
        return model;
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        Planned planned = plan(request, context);
        waitFor(planned.latency(), request, context);
        ChatResponse response = planned.response();
        record(context, request, response.usage(), response.latency(), Outcome.SUCCESS, Optional.empty());
        return response;
    }

    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        Planned planned = plan(request, context);
        boolean drop;
        synchronized (random) {
            drop = midStreamFailureRate > 0 && random.nextDouble() < midStreamFailureRate;
        }
        waitFor(planned.latency(), request, context);
        int dropAt = drop ? Math.max(1, planned.pieces().size() / 2) : -1;
        return new SimulatedStream(this, planned, request, context, chunkWords, dropAt);
    }

    /** Everything a successful call will answer, decided before any waiting. */
    record Planned(ChatResponse response, List<String> pieces, Duration latency) {}

    private Planned plan(ChatRequest request, WorkflowContext context) {
        long prompt = estimator.estimateInput(model.name(), request).tokens();
        long needed = prompt + request.maxTokens().orElse(0);
        if (needed > model.contextWindow()) {
            throw fail(context, request, new ProviderException.ContextLengthExceeded(
                    ProviderException.Details.of(PROVIDER, model.name(), 400),
                    "prompt of " + prompt + " tokens plus max_tokens " + request.maxTokens().orElse(0)
                            + " exceeds the " + model.contextWindow() + "-token window"), Duration.ZERO);
        }
        long hash = SimulatedText.requestHash(request);
        SplittableRandom answerRandom = new SplittableRandom(seed ^ hash);
        long total = Math.max(1, outputLength.sample(answerRandom));
        FinishReason finish = FinishReason.STOP;
        if (request.maxTokens().isPresent() && total > request.maxTokens().get()) {
            total = request.maxTokens().get();
            finish = FinishReason.LENGTH;
        }
        long reasoning = (long) Math.floor(total * reasoningShare);
        long visible = Math.max(0, total - reasoning);

        Optional<SimulatedFailure> failure;
        Duration lat;
        synchronized (random) {
            failure = drawFailure(random.nextDouble());
            lat = latency.sample(random, total);
        }
        if (failure.isPresent()) {
            SimulatedFailure kind = failure.get();
            Duration waited = Duration.ZERO;
            if (kind == SimulatedFailure.TIMEOUT) {
                waited = context.remaining().map(r -> r.compareTo(timeout) < 0 ? r : timeout).orElse(timeout);
                sleep(waited, request, context);
            }
            throw fail(context, request, kind.toException(model.name(), retryAfter, timeout), waited);
        }

        Optional<Tool> forced = forcedTool(request, context);
        if (forced.isPresent()) {
            return planToolCall(request, forced.get(), prompt, hash, lat);
        }
        Usage usage = new Usage(prompt, cachedOf(request, prompt), 0, total, reasoning, true)
                .withServiceTier(servedTier(request));
        Pricer.Priced priced = pricer.price(model.name(), usage);
        String prefix = "[simulated " + model.name() + "]";
        List<String> words = SimulatedText.words(seed ^ hash ^ 0x5DEECE66DL, visible);
        String body = String.join(" ", words);
        String text = request.responseFormat().isJson()
                ? "{\"simulated\":true,\"model\":\"" + model.name() + "\",\"answer\":\"" + body + "\"}"
                : prefix + (body.isEmpty() ? "" : " " + body);
        ChatResponse response = new ChatResponse("chatcmpl-sim-" + SimulatedText.hex(hash), request.model(),
                model.name(), PROVIDER, Message.assistant(text), finish, usage, priced.cost(), priced.status(), lat,
                Optional.empty(), false);
        return new Planned(response, List.copyOf(splitText(text)), lat);
    }

    /** @return the prompt tokens read from the prompt cache, as {@link PromptCacheReads} says */
    private long cachedOf(ChatRequest request, long prompt) {
        long cached = cacheReads.cachedTokens(model.name(), request, prompt);
        if (cached < 0 || cached > prompt) {
            throw new IllegalStateException("promptCacheReads of " + model.name() + " must give 0 to the prompt's "
                    + prompt + " tokens, gave " + cached);
        }
        return cached;
    }

    /**
     * The tier the simulator serves a call on: the one asked for when the catalog prices the model on it (as OpenAI
     * serves flex for the models it sells on flex), otherwise the standard one.
     */
    private ServiceTier servedTier(ChatRequest request) {
        return request.serviceTier().filter(t -> model.pricing().map(p -> p.sells(t)).orElse(false))
                .orElse(ServiceTier.STANDARD);
    }

    /**
     * The tool the request forces ({@code tool_choice} {@code "required"}: the first tool; a named function: that
     * one), if any. With {@code "auto"} the simulator answers in text, so results stay deterministic.
     */
    private Optional<Tool> forcedTool(ChatRequest request, WorkflowContext context) {
        if (request.tools().isEmpty() || request.toolChoice().isEmpty()) {
            return Optional.empty();
        }
        JsonNode choice = request.toolChoice().get();
        if (choice.isTextual()) {
            return choice.asText().equals("required") ? Optional.of(request.tools().getFirst()) : Optional.empty();
        }
        String wanted = choice.path("function").path("name").asText("");
        return Optional.of(request.tools().stream().filter(t -> t.name().equals(wanted)).findFirst()
                .orElseThrow(() -> fail(context, request, new ProviderException.InvalidRequest(
                        ProviderException.Details.of(PROVIDER, model.name(), 400),
                        "tool_choice names function '" + wanted + "', which is not among the request's tools"),
                        Duration.ZERO)));
    }

    private Planned planToolCall(ChatRequest request, Tool tool, long prompt, long hash, Duration lat) {
        String arguments = "{\"simulated\":\""
                + String.join(" ", SimulatedText.words(seed ^ hash, 6)) + "\"}";
        long output = TOOL_CALL_OVERHEAD_TOKENS + estimator.countText(model.name(), tool.name() + arguments);
        Usage usage = new Usage(prompt, cachedOf(request, prompt), 0, output, 0, true)
                .withServiceTier(servedTier(request));
        Pricer.Priced priced = pricer.price(model.name(), usage);
        ToolCall call = new ToolCall("call_sim_" + SimulatedText.hex(hash), tool.name(), arguments);
        Message message = new Message(Role.ASSISTANT, List.of(), Optional.empty(), List.of(call), Optional.empty());
        ChatResponse response = new ChatResponse("chatcmpl-sim-" + SimulatedText.hex(hash), request.model(),
                model.name(), PROVIDER, message, FinishReason.TOOL_CALLS, usage, priced.cost(), priced.status(), lat,
                Optional.empty(), false);
        return new Planned(response, List.of(), lat);
    }

    private static List<String> splitText(String text) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < text.length(); i++) {
            if (text.charAt(i) == ' ') {
                pieces.add(text.substring(start, i));
                start = i;
            }
        }
        pieces.add(text.substring(start));
        return pieces;
    }

    private Optional<SimulatedFailure> drawFailure(double u) {
        double cumulative = 0;
        for (FailureRate f : failures) {
            cumulative += f.rate();
            if (u < cumulative) {
                return Optional.of(f.kind());
            }
        }
        return Optional.empty();
    }

    private void waitFor(Duration latency, ChatRequest request, WorkflowContext context) {
        Optional<Duration> remaining = context.remaining();
        if (remaining.isPresent() && latency.compareTo(remaining.get()) > 0) {
            sleep(remaining.get(), request, context);
            throw fail(context, request, new ProviderException.ProviderTimeout(
                    ProviderException.Details.of(PROVIDER, model.name()), "simulated request (deadline)",
                    remaining.get()), remaining.get());
        }
        sleep(latency, request, context);
    }

    private void sleep(Duration d, ChatRequest request, WorkflowContext context) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(context, request, new ProviderException.ConnectionFailed(
                    ProviderException.Details.of(PROVIDER, model.name()), "interrupted while waiting", e), d);
        }
    }

    private ProviderException fail(WorkflowContext context, ChatRequest request, ProviderException e,
            Duration waited) {
        record(context, request, Usage.ZERO, waited, Outcome.FAILED, Optional.of(e.kind()));
        return e;
    }

    /** Records one attempt; package-private so the stream can record its end or abort. */
    void record(WorkflowContext context, ChatRequest request, Usage usage, Duration took, Outcome outcome,
            Optional<String> errorKind) {
        Pricer.Priced priced = usage.equals(Usage.ZERO)
                ? new Pricer.Priced(Money.ZERO, statusOfZero) : pricer.price(model.name(), usage);
        Money baselineCost = baseline.map(b -> b.baselineCost(usage)).orElse(priced.cost());
        CostRecord record = new CostRecord(context.correlationId(), CostRecords.nextAttempt(context),
                context.clock().instant(), request.model(), model.name(), PROVIDER, usage, priced.cost(), baselineCost,
                priced.status(), outcome, errorKind, Optional.empty(), took, context.tags());
        CostRecords.record(context, model.name(), record);
    }

    @Override
    public String toString() {
        return "SimulatedChatModel[" + model.name() + ", seed=" + seed + ", failures=" + failures + "]";
    }

    /**
     * One injected failure kind and how often it happens.
     *
     * @param kind the failure
     * @param rate its probability per call, in [0, 1]
     */
    public record FailureRate(SimulatedFailure kind, double rate) {
        public FailureRate {
            Objects.requireNonNull(kind, "kind");
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("failure rate of " + kind + " must be in [0, 1], was " + rate);
            }
        }
    }

    /** Builds a {@link SimulatedChatModel}. Not thread-safe; {@link #build()} may be called again. */
    public static final class Builder {
        private final ModelInfo model;
        private Pricer pricer;
        private TokenEstimator estimator;
        private PromptCacheReads cacheReads = PromptCacheReads.NONE;
        private long seed;
        private Optional<RandomGenerator> random = Optional.empty();
        private LatencyModel latency = LatencyModel.none();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private OutputLength outputLength = OutputLength.uniform(100, 400);
        private double reasoningShare;
        private final List<FailureRate> failures = new ArrayList<>();
        private Duration retryAfter = Duration.ofSeconds(1);
        private Duration timeout = Duration.ofSeconds(30);
        private int chunkWords = 4;
        private double midStreamFailureRate;
        private Optional<SavingsCalculator> baseline = Optional.empty();

        private Builder(ModelCatalog catalog, String modelName) {
            Objects.requireNonNull(catalog, "catalog");
            Objects.requireNonNull(modelName, "modelName");
            this.model = catalog.require(modelName);
            this.pricer = CatalogPricer.of(catalog);
            this.estimator = JtokkitTokenEstimator.of(catalog);
        }

        /**
         * Sets the seed of both the answer generator and (unless {@link #random} is set) the failure and latency
         * generator. Default: 0.
         *
         * @param value the seed
         * @return this builder
         */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Sets the generator failures and latencies are drawn from. Default: an {@code L64X128MixRandom} seeded with
         * {@link #seed}.
         *
         * @param value the generator; used under a lock
         * @return this builder
         */
        public Builder random(RandomGenerator value) {
            this.random = Optional.of(Objects.requireNonNull(value, "random"));
            return this;
        }

        /**
         * Sets the pricer. Default: a strict {@link CatalogPricer} over the catalog.
         *
         * @param value the pricer
         * @return this builder
         */
        public Builder pricer(Pricer value) {
            this.pricer = Objects.requireNonNull(value, "pricer");
            return this;
        }

        /**
         * Sets the token estimator for prompts. Default: {@link JtokkitTokenEstimator} over the catalog.
         *
         * @param value the estimator
         * @return this builder
         */
        public Builder tokenEstimator(TokenEstimator value) {
            this.estimator = Objects.requireNonNull(value, "tokenEstimator");
            return this;
        }

        /**
         * Sets how many prompt tokens of each call are read from the provider's prompt cache (billed at the cached
         * input price). Default: {@link PromptCacheReads#NONE}.
         *
         * @param value the prompt cache's reads
         * @return this builder
         */
        public Builder promptCacheReads(PromptCacheReads value) {
            this.cacheReads = Objects.requireNonNull(value, "promptCacheReads");
            return this;
        }

        /**
         * Sets the latency. Default: {@link LatencyModel#none()}.
         *
         * @param value the latency model
         * @return this builder
         */
        public Builder latency(LatencyModel value) {
            this.latency = Objects.requireNonNull(value, "latency");
            return this;
        }

        /**
         * Sets how the simulator waits. Default: {@link Sleeper#SYSTEM}; tests pass a recording fake.
         *
         * @param value the sleeper
         * @return this builder
         */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        /**
         * Sets the output length (reasoning included). Default: uniform in [100, 400] tokens.
         *
         * @param value the distribution
         * @return this builder
         */
        public Builder outputLength(OutputLength value) {
            this.outputLength = Objects.requireNonNull(value, "outputLength");
            return this;
        }

        /**
         * Sets the share of the output that is hidden reasoning (billed as output, not shown). Default: 0.
         *
         * @param share in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code share} is outside [0, 1]
         */
        public Builder reasoningShare(double share) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("reasoningShare must be in [0, 1], was " + share);
            }
            this.reasoningShare = share;
            return this;
        }

        /**
         * Injects a failure kind at a rate per call. Kinds are drawn in the order added; the rates must sum to at
         * most 1. Default: no failures.
         *
         * @param kind the failure
         * @param rate its probability per call, in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code rate} is outside [0, 1]
         * @throws IllegalStateException if {@code kind} was already added
         */
        public Builder failure(SimulatedFailure kind, double rate) {
            FailureRate f = new FailureRate(kind, rate);
            if (failures.stream().anyMatch(x -> x.kind() == kind)) {
                throw new IllegalStateException("failure " + kind + " was already set");
            }
            failures.add(f);
            return this;
        }

        /**
         * Sets the retry-after hint of simulated rate limits and overloads. Default: 1 second.
         *
         * @param value the hint, not negative
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder retryAfter(Duration value) {
            Objects.requireNonNull(value, "retryAfter");
            if (value.isNegative()) {
                throw new IllegalArgumentException("retryAfter cannot be negative, was " + value);
            }
            this.retryAfter = value;
            return this;
        }

        /**
         * Sets how long a simulated {@link SimulatedFailure#TIMEOUT} waits before failing. Default: 30 seconds.
         *
         * @param value the timeout, positive
         * @return this builder
         * @throws IllegalArgumentException if zero or negative
         */
        public Builder timeout(Duration value) {
            Objects.requireNonNull(value, "timeout");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + value);
            }
            this.timeout = value;
            return this;
        }

        /**
         * Sets how many words each stream chunk carries. Default: 4.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder chunkWords(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("chunkWords must be >= 1, was " + value);
            }
            this.chunkWords = value;
            return this;
        }

        /**
         * Sets how often a stream breaks halfway through its text with
         * {@link ProviderException.ConnectionFailed}, after the provider has billed what it generated. Default: 0.
         *
         * @param rate in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code rate} is outside [0, 1]
         */
        public Builder midStreamFailureRate(double rate) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("midStreamFailureRate must be in [0, 1], was " + rate);
            }
            this.midStreamFailureRate = rate;
            return this;
        }

        /**
         * Prices each record's baseline with {@code calculator}. Default: the baseline is the call's own cost (no
         * savings claimed).
         *
         * @param calculator the baseline
         * @return this builder
         */
        public Builder baseline(SavingsCalculator calculator) {
            this.baseline = Optional.of(Objects.requireNonNull(calculator, "baseline"));
            return this;
        }

        /**
         * @return the simulator
         * @throws IllegalStateException if the failure rates sum to more than 1
         * @throws dev.costwise.llm.cost.UnpricedModelException if the pricer cannot price the model (a simulator of
         *     an unpriced model needs a pricer that allows unpriced models)
         */
        public SimulatedChatModel build() {
            double sum = failures.stream().mapToDouble(FailureRate::rate).sum();
            if (sum > 1.0 + 1e-9) {
                throw new IllegalStateException("failure rates sum to " + sum + ", more than 1: " + failures);
            }
            PriceStatus status = pricer.price(model.name(), Usage.ZERO).status();
            return new SimulatedChatModel(this, status);
        }
    }
}
