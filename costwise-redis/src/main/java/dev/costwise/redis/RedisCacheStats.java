package dev.costwise.redis;

import dev.costwise.core.Money;
import java.util.Objects;

/**
 * What a {@link RedisChatCache} has done. A call is a hit, a miss (it called upstream and stored the answer) or a
 * bypass (Redis was unreachable and the call went straight upstream).
 *
 * @param hits calls answered from Redis
 * @param misses calls that went upstream and stored the answer
 * @param bypasses calls that went upstream because Redis was unreachable
 * @param waits calls that found another caller filling the same key and waited for it
 * @param waitTimeouts waits that ran out and called upstream anyway
 * @param saved what the answers served from the cache cost when they were made
 */
public record RedisCacheStats(long hits, long misses, long bypasses, long waits, long waitTimeouts, Money saved) {

    public RedisCacheStats {
        Objects.requireNonNull(saved, "saved");
    }

    /** @return hits over hits plus misses plus bypasses; 1.0 when there were no calls */
    public double hitRate() {
        long calls = hits + misses + bypasses;
        return calls == 0 ? 1.0 : (double) hits / calls;
    }
}
