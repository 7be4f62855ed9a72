package dev.costwise.examples.orchestration;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.orchestration.BatchPlan;
import dev.costwise.llm.orchestration.ExecutorRegistry;
import dev.costwise.llm.orchestration.PlanAndExecute;
import dev.costwise.llm.orchestration.PlanResult;
import dev.costwise.llm.orchestration.SubTaskResult;
import dev.costwise.llm.sim.OutputLength;
import dev.costwise.llm.sim.SimulatedChatModel;
import dev.costwise.llm.sim.SimulatedFailure;
import java.time.Duration;
import java.util.List;

/**
 * Pattern A, Claude plans and free models execute, run offline on SIMULATED providers: the plan's three perspectives
 * run in parallel on virtual threads within a 30-second deadline, a rate-limited Gemini falls back on its own, and the
 * orchestrator aggregates. Then three tasks are planned in one orchestrator call.
 */
public final class PlanAndExecuteExample {

    private PlanAndExecuteExample() {}

    public static void main(String[] args) {
        System.out.println("SIMULATED providers (sim): offline run.\n");
        ModelCatalog catalog = ModelCatalogs.bundled();
        SimulatedChatModel gemini = SimulatedChatModel.builder(catalog, "gemini-2.5-pro:free").seed(11)
                .outputLength(OutputLength.fixed(900)).failure(SimulatedFailure.RATE_LIMITED, 0.5).build();
        SimulatedChatModel deepseek = SimulatedChatModel.builder(catalog, "deepseek/deepseek-r1:free").seed(12)
                .outputLength(OutputLength.fixed(1200)).build();
        SimulatedChatModel llama = SimulatedChatModel.builder(catalog, "llama-3.3-70b-versatile:free").seed(13)
                .outputLength(OutputLength.fixed(700)).build();
        SimulatedChatModel claude = SimulatedChatModel.of(catalog, "claude-sonnet-4-5");
        PlanAndExecute workflow = PlanAndExecute.builder(catalog, ExecutorRegistry.of(gemini, deepseek, llama,
                claude), new SimulatedOrchestrator(catalog)).build();

        WorkflowContext ctx = WorkflowContext.builder("pattern-a").timeout(Duration.ofSeconds(30)).build();
        PlanResult r = workflow.execute("Research renewable energy from 3 perspectives", ctx);
        for (SubTaskResult s : r.results()) {
            System.out.printf("  %-22s %-9s on %s%s%n", s.subTask().description(), s.status(),
                    s.executorModel().orElse("-"), s.fallbacks().isEmpty() ? "" : " after " + s.fallbacks().stream()
                            .map(f -> f.model() + ":" + f.errorKind()).toList());
        }
        System.out.printf("orchestrator %s (plan + aggregate) + executors %s = %s; all-premium %s; saved %.0f%%%n",
                r.orchestratorCost().format(), r.executorCost().format(), r.totalCost().format(),
                r.baselineCost().format(), r.savingsRatio() * 100);
        System.out.printf("records: %d, from branches %s%n%n", ctx.records().size(), ctx.records("delegated")
                .stream().map(rec -> rec.branch()).toList());

        WorkflowContext batchCtx = WorkflowContext.of("pattern-a-batch");
        BatchPlan batch = workflow.planBatch(List.of("Compare heat pumps and gas boilers",
                "Explain grid-scale battery storage", "Summarize EU renewable targets"), batchCtx);
        System.out.printf("batch: %d tasks planned in one orchestrator call costing %s (%s)%n", batch.plans().size(),
                batch.cost().format(), batch.plans().stream().map(p -> p.source()).toList());
    }
}
