package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@link MultiModelWorkflow} did for one task and what it cost, orchestrator and executors apart.
 *
 * @param content the accepted output's text
 * @param classification how the task was classified
 * @param executorModel the executor whose output is returned
 * @param orchestrated {@code false} when the task was too simple to gain from orchestration and went straight to the
 *     cheapest capable model
 * @param verdict the last validation, if the output was validated
 * @param escalations each move to a stronger model after a failed validation
 * @param fallbacks each executor that failed (rate limit, timeout…) before another answered
 * @param orchestratorUsage tokens the orchestrator spent (classification and validation)
 * @param orchestratorCost what the orchestrator cost
 * @param executorUsage tokens every successful executor call spent, superseded outputs included
 * @param executorCost what the executors cost
 * @param baselineModel the premium model of the all-premium baseline
 * @param baselineCost the same total tokens priced on the baseline model
 * @param overheadLatency time spent in orchestrator calls
 * @param totalLatency time for the whole task
 * @param answer the accepted executor's whole response: its message (text, tool calls, reasoning), finish reason
 *     and usage
 */
public record MultiModelResponse(String content, TaskClassification classification, String executorModel,
        boolean orchestrated, Optional<Verdict> verdict, List<Escalation> escalations, List<FallbackStep> fallbacks,
        Usage orchestratorUsage, Money orchestratorCost, Usage executorUsage, Money executorCost,
        String baselineModel, Money baselineCost, Duration overheadLatency, Duration totalLatency,
        ChatResponse answer) {

    public MultiModelResponse {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(classification, "classification");
        Objects.requireNonNull(executorModel, "executorModel");
        Objects.requireNonNull(verdict, "verdict");
        escalations = List.copyOf(escalations);
        fallbacks = List.copyOf(fallbacks);
        Objects.requireNonNull(orchestratorUsage, "orchestratorUsage");
        Objects.requireNonNull(orchestratorCost, "orchestratorCost");
        Objects.requireNonNull(executorUsage, "executorUsage");
        Objects.requireNonNull(executorCost, "executorCost");
        Objects.requireNonNull(baselineModel, "baselineModel");
        Objects.requireNonNull(baselineCost, "baselineCost");
        Objects.requireNonNull(overheadLatency, "overheadLatency");
        Objects.requireNonNull(totalLatency, "totalLatency");
        Objects.requireNonNull(answer, "answer");
    }

    /** @return orchestrator plus executor cost */
    public Money totalCost() {
        return orchestratorCost.plus(executorCost);
    }

    /** @return the baseline cost minus the total cost (negative when orchestration cost more) */
    public Money savings() {
        return baselineCost.minus(totalCost());
    }

    /** @return savings as a share of the baseline cost, 0 when the baseline is free */
    public double savingsRatio() {
        return savings().ratioOf(baselineCost);
    }

    /** @return the orchestration overhead in money: the orchestrator's cost */
    public Money overheadCost() {
        return orchestratorCost;
    }

    /**
     * @return whether the output passed validation: {@code false} for an answer returned although it failed (no
     *     escalation was left, see {@link #verdict()} for why); empty when it was not validated
     */
    public Optional<Boolean> validationPassed() {
        return verdict.map(Verdict::passed);
    }

    /**
     * @return how the returned answer's validation went: passed, failed (returned although it failed: no escalation
     *     was left), or unreadable (the last verdict could not be read, and {@link #validationPassed()} is what the
     *     {@link MalformedVerdictPolicy} made of it); empty when it was not validated
     */
    public Optional<Validation> validation() {
        return verdict.map(Verdict::result);
    }
}
