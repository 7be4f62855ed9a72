package dev.costwise.llm.ratelimit;

/**
 * Requests and tokens in a sliding window, kept in fixed time buckets. The window read is the current bucket plus the
 * {@code n} before it, so it spans between one window and one window plus one bucket: it may remember an event a
 * little too long, never too briefly, so limits are never passed. Not thread-safe: the owner locks.
 */
final class SlidingWindowCounter {

    private final long bucketMillis;
    private final long[] epochs;
    private final long[] requests;
    private final long[] tokens;

    SlidingWindowCounter(long windowMillis, int buckets) {
        this.bucketMillis = windowMillis / buckets;
        int size = buckets + 1;
        this.epochs = new long[size];
        this.requests = new long[size];
        this.tokens = new long[size];
        java.util.Arrays.fill(epochs, Long.MIN_VALUE);
    }

    /** @return the bucket number {@code nowMillis} falls in */
    long bucketOf(long nowMillis) {
        return Math.floorDiv(nowMillis, bucketMillis);
    }

    void add(long bucket, long requestCount, long tokenCount) {
        int i = (int) Math.floorMod(bucket, (long) epochs.length);
        if (epochs[i] != bucket) {
            if (epochs[i] > bucket) {
                return; // older than the window: forgotten already
            }
            epochs[i] = bucket;
            requests[i] = 0;
            tokens[i] = 0;
        }
        requests[i] += requestCount;
        tokens[i] += tokenCount;
    }

    long requests(long nowMillis) {
        return sum(requests, bucketOf(nowMillis));
    }

    long tokens(long nowMillis) {
        return sum(tokens, bucketOf(nowMillis));
    }

    private long sum(long[] values, long current) {
        long total = 0;
        for (int i = 0; i < epochs.length; i++) {
            if (epochs[i] <= current && epochs[i] > current - epochs.length) {
                total += values[i];
            }
        }
        return Math.max(0, total);
    }
}
