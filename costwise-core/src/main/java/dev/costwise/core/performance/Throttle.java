package dev.costwise.core.performance;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Instrumented;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A bulkhead: at most {@code maxConcurrent} calls run at once; a call that finds no free slot waits up to
 * {@code maxWait} (and never past the context's deadline), then fails with {@link BulkheadFullException}.
 *
 * <p>Records {@code throttle_rejected} ({@code maxConcurrent}) on a rejection. Thread-safe; every primitive it wraps
 * shares its slots.
 *
 * <pre>{@code
 * Primitive<Req, Resp> limited = Throttle.builder("openai").maxConcurrent(16).maxWait(Duration.ofMillis(200))
 *     .build().wrap(provider);
 * }</pre>
 */
public final class Throttle {

    private final String name;
    private final int maxConcurrent;
    private final Duration maxWait;
    private final Semaphore slots;
    private final PrimitiveMetrics metrics;

    private Throttle(Builder b) {
        this.name = b.name;
        this.maxConcurrent = b.maxConcurrent;
        this.maxWait = b.maxWait;
        this.slots = new Semaphore(b.maxConcurrent, true);
        this.metrics = PrimitiveMetrics.failSafe(b.metrics);
    }

    /**
     * A throttle that rejects at once when full.
     *
     * @param name names the throttle
     * @param maxConcurrent the limit, at least 1
     * @return the throttle
     */
    public static Throttle of(String name, int maxConcurrent) {
        return builder(name).maxConcurrent(maxConcurrent).build();
    }

    /**
     * @param name names the throttle in records, metrics and errors
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(String name) {
        return new Builder(Checks.requireName(name));
    }

    /** @return the concurrency limit */
    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** @return free slots right now */
    public int availableSlots() {
        return slots.availablePermits();
    }

    /**
     * Decorates a primitive with this throttle.
     *
     * @param delegate the call to limit
     * @param <I> input type
     * @param <O> output type
     * @return the limited primitive
     */
    public <I, O> Primitive<I, O> wrap(Primitive<I, O> delegate) {
        Objects.requireNonNull(delegate, "delegate");
        return (input, context) -> Instrumented.call(metrics, name, "throttle", context, () -> {
            acquire(context);
            try {
                return delegate.execute(input, context);
            } finally {
                slots.release();
            }
        });
    }

    private void acquire(WorkflowContext context) {
        Duration wait = maxWait;
        Optional<Duration> remaining = context.remaining();
        if (remaining.isPresent() && remaining.get().compareTo(wait) < 0) {
            wait = remaining.get();
        }
        boolean acquired;
        try {
            acquired = wait.isZero() ? slots.tryAcquire()
                    : slots.tryAcquire(Checks.toNanosSaturated(wait), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallInterruptedException(name, e);
        }
        if (!acquired) {
            context.record(name, "throttle_rejected", Attributes.of("maxConcurrent", maxConcurrent));
            metrics.onRejected(name, "bulkhead_full");
            throw new BulkheadFullException(name, maxConcurrent, wait);
        }
    }

    /** Builds a {@link Throttle}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private int maxConcurrent = 16;
        private Duration maxWait = Duration.ZERO;
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Sets the concurrency limit. Default 16.
         *
         * @param maxConcurrent at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxConcurrent} is below 1
         */
        public Builder maxConcurrent(int maxConcurrent) {
            Checks.requireArgument(maxConcurrent >= 1, "maxConcurrent must be >= 1, was %s", maxConcurrent);
            this.maxConcurrent = maxConcurrent;
            return this;
        }

        /**
         * Sets how long a call waits for a slot. Default zero (reject at once).
         *
         * @param maxWait not negative
         * @return this builder
         * @throws IllegalArgumentException if {@code maxWait} is negative
         */
        public Builder maxWait(Duration maxWait) {
            this.maxWait = Checks.requireNonNegative(maxWait, "maxWait");
            return this;
        }

        /**
         * Sets where calls and rejections are reported. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder metrics(PrimitiveMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** @return the throttle */
        public Throttle build() {
            return new Throttle(this);
        }
    }
}
