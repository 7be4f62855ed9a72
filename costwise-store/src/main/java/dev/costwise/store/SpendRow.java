package dev.costwise.store;

import dev.costwise.core.Money;
import java.util.Objects;

/**
 * Spend of one group (a day, a model, a key…) in a report.
 *
 * @param group the group's value; {@code ""} for records without the tag
 * @param requests requests whose first attempt is in the group (a request that fell back from one model to another
 *     counts under the first), so groups and days add up to the total; refused and cache-answered ones included
 * @param attempts calls made to providers in the group, retries and fallbacks included; cache hits and refusals,
 *     which call no provider, are not
 * @param inputTokens prompt tokens, cached ones included
 * @param cachedInputTokens of those, tokens read from a provider's prompt cache
 * @param cacheWriteTokens of those, tokens written to a provider's prompt cache
 * @param outputTokens generated tokens, reasoning included
 * @param reasoningTokens of those, the model's hidden reasoning (billed as output)
 * @param cost what was paid, exactly
 * @param baselineCost what the baseline model would have cost
 */
public record SpendRow(String group, long requests, long attempts, long inputTokens, long cachedInputTokens,
        long cacheWriteTokens, long outputTokens, long reasoningTokens, Money cost, Money baselineCost) {

    public SpendRow {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(baselineCost, "baselineCost");
    }

    /** A row with no reasoning tokens; the other components as above. */
    public SpendRow(String group, long requests, long attempts, long inputTokens, long cachedInputTokens,
            long cacheWriteTokens, long outputTokens, Money cost, Money baselineCost) {
        this(group, requests, attempts, inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens, 0, cost,
                baselineCost);
    }

    /** A row with no prompt-cache or reasoning tokens; the other components as above. */
    public SpendRow(String group, long requests, long attempts, long inputTokens, long outputTokens, Money cost,
            Money baselineCost) {
        this(group, requests, attempts, inputTokens, 0, 0, outputTokens, 0, cost, baselineCost);
    }

    /** @return baseline cost minus cost: what routing, caching and cheaper models saved (negative if they cost more) */
    public Money savings() {
        return baselineCost.minus(cost);
    }

    /**
     * @param other another row
     * @return the sum of this row and {@code other}, under this row's group
     */
    public SpendRow plus(SpendRow other) {
        return new SpendRow(group, requests + other.requests, attempts + other.attempts,
                inputTokens + other.inputTokens, cachedInputTokens + other.cachedInputTokens,
                cacheWriteTokens + other.cacheWriteTokens, outputTokens + other.outputTokens,
                reasoningTokens + other.reasoningTokens, cost.plus(other.cost), baselineCost.plus(other.baselineCost));
    }
}
