package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.util.Objects;

/**
 * What a {@link TaskClassifier} decided about a task.
 *
 * @param complexity how hard the task is
 * @param taskType what kind of work it is
 * @param recommendedModel the catalog model that should execute it, honouring the preferences
 * @param reason a readable account of the signals that decided complexity, type and model
 * @param estimatedCost the estimated cost of one call on the recommended model
 * @param estimatedInputTokens the estimated prompt tokens
 * @param estimatedOutputTokens the estimated output tokens
 * @param confidence how sure the classifier is, 0 to 1
 * @param source which classifier produced this ({@code rules}, {@code llm}, or {@code rules-fallback} when the LLM
 *     classifier failed and the rules answered)
 * @param classifierUsage tokens the classifier itself spent on a model ({@link Usage#ZERO} for the rules)
 */
public record TaskClassification(Complexity complexity, TaskType taskType, String recommendedModel, String reason,
        Money estimatedCost, long estimatedInputTokens, long estimatedOutputTokens, double confidence, String source,
        Usage classifierUsage) {

    public TaskClassification {
        Objects.requireNonNull(complexity, "complexity");
        Objects.requireNonNull(taskType, "taskType");
        Objects.requireNonNull(recommendedModel, "recommendedModel");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(estimatedCost, "estimatedCost");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(classifierUsage, "classifierUsage");
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be in [0, 1], was " + confidence);
        }
        if (estimatedInputTokens < 0 || estimatedOutputTokens < 0) {
            throw new IllegalArgumentException("token estimates cannot be negative, were " + estimatedInputTokens
                    + " and " + estimatedOutputTokens);
        }
    }

    /**
     * A copy with another reason and source (used when a fallback classifier answered).
     *
     * @param newReason the reason
     * @param newSource the source
     * @return the copy
     */
    public TaskClassification withReason(String newReason, String newSource) {
        return new TaskClassification(complexity, taskType, recommendedModel, newReason, estimatedCost,
                estimatedInputTokens, estimatedOutputTokens, confidence, newSource, classifierUsage);
    }

    /**
     * A copy that records the tokens the classifier spent.
     *
     * @param usage the classifier's usage
     * @return the copy
     */
    public TaskClassification withClassifierUsage(Usage usage) {
        return new TaskClassification(complexity, taskType, recommendedModel, reason, estimatedCost,
                estimatedInputTokens, estimatedOutputTokens, confidence, source, usage);
    }
}
