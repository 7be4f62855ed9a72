package dev.costwise.llm.budget;

import java.util.Locale;

/**
 * Renders a budget's status as the spec's plain-text dashboard ({@code print_budget_dashboard}).
 *
 * <pre>
 * ==================================================
 * BUDGET DASHBOARD
 * ==================================================
 * Daily Budget:     $100.00
 * Spent Today:      $45.00
 * Remaining:        $55.00
 * Utilization:      45.0%
 * ==================================================
 * ✅ Budget healthy
 * </pre>
 */
public final class BudgetDashboard {

    private static final String RULE = "=".repeat(50);

    private BudgetDashboard() {}

    /**
     * Renders one budget.
     *
     * @param status the budget's status
     * @return the dashboard, lines separated by {@code \n}, ending with a newline
     */
    public static String render(BudgetStatus status) {
        BudgetWindow window = status.budget().window();
        String spentLabel = switch (window) {
            case BudgetWindow.Daily d -> "Spent Today:";
            case BudgetWindow.Monthly m -> "Spent This Month:";
            case BudgetWindow.Custom c -> "Spent This Period:";
        };
        double utilization = status.utilization();
        StringBuilder sb = new StringBuilder();
        sb.append(RULE).append('\n');
        sb.append("BUDGET DASHBOARD").append('\n');
        sb.append(RULE).append('\n');
        line(sb, window.label() + " Budget:", status.limit().format());
        line(sb, spentLabel, status.spent().format());
        line(sb, "Remaining:", status.limit().minus(status.spent()).max(dev.costwise.core.Money.ZERO).format());
        line(sb, "Utilization:", String.format(Locale.ROOT, "%.1f%%", utilization * 100));
        sb.append(RULE).append('\n');
        if (utilization > 0.9) {
            sb.append("WARNING: Budget almost exhausted!");
        } else if (utilization > 0.7) {
            sb.append("CAUTION: Budget 70% consumed");
        } else {
            sb.append("✅ Budget healthy");
        }
        return sb.append('\n').toString();
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "%-18s%s", label, value)).append('\n');
    }
}
