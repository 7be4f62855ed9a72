package dev.costwise.llm.sim;

import java.util.random.RandomGenerator;

/**
 * How many output tokens a simulated answer has. The generator passed in is derived from the simulator's seed and
 * the request, so the same request always gets the same length.
 */
@FunctionalInterface
public interface OutputLength {

    /**
     * Draws a length.
     *
     * @param random the generator to draw from
     * @return output tokens, at least 1 (smaller values are raised to 1)
     */
    long sample(RandomGenerator random);

    /**
     * Always {@code tokens}.
     *
     * @param tokens the length, at least 1
     * @return the distribution
     * @throws IllegalArgumentException if {@code tokens} is below 1
     */
    static OutputLength fixed(long tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("output tokens must be >= 1, was " + tokens);
        }
        return random -> tokens;
    }

    /**
     * Uniform in {@code [min, max]}.
     *
     * @param min the shortest, at least 1
     * @param max the longest, at least {@code min}
     * @return the distribution
     * @throws IllegalArgumentException if {@code min < 1} or {@code max < min}
     */
    static OutputLength uniform(long min, long max) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("need 1 <= min <= max, were min=" + min + ", max=" + max);
        }
        return random -> random.nextLong(min, max + 1);
    }

    /**
     * Normal around {@code mean} with {@code stdDev}, at least 1 token.
     *
     * @param mean the mean length, at least 1
     * @param stdDev the standard deviation, not negative
     * @return the distribution
     * @throws IllegalArgumentException if {@code mean < 1} or {@code stdDev < 0}
     */
    static OutputLength normal(double mean, double stdDev) {
        if (!(mean >= 1) || !(stdDev >= 0)) {
            throw new IllegalArgumentException("need mean >= 1 and stdDev >= 0, were mean=" + mean + ", stdDev="
                    + stdDev);
        }
        return random -> Math.max(1, Math.round(random.nextGaussian(mean, stdDev)));
    }
}
