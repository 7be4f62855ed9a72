package dev.costwise.llm.orchestration;

import dev.costwise.core.CostwiseException;
import java.util.List;
import java.util.stream.Collectors;

/** Every executor of a fallback chain failed (or the deadline passed first); each cause is attached as suppressed. */
public final class AllExecutorsFailedException extends CostwiseException {
    private final List<FallbackStep> attempts;

    /**
     * @param task the task's description, shortened
     * @param attempts each executor tried and why it failed
     * @param why a closing note, such as the deadline passing, or empty
     */
    public AllExecutorsFailedException(String task, List<FallbackStep> attempts, String why) {
        super("every executor failed for task '" + task + "': " + attempts.stream()
                .map(a -> a.model() + " (" + a.errorKind() + ")").collect(Collectors.joining(" -> "))
                + (why.isEmpty() ? "" : "; " + why));
        this.attempts = List.copyOf(attempts);
    }

    /** @return each executor tried, in order, and why it failed */
    public List<FallbackStep> attempts() {
        return attempts;
    }
}
