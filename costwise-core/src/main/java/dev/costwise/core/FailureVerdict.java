package dev.costwise.core;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
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
     * The verdict on a failure made of several, such as every target of a fallback failing: retryable if any part is,
     * fallbackable if any part is, with the reason of the first retryable part (else of the last part).
     *
     * <p>The retry-after is the shortest hint a retryable part gave; parts that gave none do not shorten it. A retry
     * of a fallback runs its targets again from the first, so retrying before the first target that asked for a wait
     * is ready again would spend the retry on a rejection the provider announced (the primary's 429), while the
     * retry's own backoff still spaces out targets that gave no hint; the shortest hint, not the longest, so that the
     * first target known to be ready is tried as soon as it is. With no hint from a retryable part there is none.
     *
     * @param parts the verdicts on each part, in the order they were tried; not empty
     * @return the combined verdict
     * @throws IllegalArgumentException if {@code parts} is empty
     */
    public static FailureVerdict anyOf(List<FailureVerdict> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("anyOf needs at least one verdict, was none");
        }
        List<FailureVerdict> retryable = parts.stream().filter(FailureVerdict::retryable).toList();
        boolean fallbackable = parts.stream().anyMatch(FailureVerdict::fallbackable);
        String reason = (retryable.isEmpty() ? parts.getLast() : retryable.getFirst()).reason();
        Optional<Duration> soonest = retryable.stream().flatMap(v -> v.retryAfter().stream())
                .min(Comparator.naturalOrder());
        return new FailureVerdict(!retryable.isEmpty(), fallbackable, soonest, reason);
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
