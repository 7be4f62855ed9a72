package dev.costwise.core;

import java.time.Duration;
import java.util.Objects;

/**
 * A call ran out of time: the request's deadline passed, or a {@code Timeout} bound expired.
 *
 * <p>Carries the name of the primitive that gave up and the bound it enforced.
 */
public class DeadlineExceededException extends CostwiseException {

    private final String primitive;
    private final Duration bound;

    /**
     * @param primitive the name of the primitive that gave up
     * @param bound the time it allowed the call
     */
    public DeadlineExceededException(String primitive, Duration bound) {
        this(primitive, bound, "'" + primitive + "' exceeded the request deadline (" + bound + " remaining when it started)");
    }

    /**
     * @param primitive the name of the primitive that gave up
     * @param bound the time it allowed the call
     * @param message the full message
     */
    protected DeadlineExceededException(String primitive, Duration bound, String message) {
        super(message);
        this.primitive = Objects.requireNonNull(primitive, "primitive");
        this.bound = Objects.requireNonNull(bound, "bound");
    }

    /** @return the name of the primitive that gave up */
    public String primitive() {
        return primitive;
    }

    /** @return the time the primitive allowed the call */
    public Duration bound() {
        return bound;
    }
}
