package dev.costwise.llm.orchestration;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.TokenEstimator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Classifies a task from scored features of its text, with no model call: length in tokens; code blocks, inline code
 * and code vocabulary; math notation (LaTeX, equations, digits with operators); reasoning and expert cues ("step by
 * step", "prove", "trade-offs"); sub-asks and listed items; batch sizes ("these 20 papers"); the requested output size
 * ("in 3 bullet points", "one word", "2000-word essay"); translation cues and scripts; question form. A message with
 * an image adds {@link Capability#VISION} to the required capabilities.
 *
 * <p>Each task type gets a score from its weighted cues and the highest wins; complexity is a sum of weighted signals
 * cut at fixed thresholds. The reason names the signals that decided. Accuracy on the bundled labelled set is reported
 * in {@code docs/classifier.md}. Immutable and thread-safe.
 *
 * <pre>{@code
 * TaskClassifier classifier = RuleBasedTaskClassifier.builder(catalog).headroom(usageTracker).build();
 * TaskClassification c = classifier.execute(TaskClassificationRequest.of("Summarize this in 3 bullet points: ..."),
 * ctx);
 * }</pre>
 */
public final class RuleBasedTaskClassifier implements TaskClassifier {

    /** Complexity score below which a task is {@link Complexity#SIMPLE}. */
    static final double MODERATE_FROM = 1.0;
    /** Complexity score from which a task is {@link Complexity#COMPLEX}. */
    static final double COMPLEX_FROM = 2.0;
    /** Complexity score from which a task is {@link Complexity#EXPERT}. */
    static final double EXPERT_FROM = 3.6;

    private static final String MODEL_FOR_COUNTING = "gpt-4o";

    private final ModelSelector selector;
    private final TokenEstimator estimator;

    private RuleBasedTaskClassifier(ModelSelector selector, TokenEstimator estimator) {
        this.selector = selector;
        this.estimator = estimator;
    }

    /**
     * Starts a classifier that recommends models from {@code catalog}.
     *
     * @param catalog the models to recommend from
     * @return a builder
     */
    public static Builder builder(ModelCatalog catalog) {
        return new Builder(ModelSelector.builder(catalog).build());
    }

    /**
     * Starts a classifier that recommends through {@code selector} (its catalog, pricer, headroom and filter).
     *
     * @param selector the model selector
     * @return a builder
     */
    public static Builder builder(ModelSelector selector) {
        return new Builder(selector);
    }

    /**
     * @throws NoCapableModelException if no model meets the preferences' capability, window and cost needs
     */
    @Override
    public TaskClassification execute(TaskClassificationRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        TaskClassification c = classify(request);
        context.record("task-classifier", "classified", Map.of("source", c.source(), "complexity",
                c.complexity().name(), "taskType", c.taskType().name(), "model", c.recommendedModel(),
                "confidence", c.confidence()));
        return c;
    }

    /**
     * Classifies without recording anything (used by other classifiers as their fallback and pre-check).
     *
     * @param request the task
     * @return the classification
     * @throws NoCapableModelException if no model meets the preferences' needs
     */
    public TaskClassification classify(TaskClassificationRequest request) {
        return classify(request, null, null, 0);
    }

    /**
     * Classifies with the complexity and type given by another judge (an LLM), keeping the rules' token estimates and
     * model choice; {@code null} means "decide by the rules".
     */
    TaskClassification classify(TaskClassificationRequest request, Complexity complexityOverride,
            TaskType typeOverride, double confidenceOverride) {
        String ask = request.askText();
        TaskSignals s = TaskSignals.of(ask, estimator.countText(MODEL_FOR_COUNTING, ask));
        Complexity complexity = complexityOverride != null ? complexityOverride : complexityOf(s.complexityScore);
        TaskType type = typeOverride != null ? typeOverride : s.type;
        long in = inputTokens(request);
        long out = s.outputTokensFor(type, complexity);
        TaskPreferences prefs = request.preferences();
        if (request.messages().stream().anyMatch(Message::hasImages)
                && !prefs.requiredCapabilities().contains(Capability.VISION)) {
            prefs = prefs.toBuilder().require(Capability.VISION).build();
        }
        ModelSelector.Selection pick = selector.select(complexity, type, prefs, in, out);
        if (complexityOverride != null || typeOverride != null) {
            return new TaskClassification(complexity, type, pick.model().name(), "model " + pick.reason(),
                    pick.estimatedCost(), in, out, confidenceOverride, "llm", dev.costwise.llm.chat.Usage.ZERO);
        }
        String reason = "complexity " + complexity + " (score " + TaskSignals.round(s.complexityScore) + ": "
                + String.join(", ", s.complexitySignals) + "); type " + type + " ("
                + String.join(", ", s.typeSignals.getOrDefault(type, List.of())) + "); model " + pick.reason();
        return new TaskClassification(complexity, type, pick.model().name(), reason, pick.estimatedCost(), in, out,
                confidence(s), "rules", dev.costwise.llm.chat.Usage.ZERO);
    }

    /** @return the model selector this classifier recommends through */
    public ModelSelector selector() {
        return selector;
    }

    static Complexity complexityOf(double score) {
        if (score >= EXPERT_FROM) {
            return Complexity.EXPERT;
        }
        if (score >= COMPLEX_FROM) {
            return Complexity.COMPLEX;
        }
        return score >= MODERATE_FROM ? Complexity.MODERATE : Complexity.SIMPLE;
    }

    private long inputTokens(TaskClassificationRequest request) {
        List<Message> messages = request.messages().isEmpty()
                ? List.of(Message.user(request.taskDescription())) : request.messages();
        return estimator.estimateInput(MODEL_FOR_COUNTING, ChatRequest.builder(MODEL_FOR_COUNTING)
                .messages(messages).build()).tokens();
    }

    /** Confidence grows with the type's winning margin and the complexity score's distance from a threshold. */
    private static double confidence(TaskSignals s) {
        double distance = Double.MAX_VALUE;
        for (double t : new double[] {MODERATE_FROM, COMPLEX_FROM, EXPERT_FROM}) {
            distance = Math.min(distance, Math.abs(s.complexityScore - t));
        }
        double complexityPart = Math.min(1.0, distance / 0.8);
        double typePart = s.typeScores.isEmpty() ? 0.2 : s.typeMargin;
        double c = 0.35 + 0.3 * typePart + 0.3 * complexityPart;
        return Math.round(Math.min(0.95, c) * 100) / 100.0;
    }

    /** Builds a {@link RuleBasedTaskClassifier}. Not thread-safe. */
    public static final class Builder {
        private ModelSelector selector;
        private TokenEstimator estimator = new ApproximateTokenEstimator();

        private Builder(ModelSelector selector) {
            this.selector = Objects.requireNonNull(selector, "selector");
        }

        /**
         * Sets the rate-limit headroom source for free models. Default: {@link Headroom#UNKNOWN}.
         *
         * @param headroom the source
         * @return this builder
         */
        public Builder headroom(Headroom headroom) {
            this.selector = selector.toBuilder().headroom(headroom).build();
            return this;
        }

        /**
         * Sets the token estimator. Default: about four characters per token plus message overhead.
         *
         * @param value the estimator
         * @return this builder
         */
        public Builder tokenEstimator(TokenEstimator value) {
            this.estimator = Objects.requireNonNull(value, "tokenEstimator");
            return this;
        }

        /**
         * Sets how estimated costs are priced. Default: the catalog's prices.
         *
         * @param pricer the pricer
         * @return this builder
         */
        public Builder pricer(dev.costwise.llm.cost.Pricer pricer) {
            this.selector = selector.toBuilder().pricer(pricer).build();
            return this;
        }

        /** @return the classifier */
        public RuleBasedTaskClassifier build() {
            return new RuleBasedTaskClassifier(selector, estimator);
        }
    }

    @Override
    public String toString() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("moderateFrom", MODERATE_FROM);
        m.put("complexFrom", COMPLEX_FROM);
        m.put("expertFrom", EXPERT_FROM);
        return "RuleBasedTaskClassifier" + m;
    }
}
