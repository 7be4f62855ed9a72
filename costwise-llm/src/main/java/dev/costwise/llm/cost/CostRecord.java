package dev.costwise.llm.cost;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one attempt of one request cost: the ledger's row.
 *
 * <p>A request that was retried or fell back has several records sharing its {@link #requestId()}, so wasted spend
 * (failed, superseded, aborted attempts) is visible, as the spec's Pattern 4 counts it.
 *
 * <p>Three model names: the one the caller asked for ({@code requestedModel}), the one called, by its catalog name
 * ({@code catalogModel}: what the attempt was priced as, and what model-scoped budgets, the ledger's model reports and
 * metrics count it under), and the one the provider says answered ({@code usedModel}), which may be a dated snapshot
 * ({@code gpt-4o-2024-08-06} for {@code gpt-4o}) or an upstream id ({@code claude-haiku-4-5-20251001}).
 *
 * @param requestId the request's id (the context's correlation id); groups the attempts
 * @param attempt 1 for the first attempt of the request, counting up across retries and fallbacks
 * @param at when the attempt finished
 * @param requestedModel the model the caller asked for
 * @param usedModel the model that answered (or was tried), as the provider named it
 * @param catalogModel the model called, by its catalog name (an adapter built under an alias records the name the
 *     alias resolves to, {@link Pricer#catalogName}): the name a model-scoped budget counted the attempt under
 * @param provider the provider of {@code usedModel}
 * @param usage tokens billed; for a {@link Outcome#CACHE_HIT}, those of the answer served, billed when it was made
 * @param cost what was paid
 * @param baselineCost what the same tokens would have cost on the baseline ({@link Pricer#baselineCost}): the
 *     pricer's configured baseline ({@link CatalogPricer#withBaseline}), else the model the caller asked for, so a
 *     request for {@code gpt-4o} that a cheaper model answered shows what it saved; equal to {@code cost} when the
 *     baseline is the model called or cannot be priced; {@code 0} for a call that failed without answering
 * @param priceStatus how the cost is known
 * @param outcome how the attempt ended
 * @param errorKind the failure kind for a failed attempt ({@code rate_limited}, {@code timeout}…)
 * @param route the route the request took, if a router chose one ({@link CostRecords#record} fills it in from the
 *     context when empty)
 * @param latency how long the attempt took
 * @param tags the caller's tags: {@code key}, {@code user}, {@code team}, {@code feature}
 */
public record CostRecord(String requestId, int attempt, Instant at, String requestedModel, String usedModel,
        String catalogModel, String provider, Usage usage, Money cost, Money baselineCost, PriceStatus priceStatus,
        Outcome outcome, Optional<String> errorKind, Optional<String> route, Duration latency,
        Map<String, String> tags) {

    public CostRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(requestedModel, "requestedModel");
        Objects.requireNonNull(usedModel, "usedModel");
        Objects.requireNonNull(catalogModel, "catalogModel");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(baselineCost, "baselineCost");
        Objects.requireNonNull(priceStatus, "priceStatus");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(errorKind, "errorKind");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(latency, "latency");
        tags = Map.copyOf(tags);
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        if (cost.isNegative()) {
            throw new IllegalArgumentException("cost cannot be negative, was " + cost);
        }
    }

    /**
     * A record of an attempt whose model answered under its catalog name ({@code catalogModel} is {@code usedModel}),
     * as a gateway's rows and a simulator's are.
     *
     * @param requestId the request's id
     * @param attempt the attempt's number, from 1
     * @param at when the attempt finished
     * @param requestedModel the model the caller asked for
     * @param usedModel the model called and answered, by its catalog name
     * @param provider its provider
     * @param usage tokens billed
     * @param cost what was paid
     * @param baselineCost what the baseline model would have cost
     * @param priceStatus how the cost is known
     * @param outcome how the attempt ended
     * @param errorKind the failure kind of a failed attempt
     * @param route the route the request took, if any
     * @param latency how long the attempt took
     * @param tags the caller's tags
     */
    public CostRecord(String requestId, int attempt, Instant at, String requestedModel, String usedModel,
            String provider, Usage usage, Money cost, Money baselineCost, PriceStatus priceStatus, Outcome outcome,
            Optional<String> errorKind, Optional<String> route, Duration latency, Map<String, String> tags) {
        this(requestId, attempt, at, requestedModel, usedModel, usedModel, provider, usage, cost, baselineCost,
                priceStatus, outcome, errorKind, route, latency, tags);
    }

    /**
     * The same record with another route.
     *
     * @param value the route the request took, or empty
     * @return the copy
     */
    public CostRecord withRoute(Optional<String> value) {
        return new CostRecord(requestId, attempt, at, requestedModel, usedModel, catalogModel, provider, usage, cost,
                baselineCost, priceStatus, outcome, errorKind, value, latency, tags);
    }

    /**
     * This attempt once another answer replaced its answer (an escalation after a failed validation): outcome
     * {@link Outcome#SUPERSEDED}, so its spend counts as wasted, and no baseline cost, as a caller of the baseline
     * would not have paid for an answer thrown away (the answer that replaced it carries the request's baseline).
     *
     * @return the copy
     */
    public CostRecord superseded() {
        return new CostRecord(requestId, attempt, at, requestedModel, usedModel, catalogModel, provider, usage, cost,
                Money.ZERO, priceStatus, Outcome.SUPERSEDED, errorKind, route, latency, tags);
    }

    /**
     * This attempt once its answer came after the caller's time limit and was dropped for the timeout: outcome
     * {@link Outcome#FAILED} with error kind {@code timeout}, so its spend counts as wasted, its cost kept (its
     * provider billed the answer), and no baseline cost, as for a {@linkplain #superseded() superseded} answer.
     *
     * @return the copy
     */
    public CostRecord timedOut() {
        return new CostRecord(requestId, attempt, at, requestedModel, usedModel, catalogModel, provider, usage, cost,
                Money.ZERO, priceStatus, Outcome.FAILED, Optional.of("timeout"), route, latency, tags);
    }

    /** @return what the baseline would have cost minus what was paid (negative when the call cost more) */
    public Money savings() {
        return baselineCost.minus(cost);
    }

    /** @return {@code true} if this attempt's spend bought nothing the caller received */
    public boolean isWasted() {
        return outcome == Outcome.FAILED || outcome == Outcome.SUPERSEDED || outcome == Outcome.ABORTED;
    }
}
