package dev.costwise.llm.catalog;

/** A feature a model supports, used to pick a capable model. */
public enum Capability {
    /** Function calling. */
    TOOLS,
    /** Image input. */
    VISION,
    /** JSON mode or structured output. */
    JSON,
    /** Hidden reasoning tokens (o-series, R1, thinking models). */
    REASONING,
    /** Streaming responses. */
    STREAMING
}
