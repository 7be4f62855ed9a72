package dev.costwise.llm.budget;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Publishes each budget's state as gauges, tagged {@code budget} and {@code scope}: {@code costwise.budget.utilization}
 * (ratio), {@code costwise.budget.spent}, {@code costwise.budget.reserved} and {@code costwise.budget.limit} (dollars,
 * as doubles for display only; the exact amounts stay in {@link BudgetStatus}). Gauges read the current window when
 * scraped.
 */
public final class BudgetMetrics implements MeterBinder {

    private final Budgets budgets;

    /** @param budgets the budgets to publish */
    public BudgetMetrics(Budgets budgets) {
        this.budgets = Objects.requireNonNull(budgets, "budgets");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Budget b : budgets.all()) {
            String scope = b.scope().toString();
            Gauge.builder("costwise.budget.utilization", budgets, bs -> bs.status(b).utilization())
                    .tag("budget", b.name()).tag("scope", scope)
                    .description("Settled spend over the limit in the current window").register(registry);
            Gauge.builder("costwise.budget.spent", budgets,
                    bs -> bs.status(b).spent().toBigDecimal().doubleValue())
                    .tag("budget", b.name()).tag("scope", scope).baseUnit("dollars").register(registry);
            Gauge.builder("costwise.budget.reserved", budgets,
                    bs -> bs.status(b).reserved().toBigDecimal().doubleValue())
                    .tag("budget", b.name()).tag("scope", scope).baseUnit("dollars").register(registry);
            Gauge.builder("costwise.budget.limit", budgets, bs -> b.limit().toBigDecimal().doubleValue())
                    .tag("budget", b.name()).tag("scope", scope).baseUnit("dollars").register(registry);
        }
    }
}
