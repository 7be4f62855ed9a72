package dev.costwise.gateway.upstream;

import io.helidon.webclient.api.ClientConnection;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Ends upstream calls that run past their deadline by closing their connection, checked by one sweeper thread every
 * {@link #TICK}, so a call overruns its deadline by at most one tick.
 *
 * <p>Why not a socket read timeout: a timed read on a virtual thread arms a timer in the scheduler's delay queue and
 * cancels it when the answer arrives, which woke the scheduler's timer thread about 1.5 times per request (thread
 * stats under load). On a 2-core host every such context switch competes with the request path; the sweeper costs
 * one wake-up per tick however many calls are running. Thread-safe.
 */
final class AnswerDeadlines implements AutoCloseable {
    /** How often deadlines are checked, and so the most a call can overrun its deadline. */
    static final Duration TICK = Duration.ofMillis(5);

    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final LongSupplier nanoTime;
    private volatile Thread sweeper;
    /** A flag of its own: the sweeper may run before {@link #started} has stored the thread in {@link #sweeper}. */
    private volatile boolean closed;

    /** @param nanoTime the clock deadlines are measured with ({@link System#nanoTime} outside tests) */
    AnswerDeadlines(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** @return deadlines checked by their own daemon thread every {@link #TICK} until {@link #close} */
    static AnswerDeadlines started() {
        AnswerDeadlines deadlines = new AnswerDeadlines(System::nanoTime);
        deadlines.sweeper = Thread.ofPlatform().daemon(true).name("costwise-upstream-deadlines")
                .start(deadlines::sweepEveryTick);
        return deadlines;
    }

    /**
     * Starts watching a call; attach its connection with {@link Watch#connection} and close the watch when the answer
     * has been read.
     */
    Watch watch(Duration timeout) {
        return watch(timeout, Optional.empty());
    }

    /**
     * Starts watching a stream that must also show its first output within {@code firstOutput}: until {@link
     * Watch#outputArrived} the deadline is the nearer of the two, then {@code timeout} alone.
     */
    Watch watch(Duration timeout, Optional<Duration> firstOutput) {
        long start = nanoTime.getAsLong();
        long deadline = start + timeout.toNanos();
        long firstDeadline = firstOutput.map(d -> start + d.toNanos()).filter(d -> d - deadline < 0).orElse(deadline);
        Watch watch = new Watch(firstDeadline, deadline);
        if (timeout.isNegative() || timeout.isZero()) {
            watch.expired = true; // no time left: its connection is closed as soon as it is attached
            return watch;
        }
        watches.add(watch);
        return watch;
    }

    /** Expires every watch whose deadline has passed; the sweeper calls it each tick. */
    void sweep() {
        long now = nanoTime.getAsLong();
        for (Watch watch : watches) {
            if (now - watch.current >= 0) {
                watch.expire();
            }
        }
    }

    /** @return calls currently watched */
    int watching() {
        return watches.size();
    }

    @Override
    public void close() {
        closed = true;
        Thread t = sweeper;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    void sweepEveryTick() {
        while (!closed) {
            LockSupport.parkNanos(this, TICK.toNanos());
            sweep();
        }
    }

    /** One call's deadline. */
    final class Watch implements AutoCloseable {
        private final long deadline;
        /** The deadline in force: an earlier one while a first output is awaited, then {@link #deadline}. */
        private volatile long current;
        /** Held until the deadline closes it or {@link #release} hands it back: exactly one of the two gets it. */
        private final AtomicReference<ClientConnection> connection = new AtomicReference<>();
        private volatile boolean expired;
        private volatile boolean awaitingOutput;

        private Watch(long firstOutputDeadline, long deadline) {
            this.deadline = deadline;
            this.current = firstOutputDeadline;
            this.awaitingOutput = firstOutputDeadline != deadline;
        }

        /** @return whether the watch still holds the call to an earlier deadline for its first output */
        boolean awaitingOutput() {
            return awaitingOutput;
        }

        /** The first output has come: from now on only the call's own deadline applies. */
        void outputArrived() {
            if (awaitingOutput) {
                awaitingOutput = false;
                current = deadline;
            }
        }

        /** @return whether the deadline that passed was the one for the first output */
        boolean expiredAwaitingOutput() {
            return expired && awaitingOutput;
        }

        /** The connection the call is using now; closed at once if the deadline has already passed. */
        void connection(ClientConnection current) {
            connection.set(current);
            if (expired && connection.compareAndSet(current, null)) {
                current.closeResource();
            }
        }

        /**
         * Lets go of the connection as the answer has been read and it goes back to the pool.
         *
         * @return {@code false} if the deadline has closed it first (it must not be kept)
         */
        boolean release() {
            return connection.getAndSet(null) != null || !expired;
        }

        /** @return whether the deadline passed before the watch was closed (the call's connection was closed) */
        boolean expired() {
            return expired;
        }

        private void expire() {
            expired = true;
            watches.remove(this);
            ClientConnection current = connection.getAndSet(null);
            if (current != null) {
                // A read blocked on this socket fails at once with "Socket closed".
                current.closeResource();
            }
        }

        /** Stops watching: the answer has been read, or the call failed. */
        @Override
        public void close() {
            watches.remove(this);
        }
    }
}
