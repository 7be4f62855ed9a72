package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import dev.costwise.llm.spi.BudgetStore;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.BucketState;
import dev.costwise.llm.spi.SpendLedger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A set of budgets and the store their counters live in, read on one clock.
 *
 * <p>Thread-safe. Windows are computed from the injected {@link Clock} on every call, so a daily budget starts again
 * at local midnight without any timer.
 *
 * <pre>{@code
 * Budgets budgets = Budgets.builder()
 *     .add(Budget.daily("global-daily", Money.of("100"), ZoneId.of("Europe/Paris")))
 *     .add(Budget.builder("support").scope(BudgetScope.team("support")).limit(Money.of("20")).build())
 *     .build();
 * budgets.rebuildFrom(ledger);   // at start: restore the current windows' spend
 * }</pre>
 */
public final class Budgets {

    private final Map<String, Budget> budgets;
    private final BudgetStore store;
    private final Clock clock;

    private Budgets(Map<String, Budget> budgets, BudgetStore store, Clock clock) {
        this.budgets = budgets;
        this.store = store;
        this.clock = clock;
    }

    /** @return a builder with no budgets, an {@link InMemoryBudgetStore} and the UTC system clock */
    public static Builder builder() {
        return new Builder();
    }

    /** @return no budgets at all: nothing is ever blocked */
    public static Budgets none() {
        return builder().build();
    }

    /** @return every budget, in the order added */
    public List<Budget> all() {
        return List.copyOf(budgets.values());
    }

    /**
     * One budget by name.
     *
     * @param name the budget's name
     * @return the budget, if there is one of that name
     */
    public Optional<Budget> find(String name) {
        return Optional.ofNullable(budgets.get(name));
    }

    /**
     * The budgets that count a call.
     *
     * @param model the catalog name of the model called
     * @param tags the request's tags
     * @return the matching budgets, in the order added; empty when none applies
     */
    public List<Budget> applicableTo(String model, Map<String, String> tags) {
        List<Budget> result = new ArrayList<>();
        for (Budget b : budgets.values()) {
            if (b.scope().matches(model, tags)) {
                result.add(b);
            }
        }
        return result;
    }

    /**
     * A budget's state in its current window.
     *
     * @param name the budget's name
     * @return its status
     * @throws IllegalArgumentException if no budget has that name (the message lists the known names)
     */
    public BudgetStatus status(String name) {
        Budget b = budgets.get(name);
        if (b == null) {
            throw new IllegalArgumentException("unknown budget '" + name + "'; known budgets: " + budgets.keySet());
        }
        return status(b);
    }

    /**
     * A budget's state in its current window.
     *
     * @param budget one of these budgets
     * @return its status
     */
    public BudgetStatus status(Budget budget) {
        BudgetWindow.Span span = budget.window().spanAt(clock.instant());
        BucketState s = store.state(new Bucket(budget.name(), span.start()));
        return new BudgetStatus(budget, s.spent(), s.reserved(), span.start(), span.end());
    }

    /** @return every budget's status, in the order added */
    public List<BudgetStatus> statuses() {
        return budgets.values().stream().map(this::status).toList();
    }

    /**
     * Restores each budget's spend in its current window from the ledger, the source of truth for spend. Call at
     * start, before serving requests.
     *
     * @param ledger the spend ledger
     */
    public void rebuildFrom(SpendLedger ledger) {
        Objects.requireNonNull(ledger, "ledger");
        Instant now = clock.instant();
        for (Budget b : budgets.values()) {
            BudgetWindow.Span span = b.window().spanAt(now);
            Money spent = ledger.totalCost(b.scope().ledgerMatch(), span.start(), span.end());
            store.restore(new Bucket(b.name(), span.start()), spent);
        }
    }

    /** @return the clock windows are read on */
    public Clock clock() {
        return clock;
    }

    /** @return the store the counters live in */
    public BudgetStore store() {
        return store;
    }

    /** Builds {@link Budgets}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Budget> budgets = new LinkedHashMap<>();
        private BudgetStore store = new InMemoryBudgetStore();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /**
         * Adds a budget.
         *
         * @param budget the budget
         * @return this builder
         * @throws IllegalStateException if a budget of the same name was already added
         */
        public Builder add(Budget budget) {
            Objects.requireNonNull(budget, "budget");
            if (budgets.putIfAbsent(budget.name(), budget) != null) {
                throw new IllegalStateException("a budget named '" + budget.name() + "' was already added");
            }
            return this;
        }

        /** @param value where counters live; default a new {@link InMemoryBudgetStore}; @return this builder */
        public Builder store(BudgetStore value) {
            this.store = Objects.requireNonNull(value, "store");
            return this;
        }

        /** @param value the clock windows are read on; default {@link Clock#systemUTC()}; @return this builder */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** @return the budgets */
        public Budgets build() {
            return new Budgets(new LinkedHashMap<>(budgets), store, clock);
        }
    }
}
