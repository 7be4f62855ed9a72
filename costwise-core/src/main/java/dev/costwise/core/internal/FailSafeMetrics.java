package dev.costwise.core.internal;

import dev.costwise.core.Money;
import dev.costwise.core.metrics.PrimitiveMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Forwards to a {@link PrimitiveMetrics}, logging and dropping anything it throws. Not public API. */
public final class FailSafeMetrics implements PrimitiveMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(FailSafeMetrics.class);

    private final PrimitiveMetrics delegate;

    /** @param delegate the metrics to protect */
    public FailSafeMetrics(PrimitiveMetrics delegate) {
        this.delegate = delegate;
    }

    private void guard(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) { // listener isolation: a metrics bug must never fail a call
            LOG.warn("metrics listener {} threw; ignored", delegate.getClass().getName(), e);
        }
    }

    @Override
    public void onCall(String primitive, String type, long nanos, boolean success) {
        guard(() -> delegate.onCall(primitive, type, nanos, success));
    }

    @Override
    public void onCacheHit(String primitive, Money saved) {
        guard(() -> delegate.onCacheHit(primitive, saved));
    }

    @Override
    public void onCacheMiss(String primitive) {
        guard(() -> delegate.onCacheMiss(primitive));
    }

    @Override
    public void onCacheRemoval(String primitive, boolean expired) {
        guard(() -> delegate.onCacheRemoval(primitive, expired));
    }

    @Override
    public void onRoute(String primitive, String route) {
        guard(() -> delegate.onRoute(primitive, route));
    }

    @Override
    public void onFallback(String primitive, String target, String outcome, String reason) {
        guard(() -> delegate.onFallback(primitive, target, outcome, reason));
    }

    @Override
    public void onRetry(String primitive, int attempt, String reason) {
        guard(() -> delegate.onRetry(primitive, attempt, reason));
    }

    @Override
    public void onRejected(String primitive, String reason) {
        guard(() -> delegate.onRejected(primitive, reason));
    }

    @Override
    public void onStateTransition(String primitive, String from, String to) {
        guard(() -> delegate.onStateTransition(primitive, from, to));
    }
}
