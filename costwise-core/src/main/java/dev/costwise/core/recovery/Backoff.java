package dev.costwise.core.recovery;

import dev.costwise.core.internal.Checks;
import java.time.Duration;

/**
 * The delay before a retry, before jitter and the maximum delay are applied by {@link RetryConfig}.
 *
 * <p>{@code retry} is 1 for the first retry. Implementations must be pure and thread-safe.
 */
@FunctionalInterface
public interface Backoff {

    /**
     * The delay before the given retry.
     *
     * @param retry 1 for the first retry, 2 for the second…
     * @param initialDelay the configured initial delay
     * @return the delay, not negative
     */
    Duration delay(int retry, Duration initialDelay);

    /** @return the same delay before every retry */
    static Backoff constant() {
        return (retry, initial) -> initial;
    }

    /** @return {@code initialDelay × retry}: 1×, 2×, 3×… */
    static Backoff linear() {
        return (retry, initial) -> initial.multipliedBy(retry);
    }

    /** @return {@code initialDelay × 2^(retry-1)}: 1×, 2×, 4×… */
    static Backoff exponential() {
        return exponential(2.0);
    }

    /**
     * Exponential backoff with a given multiplier.
     *
     * @param multiplier the growth factor, at least 1
     * @return {@code initialDelay × multiplier^(retry-1)}
     * @throws IllegalArgumentException if {@code multiplier} is below 1 or not finite
     */
    static Backoff exponential(double multiplier) {
        Checks.requireArgument(multiplier >= 1.0 && Double.isFinite(multiplier),
                "multiplier must be a finite number >= 1, was %s", multiplier);
        return (retry, initial) -> {
            double nanos = initial.toNanos() * Math.pow(multiplier, retry - 1);
            return nanos >= Long.MAX_VALUE / 4.0 ? Duration.ofNanos(Long.MAX_VALUE / 4) : Duration.ofNanos((long) nanos);
        };
    }
}
