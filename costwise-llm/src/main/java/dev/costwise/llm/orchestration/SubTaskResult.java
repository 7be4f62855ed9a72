package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one sub-task ended.
 *
 * @param subTask the step
 * @param status completed, failed (every executor of its chain failed) or cut off (the deadline passed)
 * @param executorModel the executor that answered, if one did
 * @param content its answer, if any
 * @param usage tokens it used
 * @param cost what it cost
 * @param fallbacks executors that failed before the answer (or before giving up)
 * @param error why it failed or was cut off
 */
public record SubTaskResult(SubTask subTask, Status status, Optional<String> executorModel, Optional<String> content,
        Usage usage, Money cost, List<FallbackStep> fallbacks, Optional<String> error) {

    /** How a sub-task ended. */
    public enum Status {
        /** An executor answered. */
        COMPLETED,
        /** Every executor of its chain failed. */
        FAILED,
        /** The request's deadline passed first; the call was interrupted. */
        CUT_OFF
    }

    public SubTaskResult {
        Objects.requireNonNull(subTask, "subTask");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(executorModel, "executorModel");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(cost, "cost");
        fallbacks = List.copyOf(fallbacks);
        Objects.requireNonNull(error, "error");
    }

    static SubTaskResult cutOff(SubTask task) {
        return new SubTaskResult(task, Status.CUT_OFF, Optional.empty(), Optional.empty(), Usage.ZERO, Money.ZERO,
                List.of(), Optional.of("deadline passed"));
    }
}
