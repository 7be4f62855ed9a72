package dev.costwise.llm.metrics;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.util.Objects;

/**
 * Totals over a set of requests and their billed attempts: counts, tokens, exact cost and savings.
 *
 * <p>A request is one call of a metered model or workflow ({@link MeteredChatModel}); its attempts are the cost
 * records it wrote (retries, fallbacks and cache hits each one). Tokens are those providers processed and billed
 * (failed and aborted attempts' included); a cache hit adds none, since no provider processed it: it shows in
 * {@code cacheHits}, and what it saved in {@code savings}.
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
 * @param requests requests counted ({@link #plusRequest}); attempts recorded alone ({@link CostMetrics#record}) count
 *     none
 * @param failedRequests requests whose caller got a failure rather than an answer
 */
public record CostTotals(long attempts, long successes, long failures, long cacheHits, long inputTokens,
        long outputTokens, Money cost, Money savings, Money wasted, long requests, long failedRequests) {

    /** Nothing counted. */
    public static final CostTotals EMPTY = new CostTotals(0, 0, 0, 0, 0, 0, Money.ZERO, Money.ZERO, Money.ZERO,
            0, 0);

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
                r.isWasted() ? wasted.plus(r.cost()) : wasted, requests, failedRequests);
    }

    /**
     * These totals with one more request (its attempts are added with {@link #plus}).
     *
     * @param answered {@code true} when the request's caller got an answer, {@code false} when it got a failure
     * @return the new totals
     */
    public CostTotals plusRequest(boolean answered) {
        return new CostTotals(attempts, successes, failures, cacheHits, inputTokens, outputTokens, cost, savings,
                wasted, requests + 1, failedRequests + (answered ? 0 : 1));
    }

    /** @return cache hits over attempts, 0 with no attempts */
    public double cacheHitRate() {
        return attempts == 0 ? 0.0 : (double) cacheHits / attempts;
    }

    /**
     * The spec's error rate, {@code 1 - successful_requests / total_requests}: failed requests over requests, as the
     * alert rule {@link dev.costwise.llm.alert.AlertRule.ErrorRateAbove} counts them. A request that succeeds on its
     * third attempt is one success, not two failures in three. Totals fed only attempts
     * ({@link CostMetrics#record}, no request counted) have no requests to divide by: their error rate is then the
     * {@linkplain #attemptFailureRate() attempt failure rate}, the closest they can tell.
     *
     * @return failed requests over requests; with no requests, failed attempts over attempts (0 with neither)
     */
    public double errorRate() {
        return requests == 0 ? attemptFailureRate() : (double) failedRequests / requests;
    }

    /** @return failed attempts over attempts (retries and fallbacks each count), 0 with no attempts */
    public double attemptFailureRate() {
        return attempts == 0 ? 0.0 : (double) failures / attempts;
    }

    /** @return input plus output tokens providers processed */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }
}
