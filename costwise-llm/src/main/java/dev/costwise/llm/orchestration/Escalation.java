package dev.costwise.llm.orchestration;

import java.util.List;
import java.util.Objects;

/**
 * A move to a stronger model after a failed validation.
 *
 * @param from the model whose output failed
 * @param to the stronger model tried next
 * @param fromTier the tier of {@code from}
 * @param toTier the tier of {@code to}
 * @param reasons the validator's reasons for the fail
 */
public record Escalation(String from, String to, int fromTier, int toTier, List<String> reasons) {
    public Escalation {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        reasons = List.copyOf(reasons);
    }
}
