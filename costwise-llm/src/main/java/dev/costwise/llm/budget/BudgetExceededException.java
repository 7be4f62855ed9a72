package dev.costwise.llm.budget;

import dev.costwise.core.CostwiseException;
import dev.costwise.core.Money;
import java.time.Instant;
import java.util.Objects;

/**
 * A call was refused because a budget that rejects when exhausted had no room for its worst-case cost.
 *
 * <p>Its message says which: the budget is exhausted (spend and reservations have reached the limit, until the
 * window resets); it has room, but less than the call's worst case (a smaller {@code maxTokens} may fit now); or the
 * worst case is more than the whole limit, which no reset helps: a call with no {@code maxTokens} is assumed to
 * write its model's whole maximum output, so set {@code maxTokens} on calls held to a small budget. A budget with a $0
 * limit allows no paid calls at all. When calls in flight freed room between the refusal and its report, the message
 * says the budget was full when the call was refused and that retrying may succeed.
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
        super(message(budget, scope, limit, spent, needed, resetsAt), null, false);
        this.budget = Objects.requireNonNull(budget, "budget");
        this.scope = Objects.requireNonNull(scope, "scope");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.spent = Objects.requireNonNull(spent, "spent");
        this.needed = Objects.requireNonNull(needed, "needed");
        this.resetsAt = Objects.requireNonNull(resetsAt, "resetsAt");
    }

    // Says "exhausted" only when it is: a budget with room left refuses a call whose worst case does not fit, and
    // saying "exhausted" there sends people looking for spend that is not there, when asking for fewer output tokens
    // would get the answer now (the gateway's refusals say the same).
    private static String message(String budget, BudgetScope scope, Money limit, Money spent, Money needed,
            Instant resetsAt) {
        String name = "budget '" + budget + "' (" + scope + ")";
        if (limit.isZero()) {
            return name + " allows no paid calls: its limit is $0, so a call whose worst case is " + needed.format()
                    + " is refused whatever its maxTokens; send it to a free model or raise the limit";
        }
        if (needed.isGreaterThan(limit)) {
            return name + " cannot hold this call: its worst case of " + needed.format() + " is more than the whole"
                    + " limit of " + limit.format() + ", so no reset makes room; set maxTokens (max_tokens) on the"
                    + " request to ask for less";
        }
        if (!limit.isGreaterThan(spent)) {
            return name + " is exhausted: " + spent.format() + " of " + limit.format() + " spent or held by calls in"
                    + " flight; it resets at " + resetsAt;
        }
        if (!needed.isGreaterThan(limit.minus(spent))) {
            // room freed between the refusal and the read that reports it: calls in flight settled or released
            return name + " was full when this call was refused (its worst case of " + needed.format() + " did not"
                    + " fit), and has " + limit.minus(spent).format() + " of " + limit.format() + " left now as calls"
                    + " in flight ended; retrying may succeed";
        }
        return name + " has " + limit.minus(spent).format() + " of " + limit.format() + " left (" + spent.format()
                + " spent or held by calls in flight), less than this call's worst case of " + needed.format()
                + "; lower maxTokens (max_tokens), or retry after it resets at " + resetsAt;
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
