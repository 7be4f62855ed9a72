package dev.costwise.llm.sim;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/** How long a simulated call takes, given its output length. */
@FunctionalInterface
public interface LatencyModel {

    /**
     * Draws a latency.
     *
     * @param random the simulator's generator
     * @param outputTokens the answer's length
     * @return the latency, not negative
     */
    Duration sample(RandomGenerator random, long outputTokens);

    /** @return no latency at all */
    static LatencyModel none() {
        return (random, tokens) -> Duration.ZERO;
    }

    /**
     * Always {@code latency}.
     *
     * @param latency the latency, not negative
     * @return the model
     * @throws IllegalArgumentException if {@code latency} is negative
     */
    static LatencyModel fixed(Duration latency) {
        requireNotNegative("latency", latency);
        return (random, tokens) -> latency;
    }

    /**
     * Uniform in {@code [min, max]}, to the millisecond.
     *
     * @param min the fastest
     * @param max the slowest, at least {@code min}
     * @return the model
     * @throws IllegalArgumentException if {@code min} is negative or {@code max < min}
     */
    static LatencyModel uniform(Duration min, Duration max) {
        requireNotNegative("min", min);
        Objects.requireNonNull(max, "max");
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("max must be >= min, were min=" + min + ", max=" + max);
        }
        return (random, tokens) -> min.plusMillis(random.nextLong(max.toMillis() - min.toMillis() + 1));
    }

    /**
     * Time to first token plus a time per output token, like a real model streaming its answer.
     *
     * @param firstToken time to the first token
     * @param perToken time per output token
     * @return the model
     * @throws IllegalArgumentException if either is negative
     */
    static LatencyModel perOutputToken(Duration firstToken, Duration perToken) {
        requireNotNegative("firstToken", firstToken);
        requireNotNegative("perToken", perToken);
        return (random, tokens) -> firstToken.plus(perToken.multipliedBy(tokens));
    }

    private static void requireNotNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " cannot be negative, was " + d);
        }
    }
}
