package dev.costwise.core.metrics;

import dev.costwise.core.Money;
import dev.costwise.core.internal.FailSafeMetrics;
import java.util.Objects;

/**
 * Receives what primitives do, for metrics. Every method has a no-op default, so an implementation overrides only what
 * it needs; {@link #NONE} hears nothing.
 *
 * <p>Implementations must be fast and thread-safe, and should not throw: primitives wrap every instance they are
 * given with {@link #failSafe(PrimitiveMetrics)}, which logs and drops an exception instead of failing the call.
 * {@link MetricsCollector} is the Micrometer-backed implementation that also answers snapshots.
 */
public interface PrimitiveMetrics {

    /** Hears nothing; the default of every primitive. */
    PrimitiveMetrics NONE = new PrimitiveMetrics() {};

    /**
     * A call through a primitive finished.
     *
     * @param primitive the primitive's name
     * @param type the primitive's kind ({@code retry}, {@code cache}, {@code router}…)
     * @param nanos how long the call took
     * @param success whether it returned normally
     */
    default void onCall(String primitive, String type, long nanos, boolean success) {}

    /**
     * A cache answered from memory (or from a load another caller started).
     *
     * @param primitive the cache's name
     * @param saved what the hit saved, {@link Money#ZERO} when unknown
     */
    default void onCacheHit(String primitive, Money saved) {}

    /**
     * A cache had to call its delegate.
     *
     * @param primitive the cache's name
     */
    default void onCacheMiss(String primitive) {}

    /**
     * A cache entry was removed by the cache itself.
     *
     * @param primitive the cache's name
     * @param expired {@code true} when its time to live ran out, {@code false} when evicted for size or weight
     */
    default void onCacheRemoval(String primitive, boolean expired) {}

    /**
     * A router chose a route.
     *
     * @param primitive the router's name
     * @param route the route taken
     */
    default void onRoute(String primitive, String route) {}

    /**
     * A fallback target answered or was skipped.
     *
     * @param primitive the fallback's name
     * @param target the target's name
     * @param outcome {@code answered}, {@code skipped}, or {@code failed} when its failure ended the chain
     * @param reason why ({@code ok}, or the classifier's reason such as {@code rate_limited}, {@code circuit_open})
     */
    default void onFallback(String primitive, String target, String outcome, String reason) {}

    /**
     * A retry is about to happen.
     *
     * @param primitive the retry's name
     * @param attempt the attempt about to run (2 for the first retry)
     * @param reason the classifier's reason for the failure being retried
     */
    default void onRetry(String primitive, int attempt, String reason) {}

    /**
     * A primitive refused or gave up on a call without calling its delegate (open circuit, full bulkhead, retry budget
     * spent, deadline, timeout).
     *
     * @param primitive the primitive's name
     * @param reason a short stable word
     */
    default void onRejected(String primitive, String reason) {}

    /**
     * A circuit breaker changed state.
     *
     * @param primitive the breaker's name
     * @param from the old state
     * @param to the new state
     */
    default void onStateTransition(String primitive, String from, String to) {}

    /**
     * Wraps {@code metrics} so that an exception it throws is logged and dropped, never thrown into a call.
     *
     * @param metrics the metrics to protect
     * @return {@code metrics} itself when it is {@link #NONE} or already fail-safe, else a wrapper
     */
    static PrimitiveMetrics failSafe(PrimitiveMetrics metrics) {
        Objects.requireNonNull(metrics, "metrics");
        if (metrics == NONE || metrics instanceof FailSafeMetrics) {
            return metrics;
        }
        return new FailSafeMetrics(metrics);
    }
}
