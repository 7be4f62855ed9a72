package dev.costwise.llm.metrics;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.util.Objects;

/**
 * Totals over a set of billed attempts: counts, tokens, exact cost and savings.
 *
 * <p>Tokens are those providers processed and billed (failed and aborted attempts' included); a cache hit adds none,
 * since no provider processed it: it shows in {@code cacheHits}, and what it saved in {@code savings}.
 *
 * @param attempts attempts counted (cache hits included)
 * @param successes attempts whose answer reached the caller
 * @param failures attempts that failed
 * @param cacheHits attempts answered from Costwise's cache
 * @param inputTokens prompt tokens providers processed (cache hits add none)
 * @param outputTokens tokens providers generated (cache hits add none)
 * @param cost what was paid
 * @param savings what the baseline would have cost minus what was paid
 * @param wasted spend on failed, superseded and aborted attempts
 */
public record CostTotals(long attempts, long successes, long failures, long cacheHits, long inputTokens,
        long outputTokens, Money cost, Money savings, Money wasted) {

    /** Nothing counted. */
    public static final CostTotals EMPTY = new CostTotals(0, 0, 0, 0, 0, 0, Money.ZERO, Money.ZERO, Money.ZERO);

    public CostTotals {
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(savings, "savings");
        Objects.requireNonNull(wasted, "wasted");
    }

    /**
     * These totals with one more attempt.
     *
     * @param r the attempt
     * @return the new totals
     */
    public CostTotals plus(CostRecord r) {
        boolean success = r.outcome() == Outcome.SUCCESS || r.outcome() == Outcome.CACHE_HIT;
        boolean failure = r.outcome() == Outcome.FAILED || r.outcome() == Outcome.REJECTED;
        boolean hit = r.outcome() == Outcome.CACHE_HIT;
        return new CostTotals(attempts + 1, successes + (success ? 1 : 0), failures + (failure ? 1 : 0),
                cacheHits + (hit ? 1 : 0), inputTokens + (hit ? 0 : r.usage().inputTokens()),
                outputTokens + (hit ? 0 : r.usage().outputTokens()), cost.plus(r.cost()), savings.plus(r.savings()),
                r.isWasted() ? wasted.plus(r.cost()) : wasted);
    }

    /** @return cache hits over attempts, 0 with no attempts */
    public double cacheHitRate() {
        return attempts == 0 ? 0.0 : (double) cacheHits / attempts;
    }

    /** @return failures over attempts, 0 with no attempts */
    public double errorRate() {
        return attempts == 0 ? 0.0 : (double) failures / attempts;
    }

    /** @return input plus output tokens providers processed */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }
}
