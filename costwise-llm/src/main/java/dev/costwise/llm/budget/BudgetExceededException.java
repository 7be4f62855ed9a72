package dev.costwise.llm.budget;

import dev.costwise.core.CostwiseException;
import dev.costwise.core.Money;
import java.time.Instant;
import java.util.Objects;

/**
 * A call was refused because a budget that rejects when exhausted had no room for its worst-case cost.
 *
 * <p>Cheap to throw (no stack trace): it is an expected outcome, not a bug. The gateway maps it to HTTP 429 with
 * {@link #resetsAt()} as the retry time.
 */
public final class BudgetExceededException extends CostwiseException {

    private final String budget;
    private final BudgetScope scope;
    private final Money limit;
    private final Money spent;
    private final Money needed;
    private final Instant resetsAt;

    /**
     * @param budget the budget's name
     * @param scope the budget's scope
     * @param limit its hard limit
     * @param spent spend plus outstanding reservations in the window when the call was refused
     * @param needed the least the call needed to reserve
     * @param resetsAt when the window ends and the budget starts again
     */
    public BudgetExceededException(String budget, BudgetScope scope, Money limit, Money spent, Money needed,
            Instant resetsAt) {
        super("budget '" + budget + "' (" + scope + ") exhausted: spent " + spent.format() + " of "
                + limit.format() + ", the call needs " + needed.format() + "; resets at " + resetsAt, null, false);
        this.budget = Objects.requireNonNull(budget, "budget");
        this.scope = Objects.requireNonNull(scope, "scope");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.spent = Objects.requireNonNull(spent, "spent");
        this.needed = Objects.requireNonNull(needed, "needed");
        this.resetsAt = Objects.requireNonNull(resetsAt, "resetsAt");
    }

    /** @return the name of the budget that refused the call */
    public String budget() {
        return budget;
    }

    /** @return the budget's scope */
    public BudgetScope scope() {
        return scope;
    }

    /** @return the budget's hard limit */
    public Money limit() {
        return limit;
    }

    /** @return spend plus outstanding reservations when the call was refused */
    public Money spent() {
        return spent;
    }

    /** @return the least the call needed to reserve */
    public Money needed() {
        return needed;
    }

    /** @return when the budget's window resets */
    public Instant resetsAt() {
        return resetsAt;
    }
}
