package dev.costwise.core.metrics;

import dev.costwise.core.Money;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records what primitives do into a Micrometer {@link MeterRegistry} and answers per-primitive
 * {@linkplain #snapshot(String) snapshots}.
 *
 * <p>Pass one collector to the builders of every primitive to observe ({@code .metrics(collector)}); each primitive
 * reports under its own name. Meters (all tagged {@code primitive}):
 * <ul>
 *   <li>{@code costwise.primitive.calls} counter, tags {@code type}, {@code outcome} ({@code success|failure})</li>
 *   <li>{@code costwise.primitive.latency} timer with p50/p95/p99, tag {@code type}</li>
 *   <li>{@code costwise.cache.requests} counter, tag {@code result} ({@code hit|miss})</li>
 *   <li>{@code costwise.cache.removals} counter, tag {@code cause} ({@code expired|size})</li>
 *   <li>{@code costwise.cache.saved.dollars} counter (display only; exact sums are in snapshots)</li>
 *   <li>{@code costwise.router.routes} counter, tag {@code route}</li>
 *   <li>{@code costwise.fallback.targets} counter, tags {@code target}, {@code outcome}, {@code reason}</li>
 *   <li>{@code costwise.retry.attempts} counter, tag {@code reason}</li>
 *   <li>{@code costwise.primitive.rejections} counter, tag {@code reason}</li>
 *   <li>{@code costwise.circuit.transitions} counter, tags {@code from}, {@code to}</li>
 * </ul>
 *
 * <p>Thread-safe. Meters are created once per tag combination and reused, so the hot path does two map lookups and a
 * few adds.
 */
public final class MetricsCollector implements PrimitiveMetrics {

    private final MeterRegistry registry;
    private final ConcurrentMap<String, PerPrimitive> byName = new ConcurrentHashMap<>();

    private MetricsCollector(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * A collector recording into {@code registry}.
     *
     * @param registry where meters are registered, for example a Prometheus registry
     * @return the collector
     */
    public static MetricsCollector of(MeterRegistry registry) {
        return new MetricsCollector(Objects.requireNonNull(registry, "registry"));
    }

    /** @return the registry meters are recorded into */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * What the named primitive has done so far; all zeros for a name never seen.
     *
     * @param primitive the primitive's name
     * @return the snapshot
     */
    public MetricsSnapshot snapshot(String primitive) {
        Objects.requireNonNull(primitive, "primitive");
        PerPrimitive p = byName.get(primitive);
        return p == null ? PerPrimitive.empty(primitive) : p.snapshot();
    }

    /** @return a snapshot of every primitive seen, by name, sorted */
    public Map<String, MetricsSnapshot> snapshots() {
        Map<String, MetricsSnapshot> out = new TreeMap<>();
        byName.forEach((name, p) -> out.put(name, p.snapshot()));
        return out;
    }

    private PerPrimitive of(String primitive) {
        PerPrimitive p = byName.get(primitive);
        return p != null ? p : byName.computeIfAbsent(primitive, n -> new PerPrimitive(n, registry));
    }

    @Override
    public void onCall(String primitive, String type, long nanos, boolean success) {
        PerPrimitive p = of(primitive);
        (success ? p.successes : p.failures).increment();
        p.counter("costwise.primitive.calls", "type", type, "outcome", success ? "success" : "failure").increment();
        p.timer(type).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onCacheHit(String primitive, Money saved) {
        PerPrimitive p = of(primitive);
        p.hits.increment();
        p.counter("costwise.cache.requests", "result", "hit").increment();
        if (!saved.isZero()) {
            p.saved.accumulateAndGet(saved, Money::plus);
            p.counter("costwise.cache.saved.dollars").increment(saved.toBigDecimal().doubleValue());
        }
    }

    @Override
    public void onCacheMiss(String primitive) {
        PerPrimitive p = of(primitive);
        p.misses.increment();
        p.counter("costwise.cache.requests", "result", "miss").increment();
    }

    @Override
    public void onCacheRemoval(String primitive, boolean expired) {
        PerPrimitive p = of(primitive);
        (expired ? p.expirations : p.evictions).increment();
        p.counter("costwise.cache.removals", "cause", expired ? "expired" : "size").increment();
    }

    @Override
    public void onRoute(String primitive, String route) {
        PerPrimitive p = of(primitive);
        PerPrimitive.count(p.routes, route);
        p.counter("costwise.router.routes", "route", route).increment();
    }

    @Override
    public void onFallback(String primitive, String target, String outcome, String reason) {
        PerPrimitive p = of(primitive);
        if ("answered".equals(outcome)) {
            PerPrimitive.count(p.answered, target);
        } else {
            PerPrimitive.count(p.skipped.computeIfAbsent(target, t -> new ConcurrentHashMap<>()), reason);
        }
        p.counter("costwise.fallback.targets", "target", target, "outcome", outcome, "reason", reason).increment();
    }

    @Override
    public void onRetry(String primitive, int attempt, String reason) {
        PerPrimitive p = of(primitive);
        PerPrimitive.count(p.retries, reason);
        p.counter("costwise.retry.attempts", "reason", reason).increment();
    }

    @Override
    public void onRejected(String primitive, String reason) {
        PerPrimitive p = of(primitive);
        PerPrimitive.count(p.rejections, reason);
        p.counter("costwise.primitive.rejections", "reason", reason).increment();
    }

    @Override
    public void onStateTransition(String primitive, String from, String to) {
        of(primitive).counter("costwise.circuit.transitions", "from", from, "to", to).increment();
    }

    /** Counters of one primitive. */
    private static final class PerPrimitive {
        final String name;
        final MeterRegistry registry;
        final LongAdder successes = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder hits = new LongAdder();
        final LongAdder misses = new LongAdder();
        final LongAdder expirations = new LongAdder();
        final LongAdder evictions = new LongAdder();
        final AtomicReference<Money> saved = new AtomicReference<>(Money.ZERO);
        final ConcurrentMap<String, LongAdder> routes = new ConcurrentHashMap<>();
        final ConcurrentMap<String, LongAdder> answered = new ConcurrentHashMap<>();
        final ConcurrentMap<String, ConcurrentMap<String, LongAdder>> skipped = new ConcurrentHashMap<>();
        final ConcurrentMap<String, LongAdder> retries = new ConcurrentHashMap<>();
        final ConcurrentMap<String, LongAdder> rejections = new ConcurrentHashMap<>();
        final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
        final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

        PerPrimitive(String name, MeterRegistry registry) {
            this.name = name;
            this.registry = registry;
        }

        Counter counter(String meter, String... tags) {
            String key = tags.length == 0 ? meter : meter + '|' + String.join("|", tags);
            Counter c = counters.get(key);
            if (c == null) {
                c = counters.computeIfAbsent(key,
                        k -> Counter.builder(meter).tags(Tags.of(tags).and("primitive", name)).register(registry));
            }
            return c;
        }

        Timer timer(String type) {
            Timer t = timers.get(type);
            if (t == null) {
                t = timers.computeIfAbsent(type, k -> Timer.builder("costwise.primitive.latency")
                        .tags("primitive", name, "type", type)
                        .publishPercentiles(0.5, 0.95, 0.99)
                        .register(registry));
            }
            return t;
        }

        static void count(ConcurrentMap<String, LongAdder> map, String key) {
            LongAdder a = map.get(key);
            if (a == null) {
                a = map.computeIfAbsent(key, k -> new LongAdder());
            }
            a.increment();
        }

        static Map<String, Long> sums(ConcurrentMap<String, LongAdder> map) {
            Map<String, Long> out = new LinkedHashMap<>();
            new TreeMap<>(map).forEach((k, v) -> out.put(k, v.sum()));
            return out;
        }

        MetricsSnapshot snapshot() {
            Duration[] pct = {Duration.ZERO, Duration.ZERO, Duration.ZERO};
            double[] wanted = {0.5, 0.95, 0.99};
            for (Timer t : timers.values()) { // one timer per type; a name normally has one type
                HistogramSnapshot hs = t.takeSnapshot();
                for (ValueAtPercentile v : hs.percentileValues()) {
                    for (int i = 0; i < wanted.length; i++) {
                        if (Math.abs(v.percentile() - wanted[i]) < 1e-9) {
                            Duration d = Duration.ofNanos((long) v.value(TimeUnit.NANOSECONDS));
                            pct[i] = d.compareTo(pct[i]) > 0 ? d : pct[i];
                        }
                    }
                }
            }
            Map<String, Map<String, Long>> skips = new LinkedHashMap<>();
            new TreeMap<>(skipped).forEach((target, reasons) -> skips.put(target, sums(reasons)));
            Map<String, Long> retryReasons = sums(retries);
            long retryTotal = retryReasons.values().stream().mapToLong(Long::longValue).sum();
            long ok = successes.sum();
            long ko = failures.sum();
            return new MetricsSnapshot(name, ok + ko, ok, ko, pct[0], pct[1], pct[2], hits.sum(), misses.sum(),
                    expirations.sum(), evictions.sum(), saved.get(), sums(routes), sums(answered), skips, retryTotal,
                    retryReasons, sums(rejections));
        }

        static MetricsSnapshot empty(String name) {
            return new MetricsSnapshot(name, 0, 0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, 0, 0, 0,
                    Money.ZERO, Map.of(), Map.of(), Map.of(), 0, Map.of(), Map.of());
        }
    }

    /** @return the primitives seen so far */
    public java.util.Set<String> primitives() {
        return java.util.Set.copyOf(byName.keySet());
    }

    /**
     * The snapshot of {@code primitive} if it has reported anything.
     *
     * @param primitive the primitive's name
     * @return the snapshot, or empty for a name never seen
     */
    public Optional<MetricsSnapshot> find(String primitive) {
        PerPrimitive p = byName.get(primitive);
        return p == null ? Optional.empty() : Optional.of(p.snapshot());
    }
}
