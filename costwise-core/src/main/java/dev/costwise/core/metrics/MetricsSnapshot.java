package dev.costwise.core.metrics;

import dev.costwise.core.Money;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What one named primitive has done so far: the Java answer to the spec's
 * {@code get_enhanced_metrics_collector().get_all_metrics(name)}.
 *
 * <p>Counts are totals since the collector was created. Latency percentiles come from Micrometer's client-side
 * histogram (a decaying window of recent calls) and are zero when the registry keeps no percentiles.
 *
 * @param primitive the primitive's name
 * @param calls calls that finished, successes plus failures
 * @param successes calls that returned normally
 * @param failures calls that threw
 * @param p50 median latency
 * @param p95 95th percentile latency
 * @param p99 99th percentile latency
 * @param cacheHits cache answers served without calling the delegate
 * @param cacheMisses cache lookups that called the delegate
 * @param cacheExpirations entries removed because their time to live ran out
 * @param cacheEvictions entries removed for size or weight
 * @param moneySaved the sum of what cache hits saved
 * @param routeCounts calls per route taken
 * @param fallbacksAnswered answers per fallback target
 * @param fallbacksSkipped skips per fallback target, then per reason
 * @param retries retries made (attempts after the first)
 * @param retriesByReason retries per failure reason
 * @param rejections calls refused or abandoned without calling the delegate, per reason
 */
public record MetricsSnapshot(
        String primitive,
        long calls,
        long successes,
        long failures,
        Duration p50,
        Duration p95,
        Duration p99,
        long cacheHits,
        long cacheMisses,
        long cacheExpirations,
        long cacheEvictions,
        Money moneySaved,
        Map<String, Long> routeCounts,
        Map<String, Long> fallbacksAnswered,
        Map<String, Map<String, Long>> fallbacksSkipped,
        long retries,
        Map<String, Long> retriesByReason,
        Map<String, Long> rejections) {

    public MetricsSnapshot {
        Objects.requireNonNull(primitive, "primitive");
        Objects.requireNonNull(moneySaved, "moneySaved");
        routeCounts = Map.copyOf(routeCounts);
        fallbacksAnswered = Map.copyOf(fallbacksAnswered);
        fallbacksSkipped = Map.copyOf(fallbacksSkipped);
        retriesByReason = Map.copyOf(retriesByReason);
        rejections = Map.copyOf(rejections);
    }

    /** @return cache hits over cache lookups, 0..1; 1.0 when there were no lookups (nothing was missed) */
    public double cacheHitRate() {
        long lookups = cacheHits + cacheMisses;
        return lookups == 0 ? 1.0 : (double) cacheHits / lookups;
    }

    /** @return failures over calls, 0..1; 0.0 when there were no calls */
    public double failureRate() {
        return calls == 0 ? 0.0 : (double) failures / calls;
    }
}
