package dev.costwise.core.performance;

import dev.costwise.core.Money;
import dev.costwise.core.internal.Checks;
import java.util.Objects;

/**
 * An immutable snapshot of a {@link ResponseCache}'s counters. A window is {@code later.minus(earlier)}.
 *
 * <p>When each counter moves:
 * <ul>
 *   <li>{@code hitCount}: a call answered from a stored entry, or from a load another caller had started
 *       (single-flight) that succeeded;</li>
 *   <li>{@code missCount}: a call that ran the delegate, or waited on another caller's load that failed;</li>
 *   <li>{@code loadFailureCount}: a delegate call that threw (nothing is cached);</li>
 *   <li>{@code expirationCount}: an entry removed because its time to live ran out;</li>
 *   <li>{@code evictionCount}: an entry removed to respect the maximum size or weight (never an expiration);</li>
 *   <li>{@code moneySaved}: the sum, over hits, of the cache's {@code savedOnHit} function.</li>
 * </ul>
 *
 * @param hitCount hits
 * @param missCount misses
 * @param loadFailureCount failed loads
 * @param expirationCount entries expired
 * @param evictionCount entries evicted for size or weight
 * @param moneySaved money saved by hits
 */
public record CacheStats(long hitCount, long missCount, long loadFailureCount, long expirationCount,
        long evictionCount, Money moneySaved) {

    public CacheStats {
        Checks.requireArgument(hitCount >= 0, "hitCount cannot be negative, was %s", hitCount);
        Checks.requireArgument(missCount >= 0, "missCount cannot be negative, was %s", missCount);
        Checks.requireArgument(loadFailureCount >= 0, "loadFailureCount cannot be negative, was %s", loadFailureCount);
        Checks.requireArgument(expirationCount >= 0, "expirationCount cannot be negative, was %s", expirationCount);
        Checks.requireArgument(evictionCount >= 0, "evictionCount cannot be negative, was %s", evictionCount);
        Objects.requireNonNull(moneySaved, "moneySaved");
    }

    /** @return all counters zero */
    public static CacheStats empty() {
        return new CacheStats(0, 0, 0, 0, 0, Money.ZERO);
    }

    /** @return hits plus misses */
    public long requestCount() {
        return hitCount + missCount;
    }

    /** @return hits over requests, 0..1; 1.0 when there were no requests (nothing was missed), as in Caffeine */
    public double hitRate() {
        long requests = requestCount();
        return requests == 0 ? 1.0 : (double) hitCount / requests;
    }

    /** @return misses over requests, 0..1; 0.0 when there were no requests */
    public double missRate() {
        long requests = requestCount();
        return requests == 0 ? 0.0 : (double) missCount / requests;
    }

    /**
     * @param other stats to add
     * @return the sum, counter by counter
     */
    public CacheStats plus(CacheStats other) {
        return new CacheStats(hitCount + other.hitCount, missCount + other.missCount,
                loadFailureCount + other.loadFailureCount, expirationCount + other.expirationCount,
                evictionCount + other.evictionCount, moneySaved.plus(other.moneySaved));
    }

    /**
     * @param other earlier stats of the same cache
     * @return the difference, counter by counter, floored at zero
     */
    public CacheStats minus(CacheStats other) {
        Money saved = moneySaved.minus(other.moneySaved);
        return new CacheStats(Math.max(0, hitCount - other.hitCount), Math.max(0, missCount - other.missCount),
                Math.max(0, loadFailureCount - other.loadFailureCount),
                Math.max(0, expirationCount - other.expirationCount), Math.max(0, evictionCount - other.evictionCount),
                saved.isNegative() ? Money.ZERO : saved);
    }
}
