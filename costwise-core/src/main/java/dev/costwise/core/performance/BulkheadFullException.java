package dev.costwise.core.performance;

import dev.costwise.core.CostwiseException;
import java.time.Duration;
import java.util.Objects;

/** A {@link Throttle} had no free slot within its wait. Cheap: no stack trace. */
public final class BulkheadFullException extends CostwiseException {

    private final String name;
    private final int maxConcurrent;

    /**
     * @param name the throttle's name
     * @param maxConcurrent its limit
     * @param waited how long the call waited for a slot
     */
    public BulkheadFullException(String name, int maxConcurrent, Duration waited) {
        super("throttle '" + name + "' is full: maxConcurrent=" + maxConcurrent + " calls in flight, waited " + waited,
                null, false);
        this.name = Objects.requireNonNull(name, "name");
        this.maxConcurrent = maxConcurrent;
    }

    /** @return the throttle's name */
    public String name() {
        return name;
    }

    /** @return the throttle's concurrency limit */
    public int maxConcurrent() {
        return maxConcurrent;
    }
}
