package dev.costwise.core.recovery;

import dev.costwise.core.CostwiseException;
import java.util.Objects;

/**
 * A request used every attempt its {@link AttemptBudget} allows; no further retry or fallback is made. The last failure
 * is the cause. Retry and Fallback never retry or fall back on this exception.
 */
public final class AttemptBudgetExceededException extends CostwiseException {

    private final String primitive;
    private final int maxAttempts;

    /**
     * @param primitive the primitive that wanted one more attempt
     * @param maxAttempts the request's limit
     * @param lastFailure the failure that would have been retried or fallen back from
     */
    public AttemptBudgetExceededException(String primitive, int maxAttempts, Throwable lastFailure) {
        super("'" + primitive + "' cannot make another attempt: the request's attempt budget of maxAttempts="
                + maxAttempts + " is used up", lastFailure);
        this.primitive = Objects.requireNonNull(primitive, "primitive");
        this.maxAttempts = maxAttempts;
    }

    /** @return the primitive that wanted one more attempt */
    public String primitive() {
        return primitive;
    }

    /** @return the request's attempt limit */
    public int maxAttempts() {
        return maxAttempts;
    }
}
