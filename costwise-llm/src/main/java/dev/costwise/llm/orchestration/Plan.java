package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.util.List;
import java.util.Objects;

/**
 * The orchestrator's plan for one task: independent sub-tasks with executor hints.
 *
 * @param task the task planned
 * @param subTasks the steps, run in parallel
 * @param source {@code orchestrator}, {@code batch} (planned with other tasks in one call; its cost is on the
 *     {@link BatchPlan}) or {@code single-step} (the plan was malformed or the call failed, so the task runs as one
 *     step)
 * @param planningUsage tokens the planning call used (zero for a batch member)
 * @param planningCost what the planning call cost (zero for a batch member)
 */
public record Plan(String task, List<SubTask> subTasks, String source, Usage planningUsage, Money planningCost) {
    public Plan {
        Objects.requireNonNull(task, "task");
        subTasks = List.copyOf(subTasks);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(planningUsage, "planningUsage");
        Objects.requireNonNull(planningCost, "planningCost");
        if (subTasks.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one sub-task, task '"
                    + FallbackRunner.shorten(task) + "' had none");
        }
    }
}
