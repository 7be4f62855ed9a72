package dev.costwise.llm.orchestration;

/**
 * How much of a model's rate limits is still unused, from 0 (exhausted) to 1 (untouched).
 *
 * <p>The classifier and the workflow avoid a free model whose headroom is below their threshold, so a free tier is
 * left before it answers 429. The usage tracker implements this from its sliding windows; {@link #UNKNOWN} treats every
 * model as untouched. Implementations must be fast, thread-safe and must not throw.
 */
@FunctionalInterface
public interface Headroom {

    /** Every model has full headroom: used when no usage tracker is plugged in. */
    Headroom UNKNOWN = model -> 1.0;

    /**
     * The unused share of {@code model}'s tightest rate limit.
     *
     * @param model the catalog model name
     * @return a value in [0, 1]
     */
    double of(String model);
}
