package dev.costwise.planner.scenario;

import java.util.random.RandomGenerator;

/**
 * A distribution of token counts (prompt or output length) in a scenario. Written in YAML as a bare number (fixed),
 * {@code {fixed: 1000}}, {@code {uniform: {min: 200, max: 800}}}, {@code {normal: {mean: 500, stdDev: 100}}} or
 * {@code {lognormal: {median: 400, sigma: 0.6}}}. Every draw is at least 1 token.
 */
public sealed interface TokenDistribution {

    /**
     * Draws a count.
     *
     * @param random the generator
     * @return tokens, at least 1
     */
    long sample(RandomGenerator random);

    /** @return the expected count (before the floor of 1 token) */
    double mean();

    /**
     * Always the same count.
     *
     * @param tokens the count, at least 1
     */
    record Fixed(long tokens) implements TokenDistribution {
        public Fixed {
            ScenarioException.require(tokens >= 1, "fixed tokens must be >= 1, was %s", tokens);
        }

        @Override
        public long sample(RandomGenerator random) {
            return tokens;
        }

        @Override
        public double mean() {
            return tokens;
        }
    }

    /**
     * Uniform in {@code [min, max]}.
     *
     * @param min the smallest, at least 1
     * @param max the largest, at least {@code min}
     */
    record Uniform(long min, long max) implements TokenDistribution {
        public Uniform {
            ScenarioException.require(min >= 1 && max >= min, "uniform needs 1 <= min <= max, was min=%s max=%s",
                    min, max);
        }

        @Override
        public long sample(RandomGenerator random) {
            return random.nextLong(min, max + 1);
        }

        @Override
        public double mean() {
            return (min + max) / 2.0;
        }
    }

    /**
     * Normal, rounded, at least 1.
     *
     * @param mean the mean, at least 1
     * @param stdDev the standard deviation, not negative
     */
    record Normal(double mean, double stdDev) implements TokenDistribution {
        public Normal {
            ScenarioException.require(mean >= 1 && stdDev >= 0, "normal needs mean >= 1 and stdDev >= 0, was mean=%s"
                    + " stdDev=%s", mean, stdDev);
        }

        @Override
        public long sample(RandomGenerator random) {
            return Math.max(1, Math.round(random.nextGaussian(mean, stdDev)));
        }
    }

    /**
     * Log-normal (long tail of long prompts): {@code median × e^(sigma·Z)}.
     *
     * @param median the median, at least 1
     * @param sigma the shape, not negative
     */
    record LogNormal(double median, double sigma) implements TokenDistribution {
        public LogNormal {
            ScenarioException.require(median >= 1 && sigma >= 0, "lognormal needs median >= 1 and sigma >= 0, was"
                    + " median=%s sigma=%s", median, sigma);
        }

        @Override
        public long sample(RandomGenerator random) {
            return Math.max(1, Math.round(median * Math.exp(sigma * random.nextGaussian())));
        }

        @Override
        public double mean() {
            return median * Math.exp(sigma * sigma / 2);
        }
    }
}
