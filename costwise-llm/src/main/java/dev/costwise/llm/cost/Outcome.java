package dev.costwise.llm.cost;

/** How one billed attempt ended. */
public enum Outcome {
    /** The answer reached the caller. */
    SUCCESS,
    /** Answered from Costwise's cache; nothing was billed. */
    CACHE_HIT,
    /** The provider failed; tokens it billed anyway (if any) are wasted spend. */
    FAILED,
    /** A retry or fallback replaced this attempt's answer; its spend is wasted. */
    SUPERSEDED,
    /** The client closed a stream before its end; what was generated is still billed. */
    ABORTED,
    /** Costwise refused the call (budget, rate limit) before any provider was called. */
    REJECTED
}
