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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds a call: when the bound expires the thread running it is interrupted and the call fails with
 * {@link TimeoutExceededException}.
 *
 * <p>The bound is the smaller of the configured timeout and the time left before the context's deadline; when the
 * outer deadline is the tighter one the failure is a {@link DeadlineExceededException}, and a call started with no
 * time left fails at once without running. The call runs on a {@linkplain WorkflowContext#scope() scope} of the
 * context whose deadline is narrowed to the bound, so nested timeouts and retries inside respect it, while the
 * context itself, and the other calls running on it at the same time, keep their deadline.
 *
 * <p>Where the call runs is the {@link Isolation}: on a new virtual thread, so the caller gets control back on time even
 * if the work ignores interrupts; or on the caller's own thread, which a timer interrupts (no thread hop, several
 * microseconds cheaper, but the caller regains control only when the work responds to the interrupt). The default,
 * {@link Isolation#AUTO}, stays on the caller's thread when it is a virtual thread (whose blocking socket I/O an
 * interrupt does end, as in the gateway) and hops to a virtual thread from a platform thread. Either
 * way the work stops only if it responds to interruption (blocking I/O on virtual threads, {@code sleep},
 * {@code wait}, locks, and code that checks {@link Thread#isInterrupted()} do). Records a {@code timeout} event
 * ({@code timeout}, {@code deadline}) when it fires. Work that outlives one call, such as a stream read chunk by chunk,
 * is bounded with {@link #start}, which stops it by closing what it reads. Thread-safe.
 *
 * <pre>{@code
 * Primitive<Req, Resp> bounded = Timeout.of("openai-timeout", Duration.ofSeconds(20)).wrap(provider);
 * Timeout cheap = Timeout.builder("t").timeout(Duration.ofSeconds(2)).isolation(Timeout.Isolation.CALLER_THREAD).build();
 * }</pre>
 */
public final class Timeout {

    /** Where a {@link Timeout} runs the call it bounds. */
    public enum Isolation {
        /** On a new virtual thread; the caller returns on time even if the work ignores its interrupt. */
        VIRTUAL_THREAD,
        /** On the caller's thread, interrupted by a timer; no thread hop, but relies on the work honouring interrupts. */
        CALLER_THREAD,
        /**
         * {@link #CALLER_THREAD} when the caller is a virtual thread (blocking I/O there ends on interrupt), otherwise
         * {@link #VIRTUAL_THREAD}. Default.
         */
        AUTO
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

    /**
     * Starts bounding work that outlives one call, such as a stream its caller reads chunk by chunk, which
     * {@link #wrap} cannot bound: no single call spans it, and a read blocked in it is ended by closing what it reads
     * rather than by interrupting a thread.
     *
     * <p>The bound is the one {@link #wrap} gives: the smaller of the configured timeout and the time left before the
     * context's deadline, and a context with no time left fails at once. If the bound expires before an outcome is
     * reported, the {@code timeout} event is recorded in {@code context} and {@code onExpiry} runs once, on this
     * timeout's scheduler (whatever the {@link Isolation}): close the resource there, so that a blocked read returns.
     * The owner then reports its outcome, learns that the bound expired (only once {@code onExpiry} has returned, so
     * whatever it stopped is settled first), and throws {@link Bound#expired()}. Calls
     * and expiries are reported to the metrics as by {@link #wrap}.
     *
     * <pre>{@code
     * Timeout.Bound bound = timeout.start(context, upstream::close);
     * ... read, and when the work fails:  throw bound.onFailure() ? failure : bound.expired();
     * }</pre>
     *
     * @param context the request's context
     * @param onExpiry what stops the work when the bound expires; quick, thread-safe and not throwing
     * @return the running bound; report its outcome once
     * @throws DeadlineExceededException if the context has no time left (recorded as a {@code timeout} event)
     */
    public Bound start(WorkflowContext context, Runnable onExpiry) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(onExpiry, "onExpiry");
        long startNanos = context.ticker().read();
        Limit limit;
        try {
            limit = limit(context);
        } catch (DeadlineExceededException e) {
            reportCall(context, startNanos, false);
            throw e;
        }
        Bound bound = new Bound(context, limit, startNanos, onExpiry);
        ScheduledExecutorService timer = scheduler != null ? scheduler : SharedScheduler.get();
        bound.timer = timer.schedule(bound::expire, Checks.toNanosSaturated(limit.bound()), TimeUnit.NANOSECONDS);
        return bound;
    }

    private <I, O> O execute(Primitive<I, O> delegate, I input, WorkflowContext context) {
        Limit limit = limit(context);
        Duration b = limit.bound();
        boolean outer = limit.outerIsTighter();
        boolean hop = isolation == Isolation.VIRTUAL_THREAD
                || (isolation == Isolation.AUTO && !Thread.currentThread().isVirtual());
        // the call runs on a scope whose deadline is narrowed: calls beside it on the context never see this bound
        WorkflowContext call = context.scope();
        call.narrowDeadline(b);
        return hop ? runOnVirtualThread(delegate, input, call, b, outer) : runOnCaller(delegate, input, call, b, outer);
    }

    /** The bound of a call starting now; fails at once, recorded, when the context has no time left. */
    private Limit limit(WorkflowContext context) {
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
        return new Limit(bound, outerIsTighter);
    }

    /** The bound of one call, and whether the context's deadline (rather than the timeout) set it. */
    private record Limit(Duration bound, boolean outerIsTighter) {}

    /** Reports a call as {@link Instrumented#call} does, for work that is not one call. */
    private void reportCall(WorkflowContext context, long startNanos, boolean success) {
        if (metrics != PrimitiveMetrics.NONE) {
            metrics.onCall(name, "timeout", context.ticker().read() - startNanos, success);
        }
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
        noteExpiry(context, bound, outerIsTighter);
        return outerIsTighter ? new DeadlineExceededException(name, bound) : new TimeoutExceededException(name, bound);
    }

    private void noteExpiry(WorkflowContext context, Duration bound, boolean outerIsTighter) {
        context.record(name, "timeout", Attributes.of("timeout", bound, "deadline", outerIsTighter));
        metrics.onRejected(name, outerIsTighter ? "deadline" : "timeout");
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

    /**
     * A running bound from {@link #start}: report the work's outcome once, with {@link #onSuccess()},
     * {@link #onFailure()} or {@link #release()}; later reports are ignored. Thread-safe.
     */
    public final class Bound {
        private static final int RUNNING = 0;
        private static final int REPORTED = 1;
        private static final int EXPIRED = 2;

        private final WorkflowContext context;
        private final Limit limit;
        private final long startNanos;
        private final Runnable onExpiry;
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private final AtomicBoolean reported = new AtomicBoolean();
        /** Opens once {@code onExpiry} has returned: what it stopped (and recorded) is done before the owner throws. */
        private final CountDownLatch expiryDone = new CountDownLatch(1);
        private volatile Thread expiring;
        private volatile ScheduledFuture<?> timer;

        private Bound(WorkflowContext context, Limit limit, long startNanos, Runnable onExpiry) {
            this.context = context;
            this.limit = limit;
            this.startNanos = startNanos;
            this.onExpiry = onExpiry;
        }

        /** @return the time the work is allowed: the timeout, or the time left before the deadline if less */
        public Duration duration() {
            return limit.bound();
        }

        /**
         * The work ended well.
         *
         * @return {@code true} if it ended in time; {@code false} if the bound had expired: throw {@link #expired()}
         */
        public boolean onSuccess() {
            return report(true);
        }

        /**
         * The work failed. A failure at or after the bound's end is the bound's, even if its timer has not fired yet
         * (a clock below, such as a provider's own deadline, may have fired first): the bound then expires at once, so
         * the owner throws the same failure whichever clock won.
         *
         * @return {@code true} if it failed in time, so the failure is its own; {@code false} if the bound had
         *     expired first (the failure is then likely what {@code onExpiry} caused): throw {@link #expired()}
         */
        public boolean onFailure() {
            if (state.get() == RUNNING && context.ticker().read() - startNanos
                    >= Checks.toNanosSaturated(limit.bound())) {
                expire();
            }
            return report(false);
        }

        /**
         * The work was given up by its owner before its end (a stream closed early): stops the clock, and reports no
         * call.
         */
        public void release() {
            if (reported.compareAndSet(false, true)) {
                stop();
            }
        }

        /**
         * @return the failure to throw once the bound expired: {@link TimeoutExceededException}, or
         *     {@link DeadlineExceededException} when the context's deadline set the bound; a new one on each call
         */
        public DeadlineExceededException expired() {
            return limit.outerIsTighter() ? new DeadlineExceededException(name, limit.bound())
                    : new TimeoutExceededException(name, limit.bound(), "the work was stopped");
        }

        private boolean report(boolean success) {
            boolean inTime = stop();
            if (reported.compareAndSet(false, true)) {
                reportCall(context, startNanos, success && inTime);
            }
            return inTime;
        }

        /**
         * Stops the clock; returns {@code false} if the bound had expired, once {@code onExpiry} has returned: the
         * owner then never throws before what the expiry stopped (a stream, and the record of what it cost) is done.
         */
        private boolean stop() {
            if (state.compareAndSet(RUNNING, REPORTED)) {
                timer.cancel(false);
                return true;
            }
            if (state.get() != EXPIRED) {
                return true;
            }
            awaitExpiry();
            return false;
        }

        private void awaitExpiry() {
            if (Thread.currentThread() == expiring) {
                return; // onExpiry itself reported: waiting for it would never end
            }
            boolean interrupted = false;
            while (true) {
                try {
                    expiryDone.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // onExpiry is quick; keep the interrupt for the owner
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private void expire() {
            if (state.compareAndSet(RUNNING, EXPIRED)) {
                expiring = Thread.currentThread();
                try {
                    noteExpiry(context, limit.bound(), limit.outerIsTighter());
                    onExpiry.run();
                } finally {
                    expiring = null;
                    expiryDone.countDown();
                }
                ScheduledFuture<?> t = timer;
                if (t != null) {
                    t.cancel(false); // expired early, by onFailure: the timer has nothing left to do
                }
            }
        }

        @Override
        public String toString() {
            return "Timeout.Bound[" + name + ", " + limit.bound() + ", "
                    + switch (state.get()) {
                        case RUNNING -> "running";
                        case EXPIRED -> "expired";
                        default -> "ended";
                    } + "]";
        }
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
        private Isolation isolation = Isolation.AUTO;
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
         * Sets where calls run. Default {@link Isolation#AUTO}.
         *
         * @param isolation the isolation
         * @return this builder
         */
        public Builder isolation(Isolation isolation) {
            this.isolation = Objects.requireNonNull(isolation, "isolation");
            return this;
        }

        /**
         * Sets the timer that interrupts callers in {@link Isolation#CALLER_THREAD} mode and ends the bounds of
         * {@link Timeout#start}. Default: one shared daemon timer thread.
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
            if (scheduler == null && isolation != Isolation.VIRTUAL_THREAD) {
                scheduler = SharedScheduler.get();
            }
            return new Timeout(this);
        }
    }
}
