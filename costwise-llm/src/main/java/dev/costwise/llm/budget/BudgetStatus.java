package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import java.time.Instant;
import java.util.Objects;

/**
 * A budget's state in its current window.
 *
 * @param budget the budget
 * @param spent settled spend in the window
 * @param reserved reservations of calls still running
 * @param windowStart when the window began (inclusive)
 * @param windowEnd when it resets (exclusive)
 */
public record BudgetStatus(Budget budget, Money spent, Money reserved, Instant windowStart, Instant windowEnd) {

    public BudgetStatus {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(spent, "spent");
        Objects.requireNonNull(reserved, "reserved");
        Objects.requireNonNull(windowStart, "windowStart");
        Objects.requireNonNull(windowEnd, "windowEnd");
    }

    /** @return the budget's hard limit */
    public Money limit() {
        return budget.limit();
    }

    /** @return settled spend as a share of the limit (1.0 when spent equals the limit, and for a zero limit; may exceed 1.0 after an overrun) */
    public double utilization() {
        if (budget.limit().isZero()) {
            return 1.0;
        }
        return spent.ratioOf(budget.limit());
    }

    /** @return what a new call can still reserve: limit minus spend minus reservations, never below zero */
    public Money remaining() {
        return budget.limit().minus(spent).minus(reserved).max(Money.ZERO);
    }

    /** @return {@code true} when settled spend has reached the limit */
    public boolean isExhausted() {
        return spent.compareTo(budget.limit()) >= 0;
    }
}
