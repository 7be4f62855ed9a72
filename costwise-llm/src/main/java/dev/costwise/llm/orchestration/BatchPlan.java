package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.util.List;
import java.util.Objects;

/**
 * Plans for several tasks made in one orchestrator call (the spec's "plan 10 tasks at once").
 *
 * @param plans one plan per task, in the order given
 * @param usage tokens the one planning call used
 * @param cost what it cost
 */
public record BatchPlan(List<Plan> plans, Usage usage, Money cost) {
    public BatchPlan {
        plans = List.copyOf(plans);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(cost, "cost");
    }
}
