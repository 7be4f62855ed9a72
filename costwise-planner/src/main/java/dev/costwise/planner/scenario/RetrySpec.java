package dev.costwise.planner.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * Retries of transient provider failures (rate limit, overload, server error, timeout, connection), never of a
 * caller's mistake. Backoff is exponential from {@code initialDelay}, capped at {@code maxDelay}; the planner adds the
 * waits up (it does not sleep).
 *
 * @param maxRetries retries after the first attempt, at least 0
 * @param initialDelay the first wait
 * @param maxDelay the longest wait
 */
public record RetrySpec(int maxRetries, Duration initialDelay, Duration maxDelay) {

    public RetrySpec {
        ScenarioException.require(maxRetries >= 0, "retry maxRetries must be >= 0, was %s", maxRetries);
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
    }

    /**
     * The wait before retry number {@code retry} (1-based).
     *
     * @param retry the retry number
     * @return the delay
     */
    public Duration delayBefore(int retry) {
        long millis = initialDelay.toMillis() << Math.min(20, retry - 1);
        return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
    }
}
