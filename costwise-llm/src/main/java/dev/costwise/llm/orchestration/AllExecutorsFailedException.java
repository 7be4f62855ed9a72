package dev.costwise.llm.orchestration;

import dev.costwise.core.CostwiseException;
import java.util.List;
import java.util.stream.Collectors;

/** Every executor of a fallback chain failed (or the deadline passed first); each cause is attached as suppressed. */
public final class AllExecutorsFailedException extends CostwiseException {
    private final List<FallbackStep> attempts;
    private final List<String> outOfTime;

    /**
     * @param task the task's description, shortened
     * @param attempts each executor tried and why it failed
     * @param why a closing note, such as the deadline passing, or empty
     */
    public AllExecutorsFailedException(String task, List<FallbackStep> attempts, String why) {
        this(task, attempts, why, List.of());
    }

    /**
     * @param task the task's description, shortened
     * @param attempts each executor tried and why it failed
     * @param why a closing note, such as the deadline passing, or empty
     * @param outOfTime the executors left untried because the deadline passed, in chain order
     */
    public AllExecutorsFailedException(String task, List<FallbackStep> attempts, String why, List<String> outOfTime) {
        super("every executor failed for task '" + task + "': " + attempts.stream()
                .map(a -> a.model() + " (" + a.errorKind() + ")").collect(Collectors.joining(" -> "))
                + (why.isEmpty() ? "" : "; " + why));
        this.attempts = List.copyOf(attempts);
        this.outOfTime = List.copyOf(outOfTime);
    }

    /** @return the executors left untried because the deadline passed, in chain order; empty if it did not */
    public List<String> outOfTime() {
        return outOfTime;
    }

    /** @return each executor tried, in order, and why it failed */
    public List<FallbackStep> attempts() {
        return attempts;
    }
}
