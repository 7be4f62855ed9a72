package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The gateway's Micrometer meters. Tags stay bounded: {@code model} is a configured name (anything else, such as an
 * unknown model or none at all, is counted as {@code other}), {@code outcome} and {@code kind} come from fixed sets,
 * and an error's {@code code} is one of {@link #ERROR_CODES} (else {@code other}) with its 4xx or 5xx {@code status}.
 * Meters are looked up once and kept, so the request path does no registry work after warm-up. Dollar counters sum
 * exactly, at the ledger's pico-dollar ({@link DollarSum}), so {@code /metrics} shows the ledger's sums without the
 * drift of adding doubles or rounded amounts.
 * Thread-safe.
 */
public final class GatewayMetrics {
    /** The error codes the gateway answers with; any other code is counted as {@code other}. */
    public static final Set<String> ERROR_CODES = Set.of("invalid_json", "invalid_value", "invalid_api_key",
            "admin_only", "key_in_config", "master_key_required", "model_not_allowed", "key_not_found",
            "model_not_found", "not_found", "method_not_allowed", "body_too_large", "rate_limit_exceeded",
            "budget_exceeded", "shutting_down", "interrupted", "upstream_circuit_open", "not_supported",
            "internal_error",
            "upstream_rejected", "context_length_exceeded", "content_filter", "upstream_rate_limited",
            "upstream_overloaded", "upstream_quota_exhausted", "upstream_timeout", "upstream_error",
            "upstream_unreachable", "upstream_malformed", "upstream_auth_failed", "upstream_forbidden",
            "upstream_not_found", "answer_too_large");
    private static final String OTHER = "other";
    private static final int FIRST_ERROR = 400;
    private static final int ERROR_STATUSES = 200;
    private static final String LEDGER_FAILURES = "costwise.ledger.failures";
    private static final String RETRIES_REFUSED = "costwise.retries.refused";
    private static final String CACHE_SAVED = "costwise.cache.saved.dollars";
    private static final String VALIDATIONS = "costwise.workflow.validations";
    /** What a workflow's validation of its returned answer may come to. */
    private static final List<String> VALIDATION_RESULTS = List.of("passed", "failed", "unreadable");
    /** The calls a hit made unneeded, not its saving on the baseline, which /v1/spend counts (docs/gateway.md). */
    private static final String CACHE_SAVED_HELP = "What cache hits saved: the price of the calls they replaced, in"
            + " dollars (/v1/spend measures a hit against the pipeline's baseline instead)";
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "costwise.requests", "Finished model requests, by outcome (success, cache_hit, rejected, failed, aborted)",
            "costwise.upstream.failures", "Failed upstream attempts, by failure kind",
            "costwise.retries.refused", "Retries the provider's retry budget refused",
            "costwise.upstream.skipped", "Upstream calls not made because the model's circuit was open",
            "costwise.ledger.failures", "Ledger rows that could not be queued",
            VALIDATIONS, "Workflow answers validated, by how the verdict on the answer returned went (passed, failed: "
                    + "returned although it failed, unreadable)");

    private final MeterRegistry registry;
    private final Set<String> knownModels;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DollarSum> costs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DollarSum> savings = new ConcurrentHashMap<>();
    /** Error counters by code, then model, then status - 400; filled on first use, read without allocating. */
    private final Map<String, ConcurrentHashMap<String, AtomicReferenceArray<Counter>>> errors;

    /**
     * @param registry where meters live
     * @param knownModels names that may appear as a tag
     */
    public GatewayMetrics(MeterRegistry registry, Set<String> knownModels) {
        this.registry = registry;
        this.knownModels = Set.copyOf(knownModels);
        Map<String, ConcurrentHashMap<String, AtomicReferenceArray<Counter>>> byCode = new HashMap<>();
        ERROR_CODES.forEach(c -> byCode.put(c, new ConcurrentHashMap<>()));
        byCode.put(OTHER, new ConcurrentHashMap<>());
        this.errors = Map.copyOf(byCode);
        // Counters of rare events are shown at 0 from the start, for every tag they may take: a dashboard or an alert
        // on them reads 0, not "no data", until the first one.
        counter(LEDGER_FAILURES, OTHER, "");
        for (String model : this.knownModels) {
            counter(RETRIES_REFUSED, model, "");
            dollars(savings, CACHE_SAVED, CACHE_SAVED_HELP, model, Money.ZERO);
        }
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
            dollars(costs, "costwise.cost.dollars", "What answered requests cost, in dollars", m, cost);
        }
        timers.computeIfAbsent(m, k -> Timer.builder("costwise.request.duration").tag("model", k)
                .description("Time from a request's arrival to its answer (the end of its stream)")
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
     * Counts a cache saving: the cache's own, the price of the call the hit replaced. {@code /v1/spend} measures the
     * hit against the pipeline's baseline, so its savings also hold what routing to a cheaper model saved.
     *
     * @param model the requested name
     * @param saved what the replaced call cost
     */
    public void cacheSaving(String model, Money saved) {
        if (saved.isPositive()) {
            dollars(savings, CACHE_SAVED, CACHE_SAVED_HELP, bounded(model), saved);
        }
    }

    /**
     * Counts a retry the provider's retry budget refused (the request fell back or failed instead).
     *
     * @param model the model whose retry was refused
     */
    public void retryRefused(String model) {
        counter(RETRIES_REFUSED, bounded(model), "").increment();
    }

    /**
     * Counts a call not made because the model's circuit is open (the request went to a fallback, or failed).
     *
     * @param model the model skipped
     */
    public void circuitSkipped(String model) {
        counter("costwise.upstream.skipped", bounded(model), "").increment();
    }

    /**
     * Shows a validating workflow pipeline's validation counters at 0, for every result, before its first run.
     *
     * @param pipeline the pipeline
     */
    public void showWorkflowValidations(String pipeline) {
        VALIDATION_RESULTS.forEach(result -> counter(VALIDATIONS, bounded(pipeline), result));
    }

    /**
     * Counts one workflow run whose returned answer was validated.
     *
     * @param pipeline the workflow pipeline
     * @param result {@code passed}, {@code failed} (the answer is returned although it failed) or {@code unreadable}
     */
    public void workflowValidation(String pipeline, String result) {
        if (VALIDATION_RESULTS.contains(result)) {
            counter(VALIDATIONS, bounded(pipeline), result).increment();
        }
    }

    /** Counts a ledger row that could not be queued. */
    public void ledgerFailure() {
        counter(LEDGER_FAILURES, OTHER, "").increment();
    }

    /**
     * Counts one request the gateway answered with an error: every error answer, whether the gateway refused the
     * request itself (bad key, bad body, unknown model…) or its upstream failed.
     *
     * @param status the HTTP status (4xx or 5xx; anything else is not counted)
     * @param code the OpenAI error code ({@code invalid_json}, {@code model_not_found}…); outside
     *     {@link #ERROR_CODES} it is counted as {@code other}
     * @param model the requested name, or empty when the request named none (counted as {@code other})
     */
    public void error(int status, String code, String model) {
        int slot = status - FIRST_ERROR;
        if (slot < 0 || slot >= ERROR_STATUSES) {
            return;
        }
        var byModel = errors.get(code);
        String c = code;
        if (byModel == null) {
            byModel = errors.get(OTHER);
            c = OTHER;
        }
        String m = bounded(model);
        AtomicReferenceArray<Counter> byStatus = byModel.get(m);
        if (byStatus == null) {
            byStatus = byModel.computeIfAbsent(m, k -> new AtomicReferenceArray<>(ERROR_STATUSES));
        }
        Counter counter = byStatus.get(slot);
        if (counter == null) {
            // Micrometer returns the registered meter when two threads race to register the same one.
            counter = Counter.builder("costwise.errors").tag("model", m).tag("status", Integer.toString(status))
                    .tag("code", c).description("Requests answered with an error, by HTTP status and error code")
                    .register(registry);
            byStatus.set(slot, counter);
        }
        counter.increment();
    }

    private Counter counter(String name, String model, String second) {
        return counters.computeIfAbsent(name + '|' + model + '|' + second, k -> {
            Counter.Builder b = Counter.builder(name).tag("model", model).description(DESCRIPTIONS.get(name));
            if (name.equals("costwise.requests")) {
                b.tag("outcome", second);
            } else if (name.equals("costwise.upstream.failures")) {
                b.tag("kind", second);
            } else if (name.equals(VALIDATIONS)) {
                b.tag("result", second);
            }
            return b.register(registry);
        });
    }

    /** Adds {@code amount} to the model's exact sum behind a counter. */
    private void dollars(ConcurrentHashMap<String, DollarSum> sums, String name, String description, String model,
            Money amount) {
        DollarSum sum = sums.get(model);
        if (sum == null) {
            sum = sums.computeIfAbsent(model, k -> {
                DollarSum a = new DollarSum();
                FunctionCounter.builder(name, a, DollarSum::dollars).tag("model", k).description(description)
                        .register(registry);
                return a;
            });
        }
        sum.add(amount);
    }

    private String bounded(String model) {
        return knownModels.contains(model) ? model : "other";
    }
}
