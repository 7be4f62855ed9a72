package dev.costwise.llm.budget;

import dev.costwise.core.WorkflowContext;
import java.util.List;
import java.util.Objects;

/**
 * Reads how far the budgets that govern a request are used: the highest committed share (spend plus outstanding
 * reservations, over the limit) among the chosen budgets that apply to the request's tags. Model-scoped budgets are
 * read only when named, since the model is what is being chosen.
 */
final class BudgetUtilization {

    private final Budgets budgets;
    private final List<String> names;

    BudgetUtilization(Budgets budgets, List<String> names) {
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        this.names = List.copyOf(names);
        for (String n : this.names) {
            if (budgets.find(n).isEmpty()) {
                throw new IllegalArgumentException("unknown budget '" + n + "'; known budgets: "
                        + budgets.all().stream().map(Budget::name).toList());
            }
        }
    }

    /** @return the highest committed utilization, 0 when no budget applies */
    double of(WorkflowContext context) {
        double max = 0.0;
        for (Budget b : governing(context)) {
            BudgetStatus s = budgets.status(b);
            double committed = b.limit().isZero() ? 1.0 : s.spent().plus(s.reserved()).ratioOf(b.limit());
            max = Math.max(max, committed);
        }
        return max;
    }

    /** @return the first governing budget that has nothing left, if any */
    java.util.Optional<BudgetStatus> exhausted(WorkflowContext context) {
        for (Budget b : governing(context)) {
            BudgetStatus s = budgets.status(b);
            if (!s.remaining().isPositive()) {
                return java.util.Optional.of(s);
            }
        }
        return java.util.Optional.empty();
    }

    private List<Budget> governing(WorkflowContext context) {
        if (!names.isEmpty()) {
            return names.stream().map(n -> budgets.find(n).orElseThrow())
                    .filter(b -> b.scope().kind() == BudgetScope.Kind.MODEL
                            || b.scope().matches("", context.tags()))
                    .toList();
        }
        return budgets.all().stream()
                .filter(b -> b.scope().kind() != BudgetScope.Kind.MODEL && b.scope().matches("", context.tags()))
                .toList();
    }
}
