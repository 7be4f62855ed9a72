package dev.costwise.llm.budget;

import dev.costwise.core.Money;

/**
 * Hears what budgets do: calls settled, soft thresholds crossed, calls refused or downgraded, providers billing more
 * than was reserved. Methods must be fast and should not throw; an exception is logged and dropped, never fails the
 * call.
 */
public interface BudgetListener {

    /** A listener that ignores everything. */
    BudgetListener NONE = new BudgetListener() {};

    /**
     * A budget's spend crossed a soft threshold for the first time in its window. Fires once per threshold per window.
     *
     * @param status the budget's state right after the crossing
     * @param threshold the ratio crossed, such as 0.7
     */
    default void onThresholdCrossed(BudgetStatus status, double threshold) {}

    /**
     * A call charged to this budget has settled to its real cost. Fires after every settled call, once for each budget
     * the call was charged to (a reservation released without a cost fires nothing), so it must be cheap: it runs on
     * the request path of every call. A guard with no listener builds no status for it.
     *
     * @param status the budget's state right after the settle
     */
    default void onSettled(BudgetStatus status) {}

    /**
     * A budget had no room for a call.
     *
     * @param status the budget's state when it refused
     * @param action what happened to the call: rejected, or downgraded to the free model
     */
    default void onExhausted(BudgetStatus status, Budget.Action action) {}

    /**
     * A call cost more than its reservation (the provider billed more tokens than estimated).
     *
     * @param budget the budget charged
     * @param reserved what had been reserved
     * @param actual what the call cost
     */
    default void onOverrun(Budget budget, Money reserved, Money actual) {}
}
