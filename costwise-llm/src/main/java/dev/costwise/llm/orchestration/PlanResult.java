package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.util.List;
import java.util.Objects;

/**
 * What plan-and-execute produced for one task and what it cost.
 *
 * @param plan the plan that ran
 * @param results each sub-task's outcome, in plan order
 * @param content the orchestrator's aggregate answer (or the sub-answers joined, when aggregation failed or the
 *     deadline had passed)
 * @param aggregated {@code true} when the orchestrator wrote {@code content}
 * @param orchestratorUsage planning plus aggregation tokens
 * @param orchestratorCost what they cost
 * @param executorUsage tokens every sub-task used
 * @param executorCost what they cost
 * @param baselineModel the premium model of the all-premium baseline
 * @param baselineCost the same total tokens priced on the baseline model
 */
public record PlanResult(Plan plan, List<SubTaskResult> results, String content, boolean aggregated,
        Usage orchestratorUsage, Money orchestratorCost, Usage executorUsage, Money executorCost, String baselineModel,
        Money baselineCost) {

    public PlanResult {
        Objects.requireNonNull(plan, "plan");
        results = List.copyOf(results);
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(orchestratorUsage, "orchestratorUsage");
        Objects.requireNonNull(orchestratorCost, "orchestratorCost");
        Objects.requireNonNull(executorUsage, "executorUsage");
        Objects.requireNonNull(executorCost, "executorCost");
        Objects.requireNonNull(baselineModel, "baselineModel");
        Objects.requireNonNull(baselineCost, "baselineCost");
    }

    /** @return orchestrator plus executor cost */
    public Money totalCost() {
        return orchestratorCost.plus(executorCost);
    }

    /** @return savings against the baseline as a share of it, 0 when the baseline is free */
    public double savingsRatio() {
        return baselineCost.minus(totalCost()).ratioOf(baselineCost);
    }
}
