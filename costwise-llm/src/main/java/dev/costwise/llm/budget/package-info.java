/**
 * Budgets that hold: hard spending limits per scope (global, key, user, team, feature, model) and window (day, month,
 * custom period, in a configured time zone), enforced by reserving each call's worst-case cost before it runs and
 * settling to the real cost after.
 *
 * <pre>{@code
 * Budgets budgets = Budgets.builder()
 *     .add(Budget.builder("daily").window(BudgetWindow.daily(ZoneId.of("Europe/Paris")))
 *         .limit(Money.of("100")).onExhausted(Budget.Action.DOWNGRADE).build())
 *     .build();
 * budgets.rebuildFrom(ledger);                                  // spend survives restarts
 * BudgetGuard guard = BudgetGuard.builder(budgets, catalog, estimator)
 *     .listener(alerts.budgetListener()).build();               // soft thresholds raise alerts
 * ChatModel model = BudgetedChatModel.of(gpt4o, guard, localLlama);   // localLlama: $0 in the catalog, checked
 * System.out.print(BudgetDashboard.render(budgets.status("daily")));
 * }</pre>
 *
 * <p>{@link dev.costwise.llm.budget.BudgetAwareRouter} (premium / mid / free by utilization) and
 * {@link dev.costwise.llm.budget.BudgetAwareFallback} (exhausted budget: straight to the free model) are the spec's
 * Patterns 3 and 2. Counters live behind {@link dev.costwise.llm.spi.BudgetStore}; the spend ledger
 * ({@link dev.costwise.llm.spi.SpendLedger}) is the source of truth they are rebuilt from.
 */
package dev.costwise.llm.budget;
