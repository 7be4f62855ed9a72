package dev.costwise.llm.cost;

/** How the cost of a call is known. */
public enum PriceStatus {
    /** Priced from the model catalog (or a user's override). */
    PRICED,
    /**
     * What the provider said it charged for the call ({@link dev.costwise.llm.chat.Usage#reportedCost()}, such as
     * OpenRouter's {@code usage.cost}), taken as it came instead of a catalog price.
     */
    PROVIDER_REPORTED,
    /** Served by a free tier within its limits: $0 by the provider's terms. */
    FREE_TIER,
    /** A local or self-hosted model with no per-token price. */
    LOCAL,
    /** No price is known; the caller allowed unpriced models, so the cost reads $0 but is not known to be. */
    UNPRICED,
    /** Answered from Costwise's cache: no provider was called. */
    CACHE_HIT,
    /** Produced by the simulator. */
    SIMULATED
}
