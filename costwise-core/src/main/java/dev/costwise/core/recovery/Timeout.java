package dev.costwise.core.recovery;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.DeadlineExceededException;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Failures;
import dev.costwise.core.internal.Instrumented;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds a call: runs it on a virtual thread, and when the bound expires interrupts that thread and fails with
 * {@link TimeoutExceededException}.
 *
 * <p>The bound is the smaller of the configured timeout and the time left before the context's deadline; when the
 * outer deadline is the tighter one the failure is a {@link DeadlineExceededException}, and a call started with no
 * time left fails at once without running. While the call runs, the context's deadline is narrowed to the bound, so
 * nested timeouts and retries inside respect it; it is restored afterwards.
 *
 * <p>The wrapped work stops only if it responds to interruption (blocking I/O on virtual threads, {@code sleep},
 * {@code wait}, locks, and code that checks {@link Thread#isInterrupted()} do). Records a {@code timeout} event
 * ({@code timeout}) when it fires. Thread-safe.
 *
 * <pre>{@code
 * Primitive<Req, Resp> bounded = Timeout.of("openai-timeout", Duration.ofSeconds(20)).wrap(provider);
 * }</pre>
 */
public final class Timeout {

    private static final int SPINS = 1 << 10;

    private final String name;
    private final Duration timeout;
    private final PrimitiveMetrics metrics;
    private final ThreadFactory workers;

    private Timeout(String name, Duration timeout, PrimitiveMetrics metrics) {
        this.name = name;
        this.timeout = timeout;
        this.metrics = PrimitiveMetrics.failSafe(metrics);
        this.workers = Thread.ofVirtual().name("costwise-timeout-" + name).factory();
    }

    /**
     * A named timeout.
     *
     * @param name names the timeout in records, metrics and errors
     * @param timeout the bound; positive
     * @return the timeout
     * @throws IllegalArgumentException if {@code name} is blank or {@code timeout} is zero or negative
     */
    public static Timeout of(String name, Duration timeout) {
        return of(name, timeout, PrimitiveMetrics.NONE);
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
        return new Timeout(Checks.requireName(name), Checks.requirePositive(timeout, "timeout"),
                Objects.requireNonNull(metrics, "metrics"));
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /** @return the configured bound */
    public Duration timeout() {
        return timeout;
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
        return context.withNarrowedDeadline(bound, () -> runBounded(delegate, input, context, b, outer));
    }

    private <I, O> O runBounded(Primitive<I, O> delegate, I input, WorkflowContext context, Duration bound,
            boolean outerIsTighter) {
        FutureTask<O> task = new FutureTask<>(() -> delegate.execute(input, context));
        workers.newThread(task).start();
        try {
            awaitBriefly(task);
            return task.get(Checks.toNanosSaturated(bound), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            context.record(name, "timeout", Attributes.of("timeout", bound, "deadline", outerIsTighter));
            metrics.onRejected(name, outerIsTighter ? "deadline" : "timeout");
            throw outerIsTighter ? new DeadlineExceededException(name, bound) : new TimeoutExceededException(name, bound);
        } catch (ExecutionException e) {
            throw Failures.propagate(e.getCause());
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallInterruptedException(name, e);
        }
    }

    /**
     * Spins for a few microseconds before {@code get} parks the caller: a fast call then costs no park/unpark
     * round trip, while a slow one (a model call) loses nothing measurable.
     */
    private static void awaitBriefly(FutureTask<?> task) {
        for (int i = 0; i < SPINS && !task.isDone(); i++) {
            Thread.onSpinWait();
        }
    }

    @Override
    public String toString() {
        return "Timeout[" + name + ", " + timeout + "]";
    }
}
