package dev.costwise.core.recovery;

import dev.costwise.core.DeadlineExceededException;
import java.time.Duration;

/** A {@link Timeout} expired and the call was interrupted. Names the timeout and its duration. */
public final class TimeoutExceededException extends DeadlineExceededException {

    /**
     * @param primitive the timeout's name
     * @param timeout the duration that expired
     */
    public TimeoutExceededException(String primitive, Duration timeout) {
        super(primitive, timeout, "timeout '" + primitive + "' expired after " + timeout + "; the call was interrupted");
    }
}
