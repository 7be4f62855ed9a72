package dev.costwise.core.recovery;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Checks;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the attempts one request makes across every {@link Retry} and {@link Fallback} it passes through, so that
 * retries × fallbacks cannot multiply traffic.
 *
 * <p>The budget lives in the {@link WorkflowContext#metadata() context metadata} under {@link #METADATA_KEY}, so it is
 * shared by nested primitives and by parallel branches (forks share metadata). The request's first attempt is counted
 * when the budget is installed; every retry and every move to a further fallback target takes one more. When none is
 * left, the primitive fails with {@link AttemptBudgetExceededException} naming the limit.
 *
 * <pre>{@code
 * AttemptBudget.install(ctx, 4);   // at most 4 calls reach providers for this request
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class AttemptBudget {

    /** The metadata key the budget is stored under. */
    public static final String METADATA_KEY = "costwise.attemptBudget";

    private final int maxAttempts;
    private final AtomicInteger used = new AtomicInteger(1);

    private AttemptBudget(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    /**
     * Creates a budget and stores it in the context, replacing any earlier one.
     *
     * @param context the request's context
     * @param maxAttempts the most calls the request may make, first attempt included
     * @return the budget installed
     * @throws IllegalArgumentException if {@code maxAttempts} is below 1
     */
    public static AttemptBudget install(WorkflowContext context, int maxAttempts) {
        Objects.requireNonNull(context, "context");
        Checks.requireArgument(maxAttempts >= 1, "maxAttempts must be >= 1, was %s", maxAttempts);
        AttemptBudget budget = new AttemptBudget(maxAttempts);
        context.metadata().put(METADATA_KEY, budget);
        return budget;
    }

    /**
     * The budget of a request, if one was installed.
     *
     * @param context the request's context
     * @return the budget
     */
    public static Optional<AttemptBudget> of(WorkflowContext context) {
        Object value = context.metadata().get(METADATA_KEY);
        return value instanceof AttemptBudget b ? Optional.of(b) : Optional.empty();
    }

    /**
     * Takes one attempt from the request's budget, if it has one; does nothing otherwise.
     *
     * @param context the request's context
     * @param primitive the primitive asking, for the error message
     * @param lastFailure the failure that prompts the extra attempt, attached as the cause when refused
     * @throws AttemptBudgetExceededException if the budget is used up
     */
    static void consume(WorkflowContext context, String primitive, Throwable lastFailure) {
        Object value = context.metadata().get(METADATA_KEY);
        if (value instanceof AttemptBudget b && !b.tryAcquire()) {
            throw new AttemptBudgetExceededException(primitive, b.maxAttempts, lastFailure);
        }
    }

    /** Gives back one attempt that was taken but not used (the target's circuit was open). */
    static void refund(WorkflowContext context) {
        Object value = context.metadata().get(METADATA_KEY);
        if (value instanceof AttemptBudget b) {
            b.used.decrementAndGet();
        }
    }

    /**
     * Takes one attempt.
     *
     * @return {@code true} if one was left
     */
    public boolean tryAcquire() {
        while (true) {
            int current = used.get();
            if (current >= maxAttempts) {
                return false;
            }
            if (used.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** @return the most attempts the request may make */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return the attempts made or reserved so far, the first one included */
    public int used() {
        return used.get();
    }

    /** @return the attempts still allowed */
    public int remaining() {
        return Math.max(0, maxAttempts - used.get());
    }
}
