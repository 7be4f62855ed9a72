package dev.costwise.store;

/**
 * How many requests Costwise's cache answered in a period.
 *
 * @param requests requests (first attempts)
 * @param cacheHits records with outcome {@code CACHE_HIT}
 */
public record CacheHitRate(long requests, long cacheHits) {

    public CacheHitRate {
        if (requests < 0 || cacheHits < 0) {
            throw new IllegalArgumentException("counts cannot be negative, were requests=" + requests
                    + ", cacheHits=" + cacheHits);
        }
    }

    /** @return hits as a share of requests, from 0 to 1; 0 when there were no requests */
    public double rate() {
        return requests == 0 ? 0.0 : Math.min(1.0, (double) cacheHits / requests);
    }
}
