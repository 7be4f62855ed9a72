package dev.costwise.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link FailureClassifier} says about one failure.
 *
 * @param retryable whether the same call may succeed if tried again (a timeout, a 429, a 503)
 * @param fallbackable whether the next fallback should be tried (an outage, a rate limit, a context-length error);
 *     {@code false} for a caller's mistake such as an invalid request or a bad credential
 * @param retryAfter the provider's hint of when to try again, if it gave one
 * @param reason a short, stable word for metrics and records ({@code rate_limited}, {@code timeout}, {@code invalid})
 */
public record FailureVerdict(boolean retryable, boolean fallbackable, Optional<Duration> retryAfter, String reason) {

    /** A failure that is neither retried nor passed to a fallback. */
    public static final FailureVerdict FATAL = new FailureVerdict(false, false, Optional.empty(), "fatal");

    public FailureVerdict {
        Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(reason, "reason");
        retryAfter.ifPresent(d -> {
            if (d.isNegative()) {
                throw new IllegalArgumentException("retryAfter cannot be negative: " + d);
            }
        });
    }

    /**
     * A transient failure: retry it, and move to a fallback when retries are spent.
     *
     * @param reason a short word for metrics
     * @return the verdict
     */
    public static FailureVerdict transientFailure(String reason) {
        return new FailureVerdict(true, true, Optional.empty(), reason);
    }

    /**
     * A failure not worth retrying on the same target but worth a fallback (for example a context-length error).
     *
     * @param reason a short word for metrics
     * @return the verdict
     */
    public static FailureVerdict fallbackOnly(String reason) {
        return new FailureVerdict(false, true, Optional.empty(), reason);
    }

    /**
     * A caller's mistake: never retried, never passed to a fallback.
     *
     * @param reason a short word for metrics
     * @return the verdict
     */
    public static FailureVerdict fatal(String reason) {
        return new FailureVerdict(false, false, Optional.empty(), reason);
    }

    /**
     * Returns a copy with a retry-after hint.
     *
     * @param delay when the provider says to try again
     * @return the new verdict
     */
    public FailureVerdict withRetryAfter(Duration delay) {
        return new FailureVerdict(retryable, fallbackable, Optional.of(delay), reason);
    }
}
