package dev.costwise.planner.replay;

import java.util.Locale;

/** A judge's comparison of the pipeline's answer with the baseline's. */
public enum Verdict {
    /** As good as the baseline. */
    SAME,
    /** Better than the baseline. */
    BETTER,
    /** Worse than the baseline. */
    WORSE,
    /** The judge's answer could not be read. */
    UNPARSABLE;

    /** @return the lower-case name */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
