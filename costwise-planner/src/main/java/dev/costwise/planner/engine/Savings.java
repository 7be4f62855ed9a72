package dev.costwise.planner.engine;

import dev.costwise.core.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;

/**
 * What the "after" pipeline saves, compared like for like: only over the requests it answered (from a model or a
 * cache). A request it failed or rejected produced no answer, so its "before" cost is excluded rather than counted as
 * saved; what the after pipeline billed for it (billed timeouts) is excluded as well and reported apart.
 *
 * @param answered requests the after pipeline answered: the requests compared
 * @param before the before cost of the answered requests
 * @param after the after cost of the answered requests
 * @param excluded requests the after pipeline failed or rejected
 * @param excludedBefore the before cost of the excluded requests (not in the savings)
 * @param excludedAfter what the after pipeline billed for the excluded requests (not in the savings)
 */
public record Savings(long answered, Money before, Money after, long excluded, Money excludedBefore,
        Money excludedAfter) {

    public Savings {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(excludedBefore, "excludedBefore");
        Objects.requireNonNull(excludedAfter, "excludedAfter");
    }

    /**
     * Compares two runs of the same requests, request by request.
     *
     * @param beforeCosts what each request cost before, in the order run
     * @param after what the after pipeline did with each request, in the same order
     * @return the savings over the requests the after pipeline answered
     * @throws IllegalArgumentException if the lists differ in length
     */
    public static Savings of(List<Money> beforeCosts, List<RequestOutcome> after) {
        if (beforeCosts.size() != after.size()) {
            throw new IllegalArgumentException(beforeCosts.size() + " before costs for " + after.size() + " outcomes");
        }
        Tally tally = new Tally();
        for (int i = 0; i < after.size(); i++) {
            tally.add(beforeCosts.get(i), after.get(i));
        }
        return tally.savings();
    }

    /**
     * Compares the before and after runs of the same requests.
     *
     * @param before the before run
     * @param after the after run of the same requests, in the same order
     * @return the savings over the requests the after pipeline answered
     */
    public static Savings of(RunStats before, RunStats after) {
        if (!before.hasEveryOutcome() || !after.hasEveryOutcome()) {
            throw new IllegalArgumentException("comparing runs request by request needs every outcome of both");
        }
        return of(before.outcomes().stream().map(RequestOutcome::cost).toList(), after.outcomes());
    }

    /**
     * Adds up the savings one request at a time, so a replay need not hold every request's costs. Not thread-safe.
     */
    public static final class Tally {
        private long answered;
        private long excluded;
        private Money before = Money.ZERO;
        private Money after = Money.ZERO;
        private Money excludedBefore = Money.ZERO;
        private Money excludedAfter = Money.ZERO;

        /**
         * @param beforeCost what the request cost before
         * @param outcome what the after pipeline did with it
         */
        public void add(Money beforeCost, RequestOutcome outcome) {
            if (outcome.failure().isEmpty()) {
                answered++;
                before = before.plus(beforeCost);
                after = after.plus(outcome.cost());
            } else {
                excluded++;
                excludedBefore = excludedBefore.plus(beforeCost);
                excludedAfter = excludedAfter.plus(outcome.cost());
            }
        }

        /** @return the savings over the requests added so far */
        public Savings savings() {
            return new Savings(answered, before, after, excluded, excludedBefore, excludedAfter);
        }
    }

    /** @return before − after over the answered requests (negative when the after pipeline costs more) */
    public BigDecimal amount() {
        return before.toBigDecimal().subtract(after.toBigDecimal());
    }

    /** @return the savings as a percentage of the answered requests' before cost, 0 when that cost is zero */
    public BigDecimal percent() {
        BigDecimal b = before.toBigDecimal();
        return b.signum() == 0 ? BigDecimal.ZERO
                : amount().multiply(BigDecimal.valueOf(100)).divide(b, 6, RoundingMode.HALF_EVEN);
    }
}
