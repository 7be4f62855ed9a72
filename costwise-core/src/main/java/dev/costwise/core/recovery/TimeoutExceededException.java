package dev.costwise.core.recovery;

import dev.costwise.core.DeadlineExceededException;
import java.time.Duration;

/**
 * A {@link Timeout} expired: the call was interrupted, or the work it bounded (a stream) was stopped. Names the timeout
 * and its duration.
 */
public final class TimeoutExceededException extends DeadlineExceededException {

    /**
     * @param primitive the timeout's name
     * @param timeout the duration that expired
     */
    public TimeoutExceededException(String primitive, Duration timeout) {
        this(primitive, timeout, "the call was interrupted");
    }

    /** For a bound on work that is not one call ({@link Timeout#start}), which is stopped rather than interrupted. */
    TimeoutExceededException(String primitive, Duration timeout, String outcome) {
        super(primitive, timeout, "timeout '" + primitive + "' expired after " + timeout + "; " + outcome);
    }
}
