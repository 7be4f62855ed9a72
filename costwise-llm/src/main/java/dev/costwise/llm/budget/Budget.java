package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * A hard spending limit for the calls of one scope in one window, with soft thresholds that raise alerts before it is
 * reached.
 *
 * <pre>{@code
 * Budget daily = Budget.builder("daily")
 *     .window(BudgetWindow.daily(ZoneId.of("Europe/Paris")))
 *     .limit(Money.of("100.00"))
 *     .onExhausted(Budget.Action.DOWNGRADE)
 *     .build();
 * }</pre>
 *
 * @param name unique among the budgets of one {@link Budgets}; names the budget in errors, metrics and alerts
 * @param scope which calls it counts
 * @param window the period it resets on
 * @param limit the most the window may spend
 * @param softThresholds utilization ratios in (0, 1), ascending, that raise an alert when first crossed in a window
 * @param onExhausted what a call does when this budget has no room for it
 */
public record Budget(String name, BudgetScope scope, BudgetWindow window, Money limit, List<Double> softThresholds,
        Action onExhausted) {

    /** What happens to a call the budget has no room for. */
    public enum Action {
        /** Fail with {@link BudgetExceededException}. */
        REJECT,
        /** Send the call to the configured free model instead. */
        DOWNGRADE
    }

    public Budget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(onExhausted, "onExhausted");
        softThresholds = List.copyOf(softThresholds);
        if (name.isBlank()) {
            throw new IllegalArgumentException("budget name cannot be blank");
        }
        if (limit.isNegative()) {
            throw new IllegalArgumentException("budget '" + name + "': limit cannot be negative, was " + limit);
        }
        double previous = 0.0;
        for (double t : softThresholds) {
            if (!(t > 0.0 && t < 1.0)) {
                throw new IllegalArgumentException("budget '" + name + "': a soft threshold must be in (0, 1), was " + t);
            }
            if (t <= previous) {
                throw new IllegalArgumentException("budget '" + name + "': soft thresholds must be ascending, were "
                        + softThresholds);
            }
            previous = t;
        }
    }

    /**
     * Starts a budget. Defaults: global scope, a daily window in UTC, soft thresholds 70% and 90%, reject when
     * exhausted; the limit has no default.
     *
     * @param name the budget's name
     * @return a builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * A global daily budget that rejects when exhausted.
     *
     * @param name the name
     * @param limit the daily limit
     * @param zone the zone whose midnight resets it
     * @return the budget
     */
    public static Budget daily(String name, Money limit, ZoneId zone) {
        return builder(name).window(BudgetWindow.daily(zone)).limit(limit).build();
    }

    /** @return a builder holding this budget's values */
    public Builder toBuilder() {
        return new Builder(name).scope(scope).window(window).limit(limit).softThresholds(softThresholds)
                .onExhausted(onExhausted);
    }

    /** Builds a {@link Budget}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private BudgetScope scope = BudgetScope.global();
        private BudgetWindow window = BudgetWindow.daily(ZoneId.of("UTC"));
        private Money limit;
        private List<Double> softThresholds = List.of(0.7, 0.9);
        private Action onExhausted = Action.REJECT;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** @param value which calls the budget counts; default global; @return this builder */
        public Builder scope(BudgetScope value) {
            this.scope = Objects.requireNonNull(value, "scope");
            return this;
        }

        /** @param value the reset period; default daily in UTC; @return this builder */
        public Builder window(BudgetWindow value) {
            this.window = Objects.requireNonNull(value, "window");
            return this;
        }

        /**
         * Sets the hard limit. Required.
         *
         * @param value the most a window may spend; not negative
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative
         */
        public Builder limit(Money value) {
            Objects.requireNonNull(value, "limit");
            if (value.isNegative()) {
                throw new IllegalArgumentException("budget '" + name + "': limit cannot be negative, was " + value);
            }
            this.limit = value;
            return this;
        }

        /** @param values ascending ratios in (0, 1); default 0.7 and 0.9; empty for none; @return this builder */
        public Builder softThresholds(List<Double> values) {
            this.softThresholds = List.copyOf(values);
            return this;
        }

        /** @param value what an exhausted budget does; default {@link Action#REJECT}; @return this builder */
        public Builder onExhausted(Action value) {
            this.onExhausted = Objects.requireNonNull(value, "onExhausted");
            return this;
        }

        /**
         * @return the budget
         * @throws IllegalStateException if no limit was set
         * @throws IllegalArgumentException if a soft threshold is outside (0, 1) or out of order
         */
        public Budget build() {
            if (limit == null) {
                throw new IllegalStateException("budget '" + name + "': limit was not set");
            }
            return new Budget(name, scope, window, limit, softThresholds, onExhausted);
        }
    }
}
