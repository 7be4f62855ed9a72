package dev.costwise.llm.provider.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A process-wide budget of upstream answer bytes held in memory at once. Each answer read whole is capped on its own
 * ({@link HttpBodies#DEFAULT_MAX_SIZE}), but several large answers at once can still exhaust a small heap; every
 * reader of whole answers shares one {@code AnswerMemory} and {@linkplain #open opens a reservation} that grows by the
 * bytes it will hold before it reads them. A reservation that would pass the budget fails at once with {@link
 * AnswerMemoryExhaustedException}: waiting is no option, since the upstream keeps its connection (and its bytes)
 * meanwhile. {@linkplain Reservation#close() Closing} a reservation gives its bytes back.
 *
 * <p>Streams are not counted: they are read a line at a time, each line bounded. Thread-safe and lock-free.
 *
 * <pre>{@code
 * AnswerMemory memory = AnswerMemory.ofHeapShare();   // a quarter of the maximum heap
 * try (AnswerMemory.Reservation r = memory.open()) {
 *     r.grow(contentLength);                          // throws AnswerMemoryExhaustedException when full
 *     ... read and hand over the body ...
 * }                                                   // released, on success or failure
 * }</pre>
 */
public final class AnswerMemory {
    private final long capacity;
    private final AtomicLong reserved = new AtomicLong();

    private AnswerMemory(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the answer memory must be positive, was " + capacity + " bytes");
        }
        this.capacity = capacity;
    }

    /**
     * @param capacity the most bytes of answers held at once, at least 1
     * @return a budget of that many bytes
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public static AnswerMemory ofBytes(long capacity) {
        return new AnswerMemory(capacity);
    }

    /**
     * @return a budget of a quarter of the JVM's maximum heap (the share the gateway's {@code server.answer_memory}
     *     defaults to, as its response caches' {@code cache_memory} does)
     */
    public static AnswerMemory ofHeapShare() {
        return new AnswerMemory(Runtime.getRuntime().maxMemory() / 4);
    }

    /** @return a budget that never refuses (a library transport's default: it leaves the heap to its caller) */
    public static AnswerMemory unlimited() {
        return new AnswerMemory(Long.MAX_VALUE);
    }

    /** @return the budget, in bytes */
    public long capacity() {
        return capacity;
    }

    /** @return the bytes reserved now by open reservations */
    public long reserved() {
        return reserved.get();
    }

    /** @return an empty reservation; close it when its bytes are no longer held */
    public Reservation open() {
        return new Reservation();
    }

    private boolean tryReserve(long bytes) {
        while (true) {
            long now = reserved.get();
            if (bytes > capacity - now) {
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** The bytes one answer holds. Used by one thread at a time; {@link #close} is idempotent. */
    public final class Reservation implements AutoCloseable {
        private long bytes;
        private boolean closed;

        private Reservation() {}

        /**
         * Adds {@code more} bytes to this reservation, or refuses them all at once.
         *
         * @param more bytes about to be held, not negative
         * @throws AnswerMemoryExhaustedException if the budget cannot hold them now (nothing is added)
         * @throws IllegalStateException if the reservation is closed
         */
        public void grow(long more) throws AnswerMemoryExhaustedException {
            if (more < 0) {
                throw new IllegalArgumentException("cannot reserve negative bytes: " + more);
            }
            if (closed) {
                throw new IllegalStateException("the reservation is closed");
            }
            if (!tryReserve(more)) {
                throw new AnswerMemoryExhaustedException(capacity);
            }
            bytes += more;
        }

        /** @return the bytes this reservation holds */
        public long bytes() {
            return bytes;
        }

        /** Gives this reservation's bytes back to the budget. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                reserved.addAndGet(-bytes);
                bytes = 0;
            }
        }
    }
}
