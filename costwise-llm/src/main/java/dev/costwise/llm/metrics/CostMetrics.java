package dev.costwise.llm.metrics;

import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

/**
 * Collects cost records by name, model and provider: exact totals for snapshots, and Micrometer counters for
 * dashboards. The model is the one called, by its catalog name ({@link CostRecord#catalogModel()}), so a dated
 * snapshot a provider answered under counts with its model.
 *
 * <p>Exact totals use {@link dev.costwise.core.Money}; the Micrometer counters are for display:
 * <ul>
 *   <li>{@code costwise.llm.cost} and {@code costwise.llm.savings}, in dollars, and {@code costwise.llm.overspend}:
 *       what answers cost above their baseline (a fallback to a dearer model, a failed call the provider billed), kept
 *       apart because a counter never goes down; net savings are savings minus overspend, as the exact
 *       {@link CostTotals#savings()} has them;
 *   <li>{@code costwise.llm.tokens} by {@code direction} ({@code input}, {@code output}): the tokens providers
 *       processed and billed, failed and aborted attempts' included. A cache hit adds none, as no provider processed
 *       it (200 calls of which 180 are hits count the 20 calls' tokens): hits are counted by
 *       {@code costwise.llm.attempts} with outcome {@code cache_hit}, and what they saved by
 *       {@code costwise.llm.savings}. The snapshot's {@link CostTotals#inputTokens()} and
 *       {@link CostTotals#outputTokens()} count the same;
 *   <li>{@code costwise.llm.attempts} by {@code outcome}.
 * </ul>
 * Every counter is also tagged {@code name}, {@code model} and {@code provider}. Their tags are bounded: model and
 * provider names come from configuration, never from callers. Thread-safe.
 */
public final class CostMetrics {

    private final Optional<MeterRegistry> registry;
    private final ConcurrentMap<String, Totals> byName = new ConcurrentHashMap<>();

    private CostMetrics(Optional<MeterRegistry> registry) {
        this.registry = registry;
    }

    /** @return metrics kept in memory only */
    public static CostMetrics inMemory() {
        return new CostMetrics(Optional.empty());
    }

    /**
     * Metrics also published to a registry.
     *
     * @param registry where counters are registered
     * @return the metrics
     */
    public static CostMetrics of(MeterRegistry registry) {
        return new CostMetrics(Optional.of(Objects.requireNonNull(registry, "registry")));
    }

    /**
     * Counts one billed attempt under {@code name}. It counts no request: a caller that feeds only attempts, never
     * {@link #recordRequest}, gets the {@linkplain CostTotals#attemptFailureRate() attempt failure rate} as the
     * snapshot's {@link CostTotals#errorRate()}, since it gives no request to count failed ones over.
     *
     * @param name the workflow or model the attempt belongs to
     * @param record the attempt
     */
    public void record(String name, CostRecord record) {
        Objects.requireNonNull(record, "record");
        byName.computeIfAbsent(name, n -> new Totals()).add(record);
        registry.ifPresent(r -> publish(r, name, record));
    }

    /**
     * Counts one request under {@code name}: each of its attempts as {@link #record} does, and the request itself,
     * answered or failed, in the totals and under the model and provider of its last attempt that answered
     * ({@link Outcome#SUCCESS} or {@link Outcome#CACHE_HIT}), else of the last one tried.
     * {@link CostTotals#errorRate()} is over these requests.
     *
     * @param name the workflow or model the request went to
     * @param attempts the cost records the request wrote, in order; may be empty (refused before any attempt)
     * @param answered {@code true} when its caller got an answer, {@code false} when it got a failure
     */
    public void recordRequest(String name, List<CostRecord> attempts, boolean answered) {
        Objects.requireNonNull(attempts, "attempts");
        attempts.forEach(r -> record(name, r));
        byName.computeIfAbsent(name, n -> new Totals()).addRequest(answerer(attempts), answered);
    }

    /**
     * Counts one request of a workflow whose calls are not all answers (an orchestrator's verdict or plan is billed
     * as a {@link Outcome#SUCCESS} too), under the model whose answer its caller got, such as
     * {@code MultiModelResponse.executorModel()}: its last attempt on that model that
     * answered, else as {@link #recordRequest(String, List, boolean)} counts it. Without it a validated request would
     * count under the validator, whose verdict is its last successful call.
     *
     * @param name the workflow the request went to
     * @param attempts the cost records the request wrote, in order; may be empty
     * @param answered {@code true} when its caller got an answer, {@code false} when it got a failure
     * @param answeringModel the catalog model whose answer the caller got
     */
    public void recordRequest(String name, List<CostRecord> attempts, boolean answered, String answeringModel) {
        Objects.requireNonNull(attempts, "attempts");
        Objects.requireNonNull(answeringModel, "answeringModel");
        attempts.forEach(r -> record(name, r));
        CostRecord answer = answerer(attempts, r -> r.catalogModel().equals(answeringModel));
        byName.computeIfAbsent(name, n -> new Totals())
                .addRequest(answer != null ? answer : answerer(attempts), answered);
    }

