package dev.costwise.core.recovery;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.internal.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * Caps retries as a share of calls over a sliding window, like Finagle's and gRPC's retry budgets, so a sustained
 * outage does not multiply traffic.
 *
 * <p>Within the last {@code window}, a retry is allowed while
 * {@code retries < minRetriesPerSecond × windowSeconds + ratio × calls}. With the defaults (ratio 0.2, 10 retries per
 * second, a 10 s window) a service taking 1,000 calls a second may add at most about 300 retries a second, whatever
 * its retry settings say. Share one budget among the {@link Retry} instances that call the same dependency.
 *
 * <p>Thread-safe; time is read on the injected {@link Ticker}.
 */
public final class RetryBudget {

    private static final int BUCKETS = 10;

    private final double ratio;
    private final double minRetriesPerSecond;
    private final Duration window;
    private final Ticker ticker;
    private final boolean unlimited;
    private final long bucketNanos;
    private final long[] calls = new long[BUCKETS];
    private final long[] retries = new long[BUCKETS];
    private final long[] bucketStart = new long[BUCKETS];

    private RetryBudget(Builder b, boolean unlimited) {
        this.ratio = b.ratio;
        this.minRetriesPerSecond = b.minRetriesPerSecond;
        this.window = b.window;
        this.ticker = b.ticker;
        this.unlimited = unlimited;
        this.bucketNanos = Math.max(1, b.window.toNanos() / BUCKETS);
        long now = ticker.read();
        java.util.Arrays.fill(bucketStart, Long.MIN_VALUE);
        bucketStart[index(now)] = slot(now);
    }

    /** @return a budget that never refuses a retry */
    public static RetryBudget unlimited() {
        return new RetryBudget(new Builder(), true);
    }

    /** @return a budget with ratio 0.2, 10 retries per second, a 10 s window and the system ticker */
    public static RetryBudget ofDefaults() {
        return builder().build();
    }

    /** @return a builder with the defaults of {@link #ofDefaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /** Counts one call (a first attempt). */
    public void recordCall() {
        if (unlimited) {
            return;
        }
        synchronized (this) {
            calls[advance()]++;
        }
    }

    /**
     * Takes one retry from the budget if there is room.
     *
     * @return {@code true} if the retry may go ahead
     */
    public boolean tryWithdraw() {
        if (unlimited) {
            return true;
        }
        synchronized (this) {
            int i = advance();
            long c = 0;
            long r = 0;
            for (int k = 0; k < BUCKETS; k++) {
                c += calls[k];
                r += retries[k];
            }
            double allowed = minRetriesPerSecond * (window.toNanos() / 1e9) + ratio * c;
            if (r + 1 > allowed) {
                return false;
            }
            retries[i]++;
            return true;
        }
    }

    /** @return the share of calls that may be retried */
    public double ratio() {
        return ratio;
    }

    /** @return the retries per second always allowed, whatever the traffic */
    public double minRetriesPerSecond() {
        return minRetriesPerSecond;
    }

    /** @return the window calls and retries are counted over */
    public Duration window() {
        return window;
    }

    private long slot(long now) {
        return Math.floorDiv(now, bucketNanos);
    }

    private int index(long now) {
        return (int) Math.floorMod(slot(now), (long) BUCKETS);
    }

    /** Clears buckets that fell out of the window and returns the current one. Caller holds the lock. */
    private int advance() {
        long now = ticker.read();
        long s = slot(now);
        int i = index(now);
        for (int k = 0; k < BUCKETS; k++) {
            if (bucketStart[k] != Long.MIN_VALUE && s - bucketStart[k] >= BUCKETS) {
                calls[k] = 0;
                retries[k] = 0;
                bucketStart[k] = Long.MIN_VALUE;
            }
        }
        if (bucketStart[i] != s) {
            calls[i] = 0;
            retries[i] = 0;
            bucketStart[i] = s;
        }
        return i;
    }

    @Override
    public String toString() {
        return unlimited ? "RetryBudget[unlimited]"
                : "RetryBudget[ratio=" + ratio + ", minRetriesPerSecond=" + minRetriesPerSecond + ", window=" + window + "]";
    }

    /** Builds a {@link RetryBudget}. Not thread-safe. */
    public static final class Builder {
        private double ratio = 0.2;
        private double minRetriesPerSecond = 10;
        private Duration window = Duration.ofSeconds(10);
        private Ticker ticker = Ticker.systemTicker();

        private Builder() {}

        /**
         * Sets the share of calls that may be retried. Default 0.2.
         *
         * @param ratio between 0 and 1000
         * @return this builder
         * @throws IllegalArgumentException if {@code ratio} is negative, above 1000 or not a number
         */
        public Builder ratio(double ratio) {
            Checks.requireArgument(ratio >= 0 && ratio <= 1000, "ratio must be in [0, 1000], was %s", ratio);
            this.ratio = ratio;
            return this;
        }

        /**
         * Sets the retries per second always allowed, so a quiet service can still retry. Default 10.
         *
         * @param perSecond not negative
         * @return this builder
         * @throws IllegalArgumentException if {@code perSecond} is negative or not a number
         */
        public Builder minRetriesPerSecond(double perSecond) {
            Checks.requireArgument(perSecond >= 0 && Double.isFinite(perSecond),
                    "minRetriesPerSecond must be a finite number >= 0, was %s", perSecond);
            this.minRetriesPerSecond = perSecond;
            return this;
        }

        /**
         * Sets the window calls and retries are counted over. Default 10 s.
         *
         * @param window between 1 s and 1 h
         * @return this builder
         * @throws IllegalArgumentException if {@code window} is outside [1 s, 1 h]
         */
        public Builder window(Duration window) {
            Objects.requireNonNull(window, "window");
            Checks.requireArgument(window.compareTo(Duration.ofSeconds(1)) >= 0 && window.compareTo(Duration.ofHours(1)) <= 0,
                    "window must be between 1s and 1h, was %s", window);
            this.window = window;
            return this;
        }

        /**
         * Sets the time source. Default {@link Ticker#systemTicker()}.
         *
         * @param ticker the ticker
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** @return a new budget; the builder can build again */
        public RetryBudget build() {
            return new RetryBudget(this, false);
        }
    }
}
