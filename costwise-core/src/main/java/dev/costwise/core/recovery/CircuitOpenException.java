package dev.costwise.core.recovery;

import dev.costwise.core.CostwiseException;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link CircuitBreaker} refused a call without making it. Cheap: it has no stack trace. A {@link Fallback} always
 * treats it as a reason to move to the next target.
 *
 * <p>The message names the breaker, the state that refused the call and, while the circuit is open, how long it
 * still refuses every call ({@link #remainingOpenDuration()}, what a server maps to {@code Retry-After}).
 */
public final class CircuitOpenException extends CostwiseException {

    private final String name;
    private final CircuitState state;
    private final Duration remainingOpenDuration;

    /**
     * A refusal with no known wait: the message says nothing of when a call is let through.
     *
     * @param name the breaker's name
     * @param state the state that refused the call ({@code OPEN}, or {@code HALF_OPEN} with no probe left)
     */
    public CircuitOpenException(String name, CircuitState state) {
        this(name, state, Duration.ZERO);
    }

    /**
     * @param name the breaker's name
     * @param state the state that refused the call ({@code OPEN}, or {@code HALF_OPEN} with no probe left)
     * @param remainingOpenDuration how long an open circuit still refuses every call; zero when not known, or when
     *     the refusal ends with a probe's outcome ({@code HALF_OPEN}) rather than after a wait
     * @throws IllegalArgumentException if {@code remainingOpenDuration} is negative
     */
    public CircuitOpenException(String name, CircuitState state, Duration remainingOpenDuration) {
        super(message(name, state, remainingOpenDuration), null, false);
        this.name = Objects.requireNonNull(name, "name");
        this.state = Objects.requireNonNull(state, "state");
        this.remainingOpenDuration = remainingOpenDuration;
    }

    private static String message(String name, CircuitState state, Duration remaining) {
        Objects.requireNonNull(remaining, "remainingOpenDuration");
        if (remaining.isNegative()) {
            throw new IllegalArgumentException("remainingOpenDuration cannot be negative, was " + remaining);
        }
        String refused = "circuit breaker '" + name + "' is " + state + " and does not permit further calls";
        if (state == CircuitState.HALF_OPEN) {
            return refused + " until one of its probe calls ends";
        }
        return remaining.isZero() ? refused : refused + " for another " + rounded(remaining);
    }

    /** Rounds up, as a {@code Retry-After} would be: a caller retrying after the time shown is let through. */
    private static String rounded(Duration d) {
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            return Math.max(1, (d.toNanos() + 999_999) / 1_000_000) + " ms";
        }
        return (d.getSeconds() + (d.getNano() > 0 ? 1 : 0)) + " s";
    }

    /** @return the breaker's name */
    public String name() {
        return name;
    }

    /** @return the state that refused the call */
    public CircuitState state() {
        return state;
    }

    /**
     * How long the open circuit still refused every call when this was thrown: the earliest a retry can be let
     * through, what a server maps to {@code Retry-After}.
     *
     * @return the remaining wait; zero when not known, or in {@code HALF_OPEN}, where the refusal ends when a probe
     *     call ends
     */
    public Duration remainingOpenDuration() {
        return remainingOpenDuration;
    }
}
