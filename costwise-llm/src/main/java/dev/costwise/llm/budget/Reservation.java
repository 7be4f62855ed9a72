package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import dev.costwise.llm.spi.BudgetStore;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A call's worst-case cost held in every budget that applies to it, until the call ends. Settle it to the real cost
 * when the call was billed, or release it when it was not; only the first of the two counts.
 *
 * <p>Thread-safe.
 */
public final class Reservation {

    private final BudgetGuard guard;
    private final List<Budget> budgets;
    private final BudgetStore.Grant grant;
    private final AtomicBoolean done = new AtomicBoolean();

    Reservation(BudgetGuard guard, List<Budget> budgets, BudgetStore.Grant grant) {
        this.guard = guard;
        this.budgets = List.copyOf(budgets);
        this.grant = grant;
    }

    /** @return the amount held in each budget */
    public Money amount() {
        return grant.amount();
    }

    /** @return the budgets it is held in */
    public List<Budget> budgets() {
        return budgets;
    }

    /**
     * Turns the reservation into spend of {@code actual}. An {@code actual} above the reservation is still counted,
     * and reported as an overrun.
     *
     * @param actual what the call cost
     * @return {@code true} if this call settled it, {@code false} if it was already settled or released
     */
    public boolean settle(Money actual) {
        Objects.requireNonNull(actual, "actual");
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        guard.settled(budgets, grant, actual);
        return true;
    }

    /**
     * Gives the whole reservation back: the call was not billed.
     *
     * @return {@code true} if this call released it, {@code false} if it was already settled or released
     */
    public boolean release() {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        guard.released(grant);
        return true;
    }

    @Override
    public String toString() {
        return "Reservation[" + grant.amount().format() + " in " + budgets.stream().map(Budget::name).toList() + "]";
    }
}
