package dev.costwise.planner.replay;

import java.util.Objects;

/**
 * A trace line that was skipped.
 *
 * @param line the 1-based line number
 * @param reason why, naming the field or value
 */
public record TraceError(int line, String reason) {
    public TraceError {
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return "line " + line + ": " + reason;
    }
}
