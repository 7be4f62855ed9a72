package dev.costwise.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;

/**
 * A sliding one-minute window of requests and tokens for one virtual key, in one-second buckets. Thread-safe
 * (synchronized: one key's calls are few and short).
 */
final class RateWindow {
    private static final int BUCKETS = 60;
    private static final long SECOND = 1_000_000_000L;

    private final Ticker ticker;
    private final long[] requests = new long[BUCKETS];
    private final long[] tokens = new long[BUCKETS];
    private final long[] bucketSecond = new long[BUCKETS];

    RateWindow(Ticker ticker) {
        this.ticker = ticker;
    }

    /**
     * The outcome of {@link #tryAcquire}.
     *
     * @param retryAfter empty when admitted, else how long until a slot frees
     * @param requests requests in the window, this one included when admitted
     * @param tokens tokens in the window, this one's estimate included when admitted
     */
    record Admission(Optional<Duration> retryAfter, long requests, long tokens) {
        boolean admitted() {
            return retryAfter.isEmpty();
        }
    }

    /**
     * Admits one request if both limits leave room, and counts it.
     *
     * @param rpm requests per minute, or 0 for no limit
     * @param tpm tokens per minute, or 0 for no limit
     * @param estimatedTokens the request's estimated tokens, counted now and corrected by {@link #correct}
     * @return whether it was admitted, and what the window counts
     */
    synchronized Admission tryAcquire(int rpm, int tpm, long estimatedTokens) {
        long now = ticker.read() / SECOND;
        long reqs = 0;
        long toks = 0;
        long oldest = now;
        for (int i = 0; i < BUCKETS; i++) {
            if (bucketSecond[i] > now - BUCKETS && (requests[i] > 0 || tokens[i] > 0)) {
                reqs += requests[i];
                toks += tokens[i];
                oldest = Math.min(oldest, bucketSecond[i]);
            }
        }
        if ((rpm > 0 && reqs >= rpm) || (tpm > 0 && toks + estimatedTokens > tpm && toks > 0)) {
            return new Admission(Optional.of(Duration.ofSeconds(Math.max(1, oldest + BUCKETS - now))), reqs, toks);
        }
        int b = bucket(now);
        requests[b]++;
        tokens[b] += estimatedTokens;
        return new Admission(Optional.empty(), reqs + 1, toks + estimatedTokens);
    }

    /** Replaces an estimate with the tokens really used. */
    synchronized void correct(long estimatedTokens, long actualTokens) {
        long now = ticker.read() / SECOND;
        int b = bucket(now);
        tokens[b] = Math.max(0, tokens[b] + actualTokens - estimatedTokens);
    }

    private int bucket(long second) {
        int b = (int) (second % BUCKETS);
        if (bucketSecond[b] != second) {
            bucketSecond[b] = second;
            requests[b] = 0;
            tokens[b] = 0;
        }
        return b;
    }
}
