package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The orchestrator's judgement of an executor's output against a rubric.
 *
 * @param passed whether the output is accepted (for a malformed verdict, what the {@link MalformedVerdictPolicy}
 *     made of it)
 * @param reasons the validator's reasons; for a malformed verdict, what was wrong with it
 * @param malformed {@code true} when the validator's answer was not the JSON asked for (or the call failed)
 * @param model the model judged
 * @param usage tokens the validation call used
 * @param cost what the validation call cost
 * @param latency how long it took
 * @param problem what was wrong with a malformed verdict
 */
public record Verdict(boolean passed, List<String> reasons, boolean malformed, String model, Usage usage, Money cost,
        Duration latency, Optional<String> problem) {

    public Verdict {
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(problem, "problem");
    }

    /** @return {@link Validation#UNREADABLE} for a malformed verdict, else whether it passed */
    public Validation result() {
        return malformed ? Validation.UNREADABLE : passed ? Validation.PASSED : Validation.FAILED;
    }
}
