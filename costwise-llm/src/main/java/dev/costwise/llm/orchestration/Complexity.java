package dev.costwise.llm.orchestration;

/**
 * How hard a task is, and so the least capable model tier ({@link dev.costwise.llm.catalog.ModelInfo#tier()}) that
 * should handle it.
 */
public enum Complexity {
    /** A lookup, a one-liner, a short reply: any small model does it. */
    SIMPLE(1),
    /** A few steps or a medium-length output: a mid-size model. */
    MODERATE(2),
    /** Multi-step work, code with edge cases, long structured output: a strong model. */
    COMPLEX(3),
    /** Proofs, system design, long multi-constraint work: a frontier model. */
    EXPERT(4);

    private final int minimumTier;

    Complexity(int minimumTier) {
        this.minimumTier = minimumTier;
    }

    /** @return the lowest model tier (1 to 4) that should handle a task of this complexity */
    public int minimumTier() {
        return minimumTier;
    }

    /** @return the next harder level, or this one for {@link #EXPERT} */
    public Complexity harder() {
        return this == EXPERT ? EXPERT : values()[ordinal() + 1];
    }
}
