package dev.costwise.core.recovery;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.FailureVerdict;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Instrumented;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stops calling a failing dependency for a while, then probes it.
 *
 * <p>States: {@code CLOSED} → {@code OPEN} when the failure rate over the sliding window (or the consecutive-failure
 * count) crosses its threshold; {@code OPEN} → {@code HALF_OPEN} once {@code waitDurationInOpenState} has passed on
 * the injected ticker; {@code HALF_OPEN} → {@code CLOSED} after {@code permittedCallsInHalfOpenState} successful
 * probes, or back to {@code OPEN} on one counted failure, or once every probe has been held for
 * {@code maxWaitDurationInHalfOpenState} with none ending (checked when the next call would be refused). The current
 * state is an immutable-reference swapped with compare-and-set, so exactly one caller performs each transition. A
 * refused call throws a cheap {@link CircuitOpenException} without calling the delegate.
 *
 * <p>Only failures the classifier calls retryable or fallbackable are counted; a caller's mistake neither opens the
 * circuit nor counts as a success. Transitions are recorded as {@code circuit_state} events ({@code from}, {@code to})
 * in the context of the call that caused them, and reported to metrics. Thread-safe.
 *
 * <pre>{@code
 * CircuitBreaker breaker = CircuitBreaker.of("openai", CircuitBreakerConfig.ofDefaults());
 * Primitive<Req, Resp> guarded = breaker.wrap(provider);
 * }</pre>
 */
public final class CircuitBreaker {

    private final String name;
    private final CircuitBreakerConfig config;
    private final AtomicReference<State> state;

    private CircuitBreaker(String name, CircuitBreakerConfig config) {
        this.name = name;
        this.config = config;
        this.state = new AtomicReference<>(new Closed(config));
    }

    /**
     * A named breaker, closed.
     *
     * @param name names the breaker in records, metrics and errors
     * @param config the settings
     * @return the breaker
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static CircuitBreaker of(String name, CircuitBreakerConfig config) {
        return new CircuitBreaker(Checks.requireName(name), Objects.requireNonNull(config, "config"));
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /** @return the settings */
    public CircuitBreakerConfig config() {
        return config;
    }

    /**
     * The current state. An open breaker whose wait has passed still reads {@code OPEN} until the next call moves it
     * to {@code HALF_OPEN}.
     *
     * @return the state
     */
    public CircuitState state() {
        return state.get().kind();
    }

    /**
     * Decorates a primitive with this breaker. Every primitive it wraps shares the breaker's state.
     *
     * @param delegate the guarded call
     * @param <I> input type
     * @param <O> output type
     * @return the guarded primitive
     */
    public <I, O> Primitive<I, O> wrap(Primitive<I, O> delegate) {
        Objects.requireNonNull(delegate, "delegate");
        return (input, context) -> Instrumented.call(config.metrics(), name, "circuit_breaker", context,
                () -> execute(delegate, input, context));
    }

    /**
     * Asks for one call outside {@link #wrap}, for callers that run their own call loop (the gateway's attempt loop
     * retries and falls back itself). Report the call's outcome to the permission once; until then, in half-open
     * state, the permission holds one of the probes. State changes go to the metrics only: there is no context to
     * record them in.
     *
     * @return the permission, or empty while the circuit is open (or half-open with every probe taken); a refusal is
     *     reported to the metrics as a {@code circuit_open} rejection
     */
    public Optional<Permission> tryAcquirePermission() {
        State permitted = tryAcquire(null);
        return permitted == null ? Optional.empty() : Optional.of(new Permission(permitted, null, 0));
    }

    /**
     * Asks for one call whose outcome is known only after this method returns, such as a stream read chunk by chunk:
     * what {@link #wrap} does around a call, in two steps. State changes are recorded in {@code context} as
     * {@code circuit_state} events, as {@link #wrap} records them, and the call's duration and outcome go to the
     * metrics when it is reported. Report the outcome to the permission once.
     *
     * @param context the request's context
     * @return the permission
     * @throws CircuitOpenException if the circuit is open, or half-open with every probe taken (reported to the
     *     metrics as a {@code circuit_open} rejection and a failed call, as {@link #wrap} reports it)
     */
    public Permission acquirePermission(WorkflowContext context) {
        Objects.requireNonNull(context, "context");
        long startNanos = context.ticker().read();
        State permitted = tryAcquire(context);
        if (permitted == null) {
            reportCall(context, startNanos, false);
            throw refusal();
        }
        return new Permission(permitted, context, startNanos);
    }

