package dev.costwise.store;

import dev.costwise.core.Money;
import java.time.Instant;
import java.util.Objects;

/**
 * All attempts of one request, summed: a line of the most-expensive-requests report.
 *
 * @param requestId the request's id
 * @param attempts billed attempts
 * @param firstAt when its first attempt finished
 * @param inputTokens prompt tokens over all attempts
 * @param outputTokens generated tokens over all attempts
 * @param cost what all attempts cost
 * @param wastedCost the part spent on failed, superseded or aborted attempts
 * @param baselineCost what the baseline model would have cost
 */
public record RequestCost(String requestId, long attempts, Instant firstAt, long inputTokens, long outputTokens,
        Money cost, Money wastedCost, Money baselineCost) {

    public RequestCost {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(firstAt, "firstAt");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(wastedCost, "wastedCost");
        Objects.requireNonNull(baselineCost, "baselineCost");
    }

    /** @return baseline cost minus cost */
    public Money savings() {
        return baselineCost.minus(cost);
    }
}
