package dev.costwise.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's write path: a bounded queue filled by {@link #append} and one platform thread that drains it in JDBC
 * batches, each in one transaction, retrying a failed batch with exponential backoff until it is written.
 *
 * <p>A flush or a close puts a barrier in the queue; the queue is FIFO, so when the writer reaches the barrier every
 * record appended before it is durable.
 */
final class LedgerWriter {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);
    private static final Duration ABANDON_WAIT = Duration.ofSeconds(5);
    /** SQLite rows written between two yields of the CPU within one transaction (about 0.2 ms of work). */
    static final int ROWS_PER_SLICE = 16;
    /** The writer yields only while fewer rows than this wait behind its batch. */
    private static final int YIELD_BELOW_WAITING = 64;

    private final ConnectionFactory connections;
    private final LedgerOptions options;
    private final BlockingQueue<Entry> queue;
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failedWrites = new AtomicLong();
    private final Thread thread;
    private volatile boolean writable = true;
    private volatile boolean abandoned;
    private volatile int batchInFlight;
    private boolean closed;
    private Connection connection;
    private PreparedStatement insert;

    LedgerWriter(ConnectionFactory connections, LedgerOptions options) {
        this.connections = connections;
        this.options = options;
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        // A platform thread: JDBC drivers (SQLite's is JNI) block inside native code, which pins a virtual thread's
        // carrier; on a 2-core host that took half the request carriers away for every batch commit.
        this.thread = Thread.ofPlatform().daemon(true).name("costwise-ledger-writer").start(this::run);
    }

    /**
     * Queues a row; waits up to the append timeout for room when the queue is full.
     *
     * @throws SpendLedgerException if there was no room in time, or the caller was interrupted while waiting
     * @throws IllegalStateException if the ledger is closed
     */
    void append(LedgerRow row) {
        closing.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the spend ledger (" + connections.describe()
                        + ") is closed; record for request '" + row.record().requestId() + "' not accepted");
            }
            if (!thread.isAlive()) {
                throw new SpendLedgerException("the spend ledger (" + connections.describe() + ") writer has"
                        + " stopped after an error (see the log); record for request '" + row.record().requestId()
                        + "' not accepted");
            }
            if (queue.offer(row)) {
                return;
            }
            if (!queue.offer(row, options.appendTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                throw new SpendLedgerException("spend ledger queue is full (" + options.queueCapacity()
                        + " records) after waiting " + options.appendTimeout() + "; the database ("
                        + connections.describe() + ") is " + (writable ? "slower than the request rate"
                                : "not accepting writes") + "; record for request '" + row.record().requestId()
                        + "' not accepted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpendLedgerException("interrupted while waiting for room in the spend ledger queue; record for"
                    + " request '" + row.record().requestId() + "' not accepted", e);
        } finally {
            closing.readLock().unlock();
        }
    }

    /**
     * Waits until every row appended before this call is written.
     *
     * @return {@code false} if {@code timeout} passed first
     */
    boolean flush(Duration timeout) {
        Barrier barrier = new Barrier(new CompletableFuture<>(), false);
        closing.readLock().lock();
        try {
            if (closed) {
                return awaitStopped(timeout);
            }
            if (!queue.offer(barrier, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
            LockSupport.unpark(thread); // the writer may be parked collecting a batch
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpendLedgerException("interrupted while flushing the spend ledger", e);
        } finally {
            closing.readLock().unlock();
        }
        return await(barrier.done(), timeout);
    }

    /**
     * Refuses further appends, writes everything queued, and stops the writer; after {@code timeout} it interrupts
     * the writer and logs how many records were not written.
     */
    void close(Duration timeout) {
        closing.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            closing.writeLock().unlock();
        }
        Barrier stop = new Barrier(new CompletableFuture<>(), true);
        try {
            queue.put(stop);
            LockSupport.unpark(thread);
            if (!await(stop.done(), timeout)) {
                LOG.error("spend ledger ({}) could not write {} queued records within {}; they are lost",
                        connections.describe(), pending(), timeout);
                abandoned = true;
                thread.interrupt();
            }
            thread.join(ABANDON_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
        }
    }

    boolean isWritable() {
        return writable;
    }

    /** @return {@code false} once the writer has stopped (closed, or after an error): no row is accepted then */
    boolean isRunning() {
        return thread.isAlive();
    }

    /** @return rows accepted and not yet written */
    long pending() {
        long barriers = queue.stream().filter(Barrier.class::isInstance).count();
        return queue.size() - barriers + batchInFlight;
    }

    long written() {
        return written.get();
    }

    long failedWrites() {
        return failedWrites.get();
    }

    private boolean awaitStopped(Duration timeout) {
        try {
            thread.join(timeout);
            return !thread.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpendLedgerException("interrupted while flushing the spend ledger", e);
        }
    }

    private static boolean await(CompletableFuture<Void> done, Duration timeout) {
        try {
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpendLedgerException("interrupted while waiting for the spend ledger writer", e);
        } catch (ExecutionException e) {
            throw new SpendLedgerException("spend ledger writer failed", e.getCause());
        }
    }

    private void run() {
        List<LedgerRow> batch = new ArrayList<>(options.batchSize());
        List<Barrier> barriers = new ArrayList<>();
        List<Entry> drained = new ArrayList<>(options.batchSize());
        try {
            while (true) {
                sort(queue.take(), batch, barriers);
                collect(batch, barriers, drained);
                writeWithRetry(batch);
                batch.clear();
                boolean stop = false;
                for (Barrier barrier : barriers) {
                    barrier.done().complete(null);
                    stop |= barrier.stop();
                }
                barriers.clear();
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            LOG.error("spend ledger ({}) writer interrupted; {} records not written", connections.describe(),
                    batch.size() + pending());
        } catch (RuntimeException | Error e) {
            // Last resort: a bug in the writer must not leave flush() and close() waiting forever.
            writable = false;
            LOG.error("spend ledger ({}) writer failed; {} records not written", connections.describe(),
                    batch.size() + pending(), e);
            barriers.forEach(barrier -> barrier.done().completeExceptionally(e));
            for (Entry entry : queue) {
                if (entry instanceof Barrier barrier) {
                    barrier.done().completeExceptionally(e);
                }
            }
            throw e;
        } finally {
            closeConnection();
        }
    }

    /**
     * Fills the batch with what arrives within the flush interval, until it is full or a barrier asks for a write.
     * The writer parks instead of waiting on the queue: a writer waiting on the queue is unparked by every append,
     * which cost each request a futex call and the writer a context switch per row. Only {@link #flush} and
     * {@link #close} wake it early.
     */
    private void collect(List<LedgerRow> batch, List<Barrier> barriers, List<Entry> drained)
            throws InterruptedException {
        long deadline = System.nanoTime() + options.flushInterval().toNanos();
        while (true) {
            drained.clear();
            // Rows drained after a barrier join this batch: writing them early is harmless.
            queue.drainTo(drained, options.batchSize() - batch.size());
            drained.forEach(entry -> sort(entry, batch, barriers));
            long remaining = deadline - System.nanoTime();
            if (!barriers.isEmpty() || batch.size() >= options.batchSize() || remaining <= 0) {
                return;
            }
            LockSupport.parkNanos(this, remaining);
            if (Thread.interrupted()) {
                throw new InterruptedException("spend ledger writer interrupted");
            }
        }
    }

    private static void sort(Entry entry, List<LedgerRow> batch, List<Barrier> barriers) {
        switch (entry) {
            case LedgerRow row -> batch.add(row);
            case Barrier barrier -> barriers.add(barrier);
        }
    }

    private void writeWithRetry(List<LedgerRow> batch) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        batchInFlight = batch.size();
        Duration backoff = options.retryInitialBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                write(batch);
                written.addAndGet(batch.size());
                batchInFlight = 0;
                if (!writable) {
                    LOG.info("spend ledger ({}) is writable again after {} attempts", connections.describe(),
                            attempt);
                }
                writable = true;
                return;
            } catch (SQLException e) {
                if (abandoned) {
                    throw new InterruptedException("spend ledger writer abandoned by close()");
                }
                writable = false;
                failedWrites.incrementAndGet();
                closeConnection();
                LOG.warn("spend ledger ({}) could not write {} records (attempt {}): {}; retrying in {}",
                        connections.describe(), batch.size(), attempt, e.getMessage(), backoff);
                options.sleeper().sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(options.retryMaxBackoff()) > 0
                        ? options.retryMaxBackoff() : backoff.multipliedBy(2);
            }
        }
    }

    private void write(List<LedgerRow> batch) throws SQLException {
        if (connection == null) {
            connection = connections.open();
            insert = connection.prepareStatement(LedgerRow.INSERT);
        }
        // SQLite writes in this process: a batch of rows at ~15 us each is a burst of a millisecond or more of one
        // core, and a request thread the kernel queues behind it waits for the burst to end. Yielding between
        // slices of the transaction caps that wait at one slice. Only while the writer keeps up: under saturation a
        // yield sends it behind every runnable thread, and it must not fall behind the request rate. A remote
        // database gets the batch in one round trip.
        int slice = connections.dialect() == Dialect.SQLITE ? ROWS_PER_SLICE : batch.size();
        SqlWork.inTransaction(connection, c -> {
            int bound = 0;
            for (LedgerRow row : batch) {
                row.bind(insert, connections.dialect());
                insert.addBatch();
                if (++bound % slice == 0 && bound < batch.size()) {
                    executeBound();
                    if (queue.size() < YIELD_BELOW_WAITING) {
                        Thread.yield();
                    }
                }
            }
            executeBound();
            return null;
        });
    }

    private void executeBound() throws SQLException {
        try {
            insert.executeBatch();
        } finally {
            insert.clearBatch();
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the ledger writer's connection failed", e);
            }
            connection = null;
            insert = null;
        }
    }

    /** What the queue holds: a row to write, or a barrier. */
    sealed interface Entry permits LedgerRow, Barrier {
    }

    /** Completed when every row queued before it is written; {@code stop} also ends the writer. */
    record Barrier(CompletableFuture<Void> done, boolean stop) implements Entry {
    }
}