    /** @return the attempt a request is counted under: the last that answered, else the last tried; null if none */
    private static CostRecord answerer(List<CostRecord> attempts) {
        CostRecord answer = answerer(attempts, r -> true);
        return answer != null || attempts.isEmpty() ? answer : attempts.getLast();
    }

    /** @return the last attempt that answered ({@code SUCCESS} or {@code CACHE_HIT}) and passes {@code which} */
    private static CostRecord answerer(List<CostRecord> attempts, Predicate<CostRecord> which) {
        for (CostRecord r : attempts.reversed()) {
            if ((r.outcome() == Outcome.SUCCESS || r.outcome() == Outcome.CACHE_HIT) && which.test(r)) {
                return r;
            }
        }
        return null;
    }

    /**
     * The totals recorded under {@code name}.
     *
     * @param name the name
     * @return the snapshot (empty totals if nothing was recorded)
     */
    public CostSnapshot snapshot(String name) {
        Totals t = byName.get(name);
        return t == null ? new CostSnapshot(name, CostTotals.EMPTY, Map.of(), Map.of()) : t.snapshot(name);
    }

    private static void publish(MeterRegistry r, String name, CostRecord rec) {
        String model = rec.catalogModel();
        String provider = rec.provider();
        Counter.builder("costwise.llm.cost").baseUnit("dollars").tag("name", name).tag("model", model)
                .tag("provider", provider).register(r).increment(rec.cost().toBigDecimal().doubleValue());
        // A counter only grows (Prometheus drops a negative increment), so a dearer answer's negative saving is
        // counted apart, as overspend: net savings = savings - overspend.
        double saved = rec.savings().toBigDecimal().doubleValue();
        Counter.builder("costwise.llm.savings").baseUnit("dollars").tag("name", name).tag("model", model)
                .tag("provider", provider).register(r).increment(Math.max(saved, 0));
        if (saved < 0) {
            Counter.builder("costwise.llm.overspend").baseUnit("dollars").tag("name", name).tag("model", model)
                    .tag("provider", provider).register(r).increment(-saved);
        }
        if (rec.outcome() != Outcome.CACHE_HIT) { // a hit's tokens were processed by no provider, this time
            Counter.builder("costwise.llm.tokens").tag("name", name).tag("model", model).tag("provider", provider)
                    .tag("direction", "input").register(r).increment(rec.usage().inputTokens());
            Counter.builder("costwise.llm.tokens").tag("name", name).tag("model", model).tag("provider", provider)
                    .tag("direction", "output").register(r).increment(rec.usage().outputTokens());
        }
        Counter.builder("costwise.llm.attempts").tag("name", name).tag("model", model).tag("provider", provider)
                .tag("outcome", rec.outcome().name().toLowerCase(java.util.Locale.ROOT)).register(r).increment();
    }

    /** Totals of one name; a lock per name keeps the three maps consistent with each other. */
    private static final class Totals {
        private CostTotals total = CostTotals.EMPTY;
        private final Map<String, CostTotals> byModel = new TreeMap<>();
        private final Map<String, CostTotals> byProvider = new TreeMap<>();

        synchronized void add(CostRecord r) {
            total = total.plus(r);
            byModel.merge(r.catalogModel(), CostTotals.EMPTY.plus(r), (a, b) -> a.plus(r));
            byProvider.merge(r.provider(), CostTotals.EMPTY.plus(r), (a, b) -> a.plus(r));
        }

        /** Counts a request in the totals, and under its last attempt's model and provider when it made one. */
        synchronized void addRequest(CostRecord last, boolean answered) {
            total = total.plusRequest(answered);
            if (last != null) {
                byModel.merge(last.catalogModel(), CostTotals.EMPTY.plusRequest(answered),
                        (a, b) -> a.plusRequest(answered));
                byProvider.merge(last.provider(), CostTotals.EMPTY.plusRequest(answered),
                        (a, b) -> a.plusRequest(answered));
            }
        }

        synchronized CostSnapshot snapshot(String name) {
            return new CostSnapshot(name, total, byModel, byProvider);
        }
    }
}
