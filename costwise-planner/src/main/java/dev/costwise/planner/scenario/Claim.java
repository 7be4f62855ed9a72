package dev.costwise.planner.scenario;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One figure the spec claims, to compare with the simulated one.
 *
 * @param label what the spec says, such as {@code "After: total per day"}
 * @param metric the simulated metric to compare (see {@code PlanReport#metric})
 * @param spec the spec's figure (the lower end of a range)
 * @param max the upper end when the spec claims a range ("80-95%")
 * @param note why the spec's figure differs, when it does (shown in the verdict)
 */
public record Claim(String label, String metric, BigDecimal spec, java.util.Optional<BigDecimal> max, String note) {
    public Claim {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(note, "note");
    }
}
