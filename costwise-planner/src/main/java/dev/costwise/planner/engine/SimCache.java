package dev.costwise.planner.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The planner's model of a response cache: exact keys, a TTL from the time of the write, LRU eviction beyond the
 * maximum size. Time is the simulated request time in milliseconds. Not thread-safe (the planner runs one request
 * after another).
 */
final class SimCache {

    private final long ttlMillis;
    private final LinkedHashMap<String, Long> expiries;

    SimCache(long ttlMillis, long maxSize) {
        this.ttlMillis = ttlMillis;
        this.expiries = new LinkedHashMap<>(1024, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > maxSize;
            }
        };
    }

    /** @return {@code true} if {@code key} is cached and fresh at {@code nowMillis} */
    boolean hit(String key, long nowMillis) {
        Long expiry = expiries.get(key);
        if (expiry == null) {
            return false;
        }
        if (expiry <= nowMillis) {
            expiries.remove(key);
            return false;
        }
        return true;
    }

    void put(String key, long nowMillis) {
        expiries.put(key, nowMillis + ttlMillis);
    }
}
