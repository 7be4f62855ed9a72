package dev.costwise.core;

import java.util.Objects;

/**
 * The thread running a primitive was interrupted while it waited (for a backoff, a parallel branch, a shared cache
 * load, a bulkhead permit). The thread's interrupt flag is set again before this is thrown.
 */
public final class CallInterruptedException extends CostwiseException {

    private final String primitive;

    /**
     * @param primitive the name of the primitive that was waiting
     * @param cause the {@link InterruptedException}
     */
    public CallInterruptedException(String primitive, InterruptedException cause) {
        super("'" + primitive + "' was interrupted while waiting", cause);
        this.primitive = Objects.requireNonNull(primitive, "primitive");
    }

    /** @return the name of the primitive that was waiting */
    public String primitive() {
        return primitive;
    }
}
