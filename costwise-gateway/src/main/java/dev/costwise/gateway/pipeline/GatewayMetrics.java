package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's Micrometer meters. Tags stay bounded: {@code model} is a configured name (anything else is counted
 * as {@code other}), {@code outcome}, {@code cache} and {@code kind} come from fixed sets. Meters are looked up once and
 * kept, so the request path does no registry work after warm-up. Thread-safe.
 */
public final class GatewayMetrics {
    private final MeterRegistry registry;
    private final Set<String> knownModels;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    /**
     * @param registry where meters live
     * @param knownModels names that may appear as a tag
     */
    public GatewayMetrics(MeterRegistry registry, Set<String> knownModels) {
        this.registry = registry;
        this.knownModels = Set.copyOf(knownModels);
    }

    /** @return the registry, for meters that read their value (gauges) */
    MeterRegistry registry() {
        return registry;
    }

    /**
     * Counts one finished request.
     *
     * @param model the requested name
     * @param outcome {@code success}, {@code cache_hit}, {@code rejected}, {@code failed}, {@code aborted}
     * @param cost what it cost
     * @param latency how long it took
     */
    public void request(String model, String outcome, Money cost, Duration latency) {
        String m = bounded(model);
        counter("costwise.requests", m, outcome).increment();
        if (cost.isPositive()) {
            counter("costwise.cost.dollars", m, "").increment(cost.toBigDecimal().doubleValue());
        }
        timers.computeIfAbsent(m, k -> Timer.builder("costwise.request.duration").tag("model", k)
                .register(registry)).record(latency);
    }

    /**
     * Counts one failed upstream attempt.
     *
     * @param model the model tried
     * @param kind the failure kind ({@code rate_limited}, {@code timeout}…)
     */
    public void upstreamFailure(String model, String kind) {
        counter("costwise.upstream.failures", bounded(model), kind).increment();
    }

    /**
     * Counts a cache saving.
     *
     * @param model the requested name
     * @param saved what the hit saved
     */
    public void cacheSaving(String model, Money saved) {
        if (saved.isPositive()) {
            counter("costwise.cache.saved.dollars", bounded(model), "").increment(saved.toBigDecimal().doubleValue());
        }
    }

    /**
     * Counts a retry the provider's retry budget refused (the request fell back or failed instead).
     *
     * @param model the model whose retry was refused
     */
    public void retryRefused(String model) {
        counter("costwise.retries.refused", bounded(model), "").increment();
    }

    /**
     * Counts a call not made because the model's circuit is open (the request went to a fallback, or failed).
     *
     * @param model the model skipped
     */
    public void circuitSkipped(String model) {
        counter("costwise.upstream.skipped", bounded(model), "").increment();
    }

    /** Counts a ledger row that could not be queued. */
    public void ledgerFailure() {
        counter("costwise.ledger.failures", "other", "").increment();
    }

    private Counter counter(String name, String model, String second) {
        return counters.computeIfAbsent(name + '|' + model + '|' + second, k -> {
            Counter.Builder b = Counter.builder(name).tag("model", model);
            if (name.equals("costwise.requests")) {
                b.tag("outcome", second);
            } else if (name.equals("costwise.upstream.failures")) {
                b.tag("kind", second);
            }
            return b.register(registry);
        });
    }

    private String bounded(String model) {
        return knownModels.contains(model) ? model : "other";
    }
}
