package dev.costwise.examples.patterns;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Fallback;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetAwareFallback;
import dev.costwise.llm.budget.BudgetedChatModel;
import dev.costwise.llm.budget.Budgets;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import dev.costwise.llm.sim.SimulatedChatModel;
import dev.costwise.llm.sim.SimulatedFailure;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The spec's Pattern 2: paid → cheaper paid → free local, and its budget-aware variant that skips straight to the free
 * model once the day's budget is spent.
 */
public final class Pattern2PaidToFreeFallback {

    private Pattern2PaidToFreeFallback() {}

    /** @param args ignored */
    public static void main(String[] args) {
        ExampleModels.banner("Pattern 2: Fallback (Paid -> Free)");
        // gpt-4o fails 20% of the time (rate limits and overloads), gpt-4o-mini 25% of what reaches it.
        ChatModel gpt4o = SimulatedChatModel.builder(ExampleModels.CATALOG, "gpt-4o").seed(11)
                .failure(SimulatedFailure.RATE_LIMITED, 0.12).failure(SimulatedFailure.OVERLOADED, 0.08).build();
        ChatModel mini = SimulatedChatModel.builder(ExampleModels.CATALOG, "gpt-4o-mini").seed(12)
                .failure(SimulatedFailure.SERVER_ERROR, 0.25).build();
        ChatModel llama = ExampleModels.sim("llama3.1:8b", 13);

        var workflow = Fallback.<ChatRequest, ChatResponse>builder("fallback-workflow")
                .primary("gpt-4o", gpt4o)
                .fallback("gpt-4o-mini", (req, ctx) -> mini.execute(req.withModel("gpt-4o-mini"), ctx))
                .fallback("llama3.1:8b", (req, ctx) -> llama.execute(req.withModel("llama3.1:8b"), ctx))
                .classifier(ProviderFailureClassifier.ofDefaults())
                .build();

        Map<String, Integer> usedModel = new TreeMap<>();
        Money paid = Money.ZERO;
        Money wasted = Money.ZERO;
        for (int i = 0; i < 1000; i++) {
            WorkflowContext ctx = WorkflowContext.of("fallback-workflow");
            ChatResponse r = workflow.execute(ChatRequest.of("gpt-4o", "Support question #" + i), ctx);
            usedModel.merge(r.model(), 1, Integer::sum);
            for (var rec : CostRecords.of(ctx)) {
                paid = paid.plus(rec.cost());
                wasted = rec.isWasted() ? wasted.plus(rec.cost()) : wasted;
            }
        }
        System.out.printf("answered by:     %s%n", usedModel);
        System.out.printf("cost:            %s (of which wasted on failed attempts: %s)%n", paid.format(),
                wasted.format());

        System.out.println();
        System.out.println("Budget-aware variant: a $0.05/day budget, then straight to the free model");
        Budgets budgets = Budgets.builder().add(Budget.daily("daily", Money.of("0.05"), ZoneId.of("UTC"))).build();
        var guard = dev.costwise.llm.budget.BudgetGuard.builder(budgets, ExampleModels.CATALOG,
                dev.costwise.llm.cost.JtokkitTokenEstimator.of(ExampleModels.CATALOG)).build();
        ChatModel healthy4o = BudgetedChatModel.of(ExampleModels.sim("gpt-4o", 21), guard);
        ChatModel healthyMini = BudgetedChatModel.of(ExampleModels.sim("gpt-4o-mini", 22), guard);
        BudgetAwareFallback budgetAware = BudgetAwareFallback.of("budget-fallback", guard, healthy4o,
                List.of(healthyMini, ExampleModels.sim("llama3.1:8b", 23)));
        Map<String, Integer> byModel = new TreeMap<>();
        int skipped = 0;
        for (int i = 0; i < 40; i++) {
            WorkflowContext ctx = WorkflowContext.of("budget-aware");
            // max_tokens bounds what each call reserves (else the model's whole maximum output is held)
            ChatResponse r = budgetAware.execute(ChatRequest.builder("gpt-4o")
                    .addMessage(Message.user("Question #" + i + " ".repeat(i))).maxTokens(400).build(), ctx);
            byModel.merge(r.model(), 1, Integer::sum);
            if (Boolean.TRUE.equals(ctx.metadata().get(BudgetedChatModel.BUDGET_EXCEEDED))) {
                skipped++;
            }
        }
        System.out.printf("answered by:     %s%n", byModel);
        System.out.printf("budget_exceeded: %d requests went straight to the free model%n", skipped);
        System.out.printf("spent:           %s of %s%n", budgets.status("daily").spent().format(),
                budgets.status("daily").limit().format());
    }
}
