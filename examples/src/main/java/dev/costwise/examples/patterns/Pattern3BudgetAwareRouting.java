package dev.costwise.examples.patterns;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetAwareRouter;
import dev.costwise.llm.budget.BudgetDashboard;
import dev.costwise.llm.budget.BudgetGuard;
import dev.costwise.llm.budget.BudgetedChatModel;
import dev.costwise.llm.budget.Budgets;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;

/**
 * The spec's Pattern 3: route by how much of the day's budget is used (below 50% premium, 50-80% mid, above 80% free),
 * with a hard limit that holds, and the spec's budget dashboard.
 */
public final class Pattern3BudgetAwareRouting {

    private Pattern3BudgetAwareRouting() {}

    /** @param args ignored */
    public static void main(String[] args) {
        ExampleModels.banner("Pattern 3: Budget-Aware Routing");
        Budgets budgets = Budgets.builder()
                .add(Budget.daily("daily", Money.of("0.30"), ZoneId.of("Europe/Paris")))
                .build();
        BudgetGuard guard = BudgetGuard.builder(budgets, ExampleModels.CATALOG,
                JtokkitTokenEstimator.of(ExampleModels.CATALOG)).build();
        BudgetAwareRouter router = BudgetAwareRouter.builder("budget-aware", guard)
                .premium(BudgetedChatModel.of(ExampleModels.sim("gpt-4o", 31), guard))
                .mid(BudgetedChatModel.of(ExampleModels.sim("gpt-4o-mini", 32), guard))
                .free(ExampleModels.sim("llama3.1:8b", 33))
                .build();

        Map<String, Integer> byModel = new TreeMap<>();
        for (int i = 0; i < 1200; i++) {
            ChatResponse r = router.execute(ChatRequest.builder("gpt-4o")
                    .addMessage(dev.costwise.llm.chat.Message.user("Summarise ticket #" + i + ": " + "details ".repeat(50)))
                    .maxTokens(400).build(), WorkflowContext.of("budget-aware"));
            byModel.merge(r.model(), 1, Integer::sum);
            if (i == 99 || i == 599 || i == 1199) {
                System.out.printf("after %d requests, answered by %s%n", i + 1, byModel);
                System.out.println(BudgetDashboard.render(budgets.status("daily")));
            }
        }
    }
}
