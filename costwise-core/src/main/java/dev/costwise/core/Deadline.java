package dev.costwise.core;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * A point in time by which a request must finish, read on a nanosecond {@link Ticker} so tests can advance it.
 *
 * <p>Nested primitives respect the outer deadline: a {@code Timeout} narrows it, a {@code Retry} never sleeps past it.
 *
 * @param atNanos the ticker reading at which the deadline passes
 * @param ticker the time source the deadline is read on
 */
public record Deadline(long atNanos, Ticker ticker) {

    public Deadline {
        Objects.requireNonNull(ticker, "ticker");
    }

    /**
     * A deadline {@code timeout} from now on {@code ticker}.
     *
     * @param timeout how long from now; must not be negative
     * @param ticker the time source
     * @return the deadline
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static Deadline after(Duration timeout, Ticker ticker) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout cannot be negative: " + timeout);
        }
        return new Deadline(ticker.read() + saturatedNanos(timeout), ticker);
    }

    /** @return the time left, zero once the deadline has passed */
    public Duration remaining() {
        long left = atNanos - ticker.read();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    /** @return {@code true} once the deadline has passed */
    public boolean isExpired() {
        return atNanos - ticker.read() <= 0;
    }

    /**
     * The earlier of this deadline and one {@code timeout} from now.
     *
     * @param timeout the narrower bound
     * @return whichever comes first
     */
    public Deadline narrowTo(Duration timeout) {
        Deadline other = after(timeout, ticker);
        return other.atNanos - atNanos < 0 ? other : this;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }
}
