package dev.costwise.llm.orchestration;

import java.util.Optional;

/**
 * How much of a model's rate limits is still unused, from 0 (exhausted) to 1 (untouched).
 *
 * <p>The classifier and the workflow avoid a free model whose headroom is below their threshold, so a free tier is
 * left before it answers 429. The usage tracker implements this from its sliding windows; {@link #UNKNOWN} treats every
 * model as untouched. Implementations must be fast, thread-safe and must not throw.
 */
@FunctionalInterface
public interface Headroom {

    /** Every model has full headroom, as nothing is known of it: used when no usage tracker is plugged in. */
    Headroom UNKNOWN = new Headroom() {
        @Override
        public double of(String model) {
            return 1.0;
        }

        @Override
        public Optional<Double> known(String model) {
            return Optional.empty();
        }
    };

    /**
     * The unused share of {@code model}'s tightest rate limit.
     *
     * @param model the catalog model name
     * @return a value in [0, 1]
     */
    double of(String model);

    /**
     * The headroom of {@code model} when something is known of its limits (a limit configured or reported by its
     * provider), so that a report can tell a measured 100% from a model nothing is known of; {@link #of} counts the
     * latter as full. Default: {@link #of}, as measured.
     *
     * @param model the catalog model name
     * @return the headroom, or empty when nothing is known of the model's limits
     */
    default Optional<Double> known(String model) {
        return Optional.of(of(model));
    }
}
