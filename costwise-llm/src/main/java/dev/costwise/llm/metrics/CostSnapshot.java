package dev.costwise.llm.metrics;

import java.util.Map;
import java.util.Objects;

/**
 * The cost side of a named workflow's metrics: the Java answer to the spec's
 * {@code get_all_metrics("llm_workflow")['cost']}, with the same totals by model and by provider.
 *
 * @param name the workflow or model name the totals were recorded under
 * @param total totals over every request and attempt; its {@link CostTotals#errorRate()} is the spec's, per request
 * @param byModel totals per model that answered
 * @param byProvider totals per provider
 */
public record CostSnapshot(String name, CostTotals total, Map<String, CostTotals> byModel,
        Map<String, CostTotals> byProvider) {
    public CostSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(total, "total");
        byModel = Map.copyOf(byModel);
        byProvider = Map.copyOf(byProvider);
    }
}
