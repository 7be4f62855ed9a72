package dev.costwise.store;

import dev.costwise.core.Money;
import java.util.Objects;

/**
 * Spend that bought nothing the caller received: attempts that {@code FAILED}, were {@code SUPERSEDED} by a retry or
 * fallback, or were {@code ABORTED} by the client.
 *
 * @param attempts wasted attempts
 * @param cost what they cost, exactly
 * @param totalCost all spend in the period, for the share
 */
public record WastedSpend(long attempts, Money cost, Money totalCost) {

    public WastedSpend {
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(totalCost, "totalCost");
    }

    /** @return wasted cost as a share of all cost, 0 when nothing was spent */
    public double share() {
        return cost.ratioOf(totalCost);
    }
}