    /** Reports a call as {@link Instrumented#call} does, for a call made outside {@link #wrap}. */
    private void reportCall(WorkflowContext context, long startNanos, boolean success) {
        if (config.metrics() != PrimitiveMetrics.NONE) {
            config.metrics().onCall(name, "circuit_breaker", context.ticker().read() - startNanos, success);
        }
    }

    /**
     * How long an open circuit still refuses every call.
     *
     * @return the time until the next probe is let through; zero unless the circuit is open and waiting
     */
    public Duration remainingOpenDuration() {
        return remainingOpenDuration(state.get());
    }

    private Duration remainingOpenDuration(State s) {
        if (s instanceof Open o) {
            long left = Checks.toNanosSaturated(config.waitDurationInOpenState())
                    - (config.ticker().read() - o.openedAtNanos);
            return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
        }
        return Duration.ZERO;
    }

    /**
     * Leave to make one call, from {@link #tryAcquirePermission()} or {@link #acquirePermission(WorkflowContext)}:
     * report exactly one outcome. Later reports are ignored. Thread-safe.
     */
    public final class Permission {
        private final State permitted;
        /** Where state changes are recorded and on whose ticker the call is timed; null for none. */
        private final WorkflowContext context;
        private final long startNanos;
        private final AtomicBoolean reported = new AtomicBoolean();

        private Permission(State permitted, WorkflowContext context, long startNanos) {
            this.permitted = permitted;
            this.context = context;
            this.startNanos = startNanos;
        }

        /** The call succeeded. */
        public void onSuccess() {
            if (reported.compareAndSet(false, true)) {
                CircuitBreaker.this.onSuccess(permitted, context);
                reportCall(true);
            }
        }

        /**
         * The call failed: counted if the breaker's classifier calls the failure retryable or fallbackable (the
         * dependency's fault), else ignored like {@link #release()}.
         *
         * @param failure what the call threw
         */
        public void onFailure(Throwable failure) {
            if (reported.compareAndSet(false, true)) {
                onError(permitted, failure, context);
                reportCall(false);
            }
        }

        /** Reports the call to the metrics when the permission came with a context to time it on. */
        private void reportCall(boolean success) {
            if (context != null) {
                CircuitBreaker.this.reportCall(context, startNanos, success);
            }
        }

        /** The call was not made, or its outcome says nothing about the dependency: gives a probe back. */
        public void release() {
            if (reported.compareAndSet(false, true)) {
                onIgnored(permitted);
            }
        }
    }

    private <I, O> O execute(Primitive<I, O> delegate, I input, WorkflowContext context) {
        State permitted = acquire(context);
        O out;
        try {
            out = delegate.execute(input, context);
        } catch (RuntimeException failure) {
            onError(permitted, failure, context);
            throw failure;
        }
        onSuccess(permitted, context);
        return out;
    }

    private State acquire(WorkflowContext context) {
        State permitted = tryAcquire(context);
        if (permitted == null) {
            throw refusal();
        }
        return permitted;
    }

    /** The exception for a refused call, naming the state and, while open, how long it still refuses. */
    private CircuitOpenException refusal() {
        State s = state.get();
        return new CircuitOpenException(name, s.kind(), remainingOpenDuration(s));
    }

    /** @return the state the call is permitted in, or null when refused (reported to the metrics) */
    private State tryAcquire(WorkflowContext context) {
        while (true) {
            State s = state.get();
            switch (s) {
                case Closed c -> {
                    return c;
                }
                case Open o -> {
                    long elapsed = config.ticker().read() - o.openedAtNanos;
                    if (elapsed < Checks.toNanosSaturated(config.waitDurationInOpenState())) {
                        config.metrics().onRejected(name, "circuit_open");
                        return null;
                    }
                    transition(s, new HalfOpen(config.permittedCallsInHalfOpenState(), config.ticker().read()),
                            context);
                }
                case HalfOpen h -> {
                    if (h.permits.getAndDecrement() > 0) {
                        h.progressed(config.ticker().read());
                        return h;
                    }
                    h.permits.incrementAndGet(); // keep the count at zero, not below, for the next release
                    if (probesOverdue(h)) {
                        // every probe held too long with none ending (a leaked stream): count them failed
                        transition(h, new Open(config.ticker().read()), context);
                        continue;
                    }
                    config.metrics().onRejected(name, "circuit_open");
                    return null;
                }
            }
        }
    }

