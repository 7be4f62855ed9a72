package dev.costwise.redis;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Writes to the Redis budget counters waiting for Redis to answer, sent in the order they were made. Spend settled
 * in the local fallback is summed per bucket until it is sent, so a long outage keeps one entry per bucket rather
 * than one per call; each sum becomes a {@link BudgetWrite.PushSpend} with its own marker when sending starts, and a
 * write that failed is sent again as it was (the same marker, the same hold), so a timeout never counts twice.
 * Thread-safe.
 */
final class PendingBudgetWrites {

    private final Deque<BudgetWrite> writes = new ArrayDeque<>(); // guarded by this
    private final Map<String, LocalSpend> localSpend = new LinkedHashMap<>(); // guarded by this
    /** One sender at a time, so writes leave in order. */
    private final ReentrantLock sending = new ReentrantLock();
    /** {@link #size()} without the lock, for the request path's check. */
    private volatile int waiting;

    private record LocalSpend(NanosAndPicos spent, long bucketExpiry) {}

    /** Queues a write. */
    synchronized void add(BudgetWrite write) {
        writes.add(write);
        waiting = size();
    }

    /** Adds spend settled locally to the bucket's sum (exact to the pico-dollar). */
    synchronized void addLocalSpend(String bucket, NanosAndPicos spent, long bucketExpiry) {
        localSpend.merge(bucket, new LocalSpend(spent, bucketExpiry),
                (a, b) -> new LocalSpend(a.spent().plus(b.spent()), Math.max(a.bucketExpiry(), b.bucketExpiry())));
        waiting = size();
    }

    /** Drops everything (Redis lost its data; the ledger rebuilds the counters instead). */
    synchronized void clear() {
        writes.clear();
        localSpend.clear();
        waiting = 0;
    }

    /** @return whether nothing waits; no lock taken */
    boolean isEmpty() {
        return waiting == 0;
    }

    /** @return writes and local sums waiting */
    synchronized int size() {
        return writes.size() + localSpend.size();
    }

    /**
     * Sends every waiting write in order, including those queued while it runs; stops at the first that fails and
     * keeps it and the rest.
     *
     * @param redis where to send
     * @param markerKey a new marker key for each local sum
     * @param markerExpiry when markers may go
     * @param wait whether to wait for another sender to finish (recovery must), or leave the writes to it
     * @throws RedisUnavailableException if a write failed
     */
    void sendAll(RedisConnection redis, Supplier<String> markerKey, long markerExpiry, boolean wait) {
        while (size() > 0) {
            if (wait) {
                sending.lock();
            } else if (!sending.tryLock()) {
                return; // the sender re-checks after it lets go, so it sends what was queued meanwhile
            }
            try {
                sendQueued(redis, markerKey, markerExpiry);
            } finally {
                sending.unlock();
            }
        }
    }

    private void sendQueued(RedisConnection redis, Supplier<String> markerKey, long markerExpiry) {
        synchronized (this) {
            localSpend.forEach((bucket, spend) -> writes.add(new BudgetWrite.PushSpend(markerKey.get(), bucket,
                    spend.spent(), spend.bucketExpiry(), Math.max(markerExpiry, spend.bucketExpiry()))));
            localSpend.clear();
            waiting = size();
        }
        while (true) {
            BudgetWrite next;
            synchronized (this) {
                next = writes.peekFirst();
            }
            if (next == null) {
                return;
            }
            next.sendTo(redis);
            synchronized (this) {
                if (writes.peekFirst() == next) { // else cleared meanwhile
                    writes.pollFirst();
                }
                waiting = size();
            }
        }
    }
}
