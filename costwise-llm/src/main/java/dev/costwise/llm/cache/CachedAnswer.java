package dev.costwise.llm.cache;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One cache entry: the answer, which model produced it, what its tokens cost on the pricer's baseline, and whether a
 * fallback produced it (such entries live for a shorter time, so the primary model gets its chance again soon).
 *
 * @param response the answer as it was first served, with its original cost
 * @param producedBy the model that produced it, by the catalog name its call was recorded under when known (a hit's
 *     {@link dev.costwise.llm.cost.CostRecord#catalogModel()}); the response's {@code model} is the name the provider
 *     answered with
 * @param baselineCost the answer's tokens priced on the pricer's baseline: the {@link CostRecord#baselineCost()} its
 *     call was recorded with ({@link dev.costwise.llm.cost.Pricer#baselineCost}); a hit is measured against it
 * @param fromFallback {@code true} when a model other than the one requested answered
 * @param storedAt when it was cached
 */
public record CachedAnswer(ChatResponse response, String producedBy, Money baselineCost, boolean fromFallback,
        Instant storedAt) {
    public CachedAnswer {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(producedBy, "producedBy");
        Objects.requireNonNull(baselineCost, "baselineCost");
        Objects.requireNonNull(storedAt, "storedAt");
    }

    /**
     * An entry whose call recorded no baseline (its model wrote no cost record): the answer is its own baseline, so a
     * hit on it claims what the call not made saved and no more.
     *
     * @param response the answer as it was first served, with its original cost
     * @param producedBy the model that produced it
     * @param fromFallback {@code true} when a model other than the one requested answered
     * @param storedAt when it was cached
     */
    public CachedAnswer(ChatResponse response, String producedBy, boolean fromFallback, Instant storedAt) {
        this(response, producedBy, Objects.requireNonNull(response, "response").cost(), fromFallback, storedAt);
    }

    /**
     * This answer as a cache serves it: recorded in {@code context} as a {@link Outcome#CACHE_HIT} cost record of $0
     * under {@link #producedBy} (its {@code catalogModel}; {@code usedModel} is the name the provider answered with),
     * whose baseline is {@link #baselineCost}: the same tokens on the pricer's baseline, as the call that filled the
     * entry was measured, so a hit saves at least what that call saved. Returned at $0 with
     * {@link PriceStatus#CACHE_HIT}.
     *
     * @param cache the cache's name, the record's primitive
     * @param request the request the hit answers
     * @param context the caller's context
     * @return the answer at $0
     */
    public ChatResponse servedTo(String cache, ChatRequest request, WorkflowContext context) {
        CostRecords.record(context, cache, new CostRecord(context.correlationId(), CostRecords.nextAttempt(context),
                context.clock().instant(), request.model(), response.model(), producedBy, response.provider(),
                response.usage(), Money.ZERO, baselineCost, PriceStatus.CACHE_HIT, Outcome.CACHE_HIT,
                Optional.empty(), Optional.empty(), Duration.ZERO, context.tags()));
        return response.withCost(Money.ZERO, PriceStatus.CACHE_HIT);
    }
}