    /** @return whether every probe has been held past {@code maxWaitDurationInHalfOpenState} with none ending */
    private boolean probesOverdue(HalfOpen h) {
        Duration max = config.maxWaitDurationInHalfOpenState();
        return !max.isZero() && config.ticker().read() - h.lastProgressNanos.get() >= Checks.toNanosSaturated(max);
    }

    /**
     * Counts a failure the classifier blames on the dependency; gives back a probe for any other, and for a caller's
     * interrupt, which says nothing about the dependency whatever the classifier says.
     */
    private void onError(State permitted, Throwable failure, WorkflowContext context) {
        if (failure instanceof CallInterruptedException || failure instanceof InterruptedException) {
            onIgnored(permitted);
            return;
        }
        FailureVerdict verdict = config.classifier().classify(failure);
        if (verdict.retryable() || verdict.fallbackable()) {
            onFailure(permitted, context);
        } else {
            onIgnored(permitted);
        }
    }

    private void onSuccess(State permitted, WorkflowContext context) {
        switch (permitted) {
            case Closed c -> c.record(false);
            case HalfOpen h -> {
                h.progressed(config.ticker().read());
                if (h.successes.incrementAndGet() >= config.permittedCallsInHalfOpenState()) {
                    transition(h, new Closed(config), context);
                }
            }
            case Open o -> { }
        }
    }

    private void onFailure(State permitted, WorkflowContext context) {
        switch (permitted) {
            case Closed c -> {
                if (c.record(true)) {
                    transition(c, new Open(config.ticker().read()), context);
                }
            }
            case HalfOpen h -> transition(h, new Open(config.ticker().read()), context);
            case Open o -> { }
        }
    }

    private void onIgnored(State permitted) {
        if (permitted instanceof HalfOpen h) {
            h.progressed(config.ticker().read());
            h.permits.incrementAndGet();
        }
    }

    private void transition(State from, State to, WorkflowContext context) {
        if (state.compareAndSet(from, to)) {
            String f = from.kind().name();
            String t = to.kind().name();
            if (context != null) {
                context.record(name, "circuit_state", Attributes.of("from", f, "to", t));
            }
            config.metrics().onStateTransition(name, f, t);
        }
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + name + ", " + state() + "]";
    }

    private sealed interface State permits Closed, Open, HalfOpen {
        CircuitState kind();
    }

    /** Closed: a ring of the last N counted outcomes. */
    private static final class Closed implements State {
        private final boolean[] ring;
        private final int minimumCalls;
        private final double threshold;
        private final int consecutiveLimit;
        private int next;
        private int size;
        private int failures;
        private int consecutive;

        Closed(CircuitBreakerConfig config) {
            this.ring = new boolean[config.slidingWindowSize()];
            this.minimumCalls = config.effectiveMinimumCalls();
            this.threshold = config.failureRateThreshold();
            this.consecutiveLimit = config.consecutiveFailures();
        }

        /** Records an outcome; returns true when the circuit should open. */
        synchronized boolean record(boolean failed) {
            if (size == ring.length) {
                if (ring[next]) {
                    failures--;
                }
            } else {
                size++;
            }
            ring[next] = failed;
            next = (next + 1) % ring.length;
            if (failed) {
                failures++;
                consecutive++;
            } else {
                consecutive = 0;
            }
            boolean byCount = consecutiveLimit > 0 && consecutive >= consecutiveLimit;
            boolean byRate = size >= minimumCalls && (double) failures / size >= threshold;
            return byCount || byRate;
        }

        @Override
        public CircuitState kind() {
            return CircuitState.CLOSED;
        }
    }

    private record Open(long openedAtNanos) implements State {
        @Override
        public CircuitState kind() {
            return CircuitState.OPEN;
        }
    }

    /** Half-open: the probes left, the successes so far, and when a probe was last taken or ended. */
    private static final class HalfOpen implements State {
        final AtomicInteger permits;
        final AtomicInteger successes = new AtomicInteger();
        final AtomicLong lastProgressNanos;

        HalfOpen(int permits, long nowNanos) {
            this.permits = new AtomicInteger(permits);
            this.lastProgressNanos = new AtomicLong(nowNanos);
        }

        void progressed(long nowNanos) {
            lastProgressNanos.accumulateAndGet(nowNanos, Math::max);
        }

        @Override
        public CircuitState kind() {
            return CircuitState.HALF_OPEN;
        }
    }
}
