package dev.costwise.core.recovery;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.DeadlineExceededException;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Failures;
import dev.costwise.core.internal.Instrumented;
import dev.costwise.core.internal.SharedScheduler;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds a call: when the bound expires the thread running it is interrupted and the call fails with
 * {@link TimeoutExceededException}.
 *
 * <p>The bound is the smaller of the configured timeout and the time left before the context's deadline; when the
 * outer deadline is the tighter one the failure is a {@link DeadlineExceededException}, and a call started with no
 * time left fails at once without running. While the call runs, the context's deadline is narrowed to the bound, so
 * nested timeouts and retries inside respect it; it is restored afterwards.
 *
 * <p>Where the call runs is the {@link Isolation}: by default on a new virtual thread, so the caller gets control back
 * on time even if the work ignores interrupts; or on the caller's own thread, which a timer interrupts (no thread hop,
 * a few microseconds cheaper, but the caller regains control only when the work responds to the interrupt). Either
 * way the work stops only if it responds to interruption (blocking I/O on virtual threads, {@code sleep},
 * {@code wait}, locks, and code that checks {@link Thread#isInterrupted()} do). Records a {@code timeout} event
 * ({@code timeout}, {@code deadline}) when it fires. Thread-safe.
 *
 * <pre>{@code
 * Primitive<Req, Resp> bounded = Timeout.of("openai-timeout", Duration.ofSeconds(20)).wrap(provider);
 * Timeout cheap = Timeout.builder("t").timeout(Duration.ofSeconds(2)).isolation(Timeout.Isolation.CALLER_THREAD).build();
 * }</pre>
 */
public final class Timeout {

    /** Where a {@link Timeout} runs the call it bounds. */
    public enum Isolation {
        /** On a new virtual thread; the caller returns on time even if the work ignores its interrupt. Default. */
        VIRTUAL_THREAD,
        /** On the caller's thread, interrupted by a timer; no thread hop, but relies on the work honouring interrupts. */
        CALLER_THREAD
    }

    private static final int SPINS = 1 << 10;

    private final String name;
    private final Duration timeout;
    private final Isolation isolation;
    private final ScheduledExecutorService scheduler;
    private final PrimitiveMetrics metrics;
    private final ThreadFactory workers;

    private Timeout(Builder b) {
        this.name = b.name;
        this.timeout = b.timeout;
        this.isolation = b.isolation;
        this.scheduler = b.scheduler;
        this.metrics = PrimitiveMetrics.failSafe(b.metrics);
        this.workers = Thread.ofVirtual().name("costwise-timeout-" + name).factory();
    }

    /**
     * A named timeout running calls on virtual threads.
     *
     * @param name names the timeout in records, metrics and errors
     * @param timeout the bound; positive
     * @return the timeout
     * @throws IllegalArgumentException if {@code name} is blank or {@code timeout} is zero or negative
     */
    public static Timeout of(String name, Duration timeout) {
        return builder(name).timeout(timeout).build();
    }

    /**
     * A named timeout that reports to {@code metrics}.
     *
     * @param name names the timeout
     * @param timeout the bound; positive
     * @param metrics where calls and expiries are reported
     * @return the timeout
     * @throws IllegalArgumentException if {@code name} is blank or {@code timeout} is zero or negative
     */
    public static Timeout of(String name, Duration timeout, PrimitiveMetrics metrics) {
        return builder(name).timeout(timeout).metrics(metrics).build();
    }

    /**
     * @param name names the timeout in records, metrics and errors
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(String name) {
        return new Builder(Checks.requireName(name));
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /** @return the configured bound */
    public Duration timeout() {
        return timeout;
    }

    /** @return where calls run */
    public Isolation isolation() {
        return isolation;
    }

    /**
     * Decorates a primitive with this timeout.
     *
     * @param delegate the call to bound
     * @param <I> input type
     * @param <O> output type
     * @return the bounded primitive
     */
    public <I, O> Primitive<I, O> wrap(Primitive<I, O> delegate) {
        Objects.requireNonNull(delegate, "delegate");
        return (input, context) -> Instrumented.call(metrics, name, "timeout", context,
                () -> execute(delegate, input, context));
    }

    private <I, O> O execute(Primitive<I, O> delegate, I input, WorkflowContext context) {
        Duration bound = timeout;
        boolean outerIsTighter = false;
        Optional<Duration> remaining = context.remaining();
        if (remaining.isPresent() && remaining.get().compareTo(timeout) < 0) {
            bound = remaining.get();
            outerIsTighter = true;
        }
        if (bound.isZero()) {
            context.record(name, "timeout", Attributes.of("timeout", bound, "deadline", true));
            metrics.onRejected(name, "deadline");
            throw new DeadlineExceededException(name, bound);
        }
        Duration b = bound;
        boolean outer = outerIsTighter;
        return context.withNarrowedDeadline(bound, () -> isolation == Isolation.VIRTUAL_THREAD
                ? runOnVirtualThread(delegate, input, context, b, outer)
                : runOnCaller(delegate, input, context, b, outer));
    }

    private <I, O> O runOnVirtualThread(Primitive<I, O> delegate, I input, WorkflowContext context, Duration bound,
            boolean outerIsTighter) {
        FutureTask<O> task = new FutureTask<>(() -> delegate.execute(input, context));
        workers.newThread(task).start();
        try {
            awaitBriefly(task);
            return task.get(Checks.toNanosSaturated(bound), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw expired(context, bound, outerIsTighter);
        } catch (ExecutionException e) {
            throw Failures.propagate(e.getCause());
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallInterruptedException(name, e);
        }
    }

    private <I, O> O runOnCaller(Primitive<I, O> delegate, I input, WorkflowContext context, Duration bound,
            boolean outerIsTighter) {
        CallerInterrupt guard = new CallerInterrupt(Thread.currentThread());
        ScheduledFuture<?> timer = scheduler.schedule(guard, Checks.toNanosSaturated(bound), TimeUnit.NANOSECONDS);
        O out;
        try {
            out = delegate.execute(input, context);
        } catch (RuntimeException | Error failure) {
            if (guard.finish()) {
                timer.cancel(false);
                throw failure;
            }
            RuntimeException expired = expired(context, bound, outerIsTighter);
            expired.addSuppressed(failure);
            throw expired;
        }
        if (guard.finish()) {
            timer.cancel(false);
            return out;
        }
        throw expired(context, bound, outerIsTighter);
    }

    private RuntimeException expired(WorkflowContext context, Duration bound, boolean outerIsTighter) {
        context.record(name, "timeout", Attributes.of("timeout", bound, "deadline", outerIsTighter));
        metrics.onRejected(name, outerIsTighter ? "deadline" : "timeout");
        return outerIsTighter ? new DeadlineExceededException(name, bound) : new TimeoutExceededException(name, bound);
    }

    /**
     * Spins for a few microseconds before {@code get} parks the caller: a fast call then costs no park/unpark round
     * trip, while a slow one (a model call) loses nothing measurable.
     */
    private static void awaitBriefly(FutureTask<?> task) {
        for (int i = 0; i < SPINS && !task.isDone(); i++) {
            Thread.onSpinWait();
        }
    }

    @Override
    public String toString() {
        return "Timeout[" + name + ", " + timeout + ", " + isolation + "]";
    }

    /** Interrupts the caller at most once, and only while its call is still running. */
    private static final class CallerInterrupt implements Runnable {
        private static final int RUNNING = 0;
        private static final int DONE = 1;
        private static final int FIRING = 2;
        private static final int FIRED = 3;

        private final Thread caller;
        private final AtomicInteger state = new AtomicInteger(RUNNING);

        CallerInterrupt(Thread caller) {
            this.caller = caller;
        }

        @Override
        public void run() {
            if (state.compareAndSet(RUNNING, FIRING)) {
                caller.interrupt();
                state.set(FIRED);
            }
        }

        /**
         * Marks the call finished.
         *
         * @return {@code true} if it finished in time; {@code false} if the timer fired, in which case the interrupt
         *     it sent is cleared from the caller's thread
         */
        boolean finish() {
            if (state.compareAndSet(RUNNING, DONE)) {
                return true;
            }
            while (state.get() != FIRED) {
                Thread.onSpinWait();
            }
            Thread.interrupted();
            return false;
        }
    }

    /** Builds a {@link Timeout}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private Duration timeout;
        private Isolation isolation = Isolation.VIRTUAL_THREAD;
        private ScheduledExecutorService scheduler;
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Sets the bound. Required.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.requirePositive(timeout, "timeout");
            return this;
        }

        /**
         * Sets where calls run. Default {@link Isolation#VIRTUAL_THREAD}.
         *
         * @param isolation the isolation
         * @return this builder
         */
        public Builder isolation(Isolation isolation) {
            this.isolation = Objects.requireNonNull(isolation, "isolation");
            return this;
        }

        /**
         * Sets the timer that interrupts callers in {@link Isolation#CALLER_THREAD} mode. Default: one shared daemon
         * timer thread.
         *
         * @param scheduler the scheduler; should remove cancelled tasks promptly
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Sets where calls and expiries are reported. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder metrics(PrimitiveMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * @return the timeout
         * @throws IllegalStateException if no timeout was set
         */
        public Timeout build() {
            Checks.requireState(timeout != null, "timeout '%s' needs a duration, none was set", name);
            if (scheduler == null && isolation == Isolation.CALLER_THREAD) {
                scheduler = SharedScheduler.get();
            }
            return new Timeout(this);
        }
    }
}
