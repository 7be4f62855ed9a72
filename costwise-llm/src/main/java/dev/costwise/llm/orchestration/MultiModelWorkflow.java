package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.TokenEstimator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The spec's Pattern 5: classify a task, delegate it to a cheap (ideally free) executor, optionally have the
 * orchestrator validate the output, and escalate to a stronger tier when it fails.
 *
 * <p>Order of work for one task:
 * <ol>
 *   <li><b>Skip check</b> (free, by the rules): a {@link Complexity#SIMPLE} task is too simple to gain from
 *       orchestration (the spec's "Don't use when"); it goes straight to the cheapest capable model, with no
 *       orchestrator call and no validation. Off with {@link Builder#skipSimpleTasks(boolean)}.</li>
 *   <li><b>Classify</b> with the configured {@link TaskClassifier} (rules by default; an {@link LlmTaskClassifier}
 *       spends orchestrator tokens).</li>
 *   <li><b>Delegate</b> to the recommended executor (or the request's own), moving along its fallback chain when it
 *       fails with a rate limit, timeout, overload or server error: other models able to do the task (of at least
 *       its complexity's {@link Complexity#minimumTier() tier}), free models first, then the cheapest paid one (the
 *       spec's Gemini → DeepSeek → Claude). A failure that is not about quality does not move the task to a
 *       stronger model; after an escalation the fallbacks are of at least the escalated model's tier.</li>
 *   <li><b>Validate</b> (when the request asks): the orchestrator judges the output against a rubric and answers
 *       {@code {"pass": bool, "reasons": [...]}}; a malformed verdict counts as the {@link MalformedVerdictPolicy}
 *       says. An answer that calls the caller's tools is not text a rubric can judge: it is returned unvalidated
 *       (and never escalated).</li>
 *   <li><b>Escalate</b> on a fail to the next stronger capable tier within the cost cap, up to
 *       {@link Builder#maxEscalations(int)} times. The rejected answer's cost record is
 *       {@link dev.costwise.llm.cost.Outcome#SUPERSEDED} (no baseline), so its spend counts as wasted: a round's
 *       records (its answer's, then its verdict's) join the context once the workflow knows whether the answer
 *       reaches the caller, each billed attempt with one record carrying its final outcome.</li>
 * </ol>
 *
 * <p><b>The answer returned may have failed validation.</b> When the last answer fails and no escalation is left
 * (the {@link Builder#maxEscalations(int) limit} is reached, or no stronger capable model is within the cost cap),
 * {@link #execute} still returns it normally rather than throwing: {@link MultiModelResponse#validationPassed()} is
 * then {@code Optional[false]}, {@link MultiModelResponse#verdict()} gives the orchestrator's reasons, and the context
 * records why it stopped ({@code escalation_limit} or {@code no_stronger_model}). Check {@code validationPassed()}
 * before using the content; it is empty when nothing was validated. {@link MultiModelResponse#validation()} also tells
 * an unreadable verdict apart from one that said pass or fail.
 *
 * <p>The response reports orchestrator and executor tokens and costs apart, the overhead, and the savings against
 * pricing the same total tokens on the premium baseline model; the same figures go into the context's metadata under
 * {@code orchestration_metrics}, with the spec's keys. Thread-safe.
 *
 * <pre>{@code
 * MultiModelWorkflow workflow = MultiModelWorkflow.builder(catalog, ExecutorRegistry.of(gemini, deepseek, llama),
 * claude)
 *     .classifier(LlmTaskClassifier.of(claude, RuleBasedTaskClassifier.builder(catalog).build()))
 *     .maxEscalations(1)
 *     .build();
 * MultiModelResponse r = workflow.execute(MultiModelRequest.builder("Analyze renewable energy benefits")
 *     .addMessage(Message.user("Analyze: ...")).validated().build(), ctx);
 * }</pre>
 */
public final class MultiModelWorkflow implements Primitive<MultiModelRequest, MultiModelResponse> {
    /** The key of the spec's metrics map in {@link WorkflowContext#metadata()}. */
    public static final String METRICS_KEY = "orchestration_metrics";

    /**
     * The attribute of an {@code escalated} step holding the {@link dev.costwise.llm.chat.ChatResponse} the escalation
     * replaced (the very object its executor returned), for a caller that keeps its own rows of the run's calls.
     */
    public static final String SUPERSEDED_ANSWER = "superseded";

    private static final String NAME = "multi-model-workflow";

    private final ModelCatalog catalog;
    private final ExecutorRegistry executors;
    private final Orchestrator orchestrator;
    private final Pricer pricer;
    private final ModelSelector selector;
    private final RuleBasedTaskClassifier rules;
    private final TaskClassifier classifier;
    private final FallbackRunner runner;
    private final OutputValidator validator;
    private final String baselineModel;
    private final int maxEscalations;
    private final int maxChainLength;
    private final List<String> fixedChain;
    private final boolean skipSimpleTasks;

    private MultiModelWorkflow(Builder b, Pricer pricer, ModelSelector selector, RuleBasedTaskClassifier rules) {
        this.catalog = b.catalog;
        this.executors = b.executors;
        this.pricer = pricer;
        this.orchestrator = new Orchestrator(b.orchestrator, pricer);
        this.selector = selector;
        this.rules = rules;
        this.classifier = b.classifier != null ? b.classifier : rules;
        this.runner = new FallbackRunner(DelegationPrimitive.of(b.executors, pricer),
                FallbackRunner.reasoningIn(b.catalog));
        this.validator = new OutputValidator(orchestrator, b.malformedVerdictPolicy);
        this.baselineModel = b.baselineModel != null ? b.baselineModel : b.orchestrator.name();
        this.maxEscalations = b.maxEscalations;
        this.maxChainLength = b.maxChainLength;
        this.fixedChain = List.copyOf(b.fixedChain);
        this.skipSimpleTasks = b.skipSimpleTasks;
    }

    /**
     * Starts a workflow.
     *
     * @param catalog the models, with prices and tiers
     * @param executors the executor models tasks may be delegated to
     * @param orchestrator the (usually premium) model that classifies with an LLM classifier and validates
     * @return a builder
     */
    public static Builder builder(ModelCatalog catalog, ExecutorRegistry executors, ChatModel orchestrator) {
        return new Builder(catalog, executors, orchestrator);
    }

    /**
     * @throws NoCapableModelException if no registered executor meets the task's needs
     * @throws UnknownExecutorException if the request names an executor that is not registered
     * @throws AllExecutorsFailedException if every executor of the chain fails
     * @throws dev.costwise.llm.provider.ProviderException if an executor rejects the request as the caller's mistake
     */
    @Override
    public MultiModelResponse execute(MultiModelRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        long start = context.ticker().read();
        TaskClassificationRequest classificationRequest = request.classificationRequest();
        TaskClassification rulesView = rules.classify(classificationRequest);
        boolean orchestrated = orchestrates(request, rulesView);

        long overheadNanos = 0;
        Usage orchestratorUsage = Usage.ZERO;
        Money orchestratorCost = Money.ZERO;
        TaskClassification classification;
        if (orchestrated) {
            long t = context.ticker().read();
            classification = classifier.execute(classificationRequest, context);
            overheadNanos += context.ticker().read() - t;
            orchestratorUsage = orchestratorUsage.plus(classification.classifierUsage());
            orchestratorCost = orchestratorCost.plus(orchestrator.price(classification.classifierUsage()));
        } else {
            classification = rulesView.withReason("orchestration skipped: a SIMPLE task is too simple to gain from "
                    + "it, so the cheapest capable model runs it directly; " + rulesView.reason(), "rules");
            context.record(NAME, "orchestration_skipped", Map.of("model", classification.recommendedModel()));
        }

        ModelInfo current = catalog.require(resolveExecutor(request, classification, context));
        // a failure that is not about quality (rate limit, outage) passes the task to the cheapest model able to do
        // it; only a failed verdict raises the bar, to the stronger model escalated to
        int capableTier = Math.min(current.tier(), classification.complexity().minimumTier());
        long in = classification.estimatedInputTokens();
        // the caller's output limit bounds the answer, and so what each executor is estimated to cost
        long out = request.settings().maxTokens().map(m -> Math.min(m, classification.estimatedOutputTokens()))
                .orElse(classification.estimatedOutputTokens());
        DelegationRequest template = DelegationRequest.of(request.taskDescription(), current.name(),
                request.messages(), request.settings());
        List<Escalation> escalations = new ArrayList<>();
        List<FallbackStep> fallbacks = new ArrayList<>();
        Set<String> tried = new HashSet<>();
        Usage executorUsage = Usage.ZERO;
        Money executorCost = Money.ZERO;
        Optional<Verdict> verdict = Optional.empty();
        DelegationResponse answer;
        while (true) {
            // the round's records join the context once it is known whether its answer reaches the caller
            EscalationRound round = new EscalationRound(context);
            Verdict v;
            Optional<ModelInfo> escalateTo;
            try {
                List<String> chain = chainFor(current, capableTier, request.preferences(), in, out, tried);
                FallbackRunner.Outcome outcome = runner.run(template, chain, round.answerContext(), NAME);
                answer = outcome.response();
                fallbacks.addAll(outcome.fallbacks());
                outcome.fallbacks().forEach(f -> tried.add(f.model()));
                tried.add(answer.executorModel());
                executorUsage = executorUsage.plus(answer.usage());
                executorCost = executorCost.plus(answer.cost());
                if (!request.validate() || !orchestrated || !answer.response().toolCalls().isEmpty()) {
                    break;
                }
                long t = context.ticker().read();
                v = validator.judge(request.taskDescription(),
                        request.rubric().orElse(OutputValidator.DEFAULT_RUBRIC), answer.executorModel(),
                        answer.content(), round.verdictContext());
                overheadNanos += context.ticker().read() - t;
                orchestratorUsage = orchestratorUsage.plus(v.usage());
                orchestratorCost = orchestratorCost.plus(v.cost());
                verdict = Optional.of(v);
                escalateTo = v.passed() || escalations.size() >= maxEscalations ? Optional.empty()
                        : selector.stronger(catalog.require(answer.executorModel()), classification.taskType(),
                                request.preferences(), in, out, tried).map(ModelSelector.Selection::model);
                escalateTo.ifPresent(to -> round.supersede());
            } finally {
                round.close();
            }
            ModelInfo answered = catalog.require(answer.executorModel());
            if (v.passed()) {
                break;
            }
            if (escalations.size() >= maxEscalations) {
                context.record(NAME, "escalation_limit", Map.of("limit", maxEscalations, "model", answered.name()));
                break;
            }
            if (escalateTo.isEmpty()) {
                context.record(NAME, "no_stronger_model", Map.of("model", answered.name(), "tier", answered.tier()));
                break;
            }
            ModelInfo to = escalateTo.get();
            escalations.add(new Escalation(answered.name(), to.name(), answered.tier(), to.tier(), v.reasons()));
            context.record(NAME, "escalated", Map.of("from", answered.name(), "to", to.name(), "reasons",
                    v.reasons(), SUPERSEDED_ANSWER, answer.response()));
            current = to;
            capableTier = to.tier();
        }
        if (request.validate() && orchestrated && !answer.response().toolCalls().isEmpty()) {
            // a rubric judges text: a call to the caller's tools is not an answer it can judge
            context.record(NAME, "validation_skipped", Map.of("model", answer.executorModel(), "reason",
                    "tool_calls"));
        }

        Money baselineCost = pricer.price(baselineModel, orchestratorUsage.plus(executorUsage)).cost();
        Duration total = Duration.ofNanos(Math.max(0, context.ticker().read() - start));
        MultiModelResponse response = new MultiModelResponse(answer.content(), classification,
                answer.executorModel(), orchestrated, verdict, escalations, fallbacks, orchestratorUsage,
                orchestratorCost, executorUsage, executorCost, baselineModel, baselineCost,
                Duration.ofNanos(Math.max(0, overheadNanos)), total, answer.response());
        publish(response, context);
        return response;
    }

    /**
     * What a task would take, decided as {@link #execute} decides it but calling nothing: its classification by the
     * rules, whether the orchestrator takes part, the executor it goes to first, and the most model calls it may be
     * billed for. A budget can hold the worst case of those calls before the task runs. Exact for the default rules
     * classifier; a {@link #builder classifier} that calls a model adds that call
     * ({@link LlmTaskClassifier#CLASSIFICATION_MAX_TOKENS} of output at most).
     *
     * @param request the task
     * @return the preview
     * @throws NoCapableModelException if no registered executor meets the task's needs
     * @throws UnknownExecutorException if the request names an executor that is not registered
     */
    public Preview preview(MultiModelRequest request) {
        Objects.requireNonNull(request, "request");
        TaskClassification c = rules.classify(request.classificationRequest());
        boolean orchestrated = orchestrates(request, c);
        boolean validated = orchestrated && request.validate();
        String executor = executorFor(request, c);
        String verdictPrompt = validated ? OutputValidator.promptText(request.taskDescription(),
                request.rubric().orElse(OutputValidator.DEFAULT_RUBRIC), executor) : "";
        return new Preview(c, orchestrated, executor, validated ? 1 + maxEscalations : 1, validated, verdictPrompt,
                OutputValidator.VERDICT_MAX_TOKENS);
    }

    /**
     * What {@link #preview} says of a task before it runs.
     *
     * @param classification the rules' classification
     * @param orchestrated {@code false} when the task skips orchestration (a simple task goes straight to the
     *     cheapest capable executor, and nothing validates it)
     * @param executor the executor it is delegated to first (fallbacks and escalations may go to others)
     * @param rounds the most executor answers it may be billed for: one, plus one per escalation when validated (a
     *     failed executor call bills nothing)
     * @param validated whether each answer is followed by a verdict call to the orchestrator
     * @param verdictPrompt the text of a verdict call's prompt besides the answer it judges (its system text, the
     *     task, the rubric), to estimate its input tokens; empty when nothing is validated
     * @param verdictMaxTokens the output cap of a verdict call
     */
    public record Preview(TaskClassification classification, boolean orchestrated, String executor, int rounds,
            boolean validated, String verdictPrompt, int verdictMaxTokens) {}

    /** @return whether the orchestrator takes part: not for a simple task, unless the request names its executor */
    private boolean orchestrates(MultiModelRequest request, TaskClassification rulesView) {
        return !(skipSimpleTasks && rulesView.complexity() == Complexity.SIMPLE && request.executor().isEmpty());
    }

    private String resolveExecutor(MultiModelRequest request, TaskClassification c, WorkflowContext context) {
        String chosen = executorFor(request, c);
        if (request.executor().isEmpty() && !chosen.equals(c.recommendedModel())) {
            context.record(NAME, "recommendation_unregistered", Map.of("recommended", c.recommendedModel(), "using",
                    chosen));
        }
        return chosen;
    }

    /** @return the request's own executor, else the recommended one if registered, else the selector's pick */
    private String executorFor(MultiModelRequest request, TaskClassification c) {
        if (request.executor().isPresent()) {
            executors.require(request.executor().get());
            return request.executor().get();
        }
        if (executors.contains(c.recommendedModel())) {
            return c.recommendedModel();
        }
        return selector.select(c.complexity(), c.taskType(), request.preferences(), c.estimatedInputTokens(),
                c.estimatedOutputTokens()).model().name();
    }

    /**
     * The primary, then its fallbacks (models of at least {@code capableTier}), leaving out models that already
     * answered or failed for this task.
     */
    private List<String> chainFor(ModelInfo primary, int capableTier, TaskPreferences prefs, long in, long out,
            Set<String> tried) {
        List<String> chain = new ArrayList<>();
        chain.add(primary.name());
        List<String> rest = !fixedChain.isEmpty() ? fixedChain
                : selector.fallbackChain(primary, capableTier, prefs, in, out).stream().map(ModelInfo::name).toList();
        rest.stream().filter(m -> !m.equals(primary.name()) && !tried.contains(m)).forEach(chain::add);
        return List.copyOf(chain.subList(0, Math.min(chain.size(), maxChainLength)));
    }

    private static void publish(MultiModelResponse r, WorkflowContext context) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("orchestrator_tokens", r.orchestratorUsage().totalTokens());
        metrics.put("executor_tokens", r.executorUsage().totalTokens());
        metrics.put("orchestrator_cost", r.orchestratorCost().toBigDecimal());
        metrics.put("executor_cost", r.executorCost().toBigDecimal());
        metrics.put("total_cost", r.totalCost().toBigDecimal());
        metrics.put("cost_savings_vs_all_paid", r.savingsRatio());
        metrics.put("executor_model", r.executorModel());
        metrics.put("classification", r.classification().complexity().name().toLowerCase(Locale.ROOT));
        metrics.put("task_type", r.classification().taskType().name().toLowerCase(Locale.ROOT));
        metrics.put("orchestrated", r.orchestrated());
        metrics.put("baseline_model", r.baselineModel());
        metrics.put("baseline_cost", r.baselineCost().toBigDecimal());
        metrics.put("escalations", r.escalations().size());
        metrics.put("fallbacks", r.fallbacks().size());
        metrics.put("overhead_latency_ms", r.overheadLatency().toMillis());
        r.verdict().ifPresent(v -> metrics.put("validation_passed", v.passed()));
        r.validation().ifPresent(v -> metrics.put("validation", v.name().toLowerCase(Locale.ROOT)));
        context.metadata().put(METRICS_KEY, Map.copyOf(metrics));
        context.record(NAME, "orchestrated", metrics);
    }

    /** Builds a {@link MultiModelWorkflow}. Not thread-safe. */
    public static final class Builder {
        private final ModelCatalog catalog;
        private final ExecutorRegistry executors;
        private final ChatModel orchestrator;
        private TaskClassifier classifier;
        private Pricer pricer;
        private TokenEstimator tokenEstimator = new ApproximateTokenEstimator();
        private Headroom headroom = Headroom.UNKNOWN;
        private double minHeadroom = 0.1;
        private String baselineModel;
        private int maxEscalations = 1;
        private int maxChainLength = 3;
        private final List<String> fixedChain = new ArrayList<>();
        private MalformedVerdictPolicy malformedVerdictPolicy = MalformedVerdictPolicy.FAIL_CLOSED;
        private boolean skipSimpleTasks = true;

        private Builder(ModelCatalog catalog, ExecutorRegistry executors, ChatModel orchestrator) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            this.executors = Objects.requireNonNull(executors, "executors");
            this.orchestrator = Objects.requireNonNull(orchestrator, "orchestrator");
        }

        /**
         * Sets the classifier. Default: a {@link RuleBasedTaskClassifier} limited to the registered executors.
         *
         * @param value the classifier, for example an {@link LlmTaskClassifier} over the orchestrator
         * @return this builder
         */
        public Builder classifier(TaskClassifier value) {
            this.classifier = Objects.requireNonNull(value, "classifier");
            return this;
        }

        /**
         * Sets how every call's usage is priced (orchestrator, executors and baseline alike). Default: the catalog's
         * input, cached, cache-write and output prices.
         *
         * @param value the pricer
         * @return this builder
         */
        public Builder pricer(Pricer value) {
            this.pricer = Objects.requireNonNull(value, "pricer");
            return this;
        }

        /**
         * Sets the token estimator used to size tasks. Default: about four characters per token.
         *
         * @param value the estimator
         * @return this builder
         */
        public Builder tokenEstimator(TokenEstimator value) {
            this.tokenEstimator = Objects.requireNonNull(value, "tokenEstimator");
            return this;
        }

        /**
         * Sets the rate-limit headroom source. Default: {@link Headroom#UNKNOWN}.
         *
         * @param value the source, usually the usage tracker
         * @return this builder
         */
        public Builder headroom(Headroom value) {
            this.headroom = Objects.requireNonNull(value, "headroom");
            return this;
        }

        /**
         * Sets the least headroom a free model needs to be chosen. Default: 0.1.
         *
         * @param value a share in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is outside [0, 1]
         */
        public Builder minHeadroom(double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException("minHeadroom must be in [0, 1], was " + value);
            }
            this.minHeadroom = value;
            return this;
        }

        /**
         * Sets the premium model the savings are measured against. Default: the orchestrator's model.
         *
         * @param model a catalog model name
         * @return this builder
         */
        public Builder baselineModel(String model) {
            this.baselineModel = Objects.requireNonNull(model, "baselineModel");
            return this;
        }

        /**
         * Sets how many times a failed validation may escalate to a stronger tier. Default: 1.
         *
         * @param value at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative
         */
        public Builder maxEscalations(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("maxEscalations cannot be negative, was " + value);
            }
            this.maxEscalations = value;
            return this;
        }

        /**
         * Sets how many executors one attempt may try, the first included. Default: 3.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder maxChainLength(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxChainLength must be >= 1, was " + value);
            }
            this.maxChainLength = value;
            return this;
        }

        /**
         * Fixes the fallback order instead of deriving it from the catalog (free models of at least the primary's
         * tier, then the cheapest capable paid model). The chosen executor is always tried first.
         *
         * @param models registered executors, in order, for example the spec's Gemini, DeepSeek, Claude
         * @return this builder
         * @throws IllegalArgumentException if a model is not registered as an executor
         */
        public Builder fallbackChain(String... models) {
            fixedChain.clear();
            for (String m : models) {
                if (!executors.contains(m)) {
                    throw new UnknownExecutorException(m, executors.names());
                }
                fixedChain.add(m);
            }
            return this;
        }

        /**
         * Sets what a malformed verdict counts as. Default: {@link MalformedVerdictPolicy#FAIL_CLOSED}.
         *
         * @param value the policy
         * @return this builder
         */
        public Builder malformedVerdictPolicy(MalformedVerdictPolicy value) {
            this.malformedVerdictPolicy = Objects.requireNonNull(value, "malformedVerdictPolicy");
            return this;
        }

        /**
         * Whether SIMPLE tasks skip orchestration and go straight to the cheapest capable model. Default:
         * {@code true}.
         *
         * @param value the setting
         * @return this builder
         */
        public Builder skipSimpleTasks(boolean value) {
            this.skipSimpleTasks = value;
            return this;
        }

        /**
         * @return the workflow
         * @throws IllegalStateException if no executor is registered, or the orchestrator or baseline model is not in
         *     the catalog
         */
        public MultiModelWorkflow build() {
            if (executors.names().isEmpty()) {
                throw new IllegalStateException("a multi-model workflow needs at least one registered executor");
            }
            if (catalog.find(orchestrator.name()).isEmpty()) {
                throw new IllegalStateException("orchestrator model '" + orchestrator.name()
                        + "' is not in the catalog, so its cost cannot be priced");
            }
            String baseline = baselineModel != null ? baselineModel : orchestrator.name();
            if (catalog.find(baseline).isEmpty()) {
                throw new IllegalStateException("baseline model '" + baseline + "' is not in the catalog");
            }
            Pricer p = pricer != null ? pricer : CatalogPricer.of(catalog);
            ModelSelector selector = ModelSelector.builder(catalog).pricer(p).headroom(headroom)
                    .minHeadroom(minHeadroom).onlyModels(m -> executors.contains(m.name())).build();
            RuleBasedTaskClassifier rules = RuleBasedTaskClassifier.builder(selector).tokenEstimator(tokenEstimator)
                    .build();
            return new MultiModelWorkflow(this, p, selector, rules);
        }
    }
}
