package dev.costwise.examples.orchestration;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.orchestration.ExecutorRegistry;
import dev.costwise.llm.orchestration.LlmTaskClassifier;
import dev.costwise.llm.orchestration.MultiModelRequest;
import dev.costwise.llm.orchestration.MultiModelResponse;
import dev.costwise.llm.orchestration.MultiModelWorkflow;
import dev.costwise.llm.orchestration.RuleBasedTaskClassifier;
import dev.costwise.llm.sim.OutputLength;
import dev.costwise.llm.sim.SimulatedChatModel;
import dev.costwise.llm.sim.SimulatedFailure;
import java.time.Duration;
import java.util.List;

/**
 * Pattern 5, multi-model orchestration, run offline on SIMULATED providers: the orchestrator (Claude Sonnet 4.5)
 * classifies and validates, free models execute, a rate-limited free tier (DeepSeek here) falls back along the
 * spec's chain Gemini → DeepSeek → Claude,
 * and a rejected output escalates to a stronger tier. Prints each task and the day's projected cost against
 * all-premium.
 */
public final class MultiModelOrchestrationExample {

    private MultiModelOrchestrationExample() {}

    public static void main(String[] args) {
        System.out.println("SIMULATED providers (sim): offline run, tokens and prices are real catalog prices.\n");
        ModelCatalog catalog = ModelCatalogs.bundled();
        SimulatedChatModel gemini = SimulatedChatModel.builder(catalog, "gemini-2.5-pro:free").seed(1)
                .outputLength(OutputLength.uniform(300, 1800)).build();
        SimulatedChatModel deepseek = SimulatedChatModel.builder(catalog, "deepseek/deepseek-r1:free").seed(2)
                .outputLength(OutputLength.uniform(200, 1800)).failure(SimulatedFailure.RATE_LIMITED, 0.5).build();
        SimulatedChatModel llama = SimulatedChatModel.builder(catalog, "llama-3.3-70b-versatile:free").seed(3)
                .outputLength(OutputLength.uniform(40, 600)).build();
        SimulatedChatModel llamaSmall = SimulatedChatModel.builder(catalog, "llama-3.1-8b-instant:free").seed(4)
                .outputLength(OutputLength.uniform(10, 60)).build();
        SimulatedChatModel claude = SimulatedChatModel.builder(catalog, "claude-sonnet-4-5").seed(5)
                .outputLength(OutputLength.uniform(400, 1800)).build();
        SimulatedOrchestrator orchestrator = new SimulatedOrchestrator(catalog);

        MultiModelWorkflow workflow = MultiModelWorkflow.builder(catalog,
                        ExecutorRegistry.of(gemini, deepseek, llama, llamaSmall, claude), orchestrator)
                .classifier(LlmTaskClassifier.of(orchestrator, RuleBasedTaskClassifier.builder(catalog).build()))
                .fallbackChain("gemini-2.5-pro:free", "deepseek/deepseek-r1:free", "claude-sonnet-4-5")
                .maxEscalations(1)
                .build();

        List<String> tasks = List.of(
                "What is the capital of Australia?",
                "Analyze renewable energy benefits for a mid-sized city: compare solar and wind on cost, land use "
                        + "and reliability, and recommend a mix.",
                "Write a Python function that merges overlapping intervals, handling edge cases, with unit tests.",
                "Summarize the attached 40-page board report into an executive brief with sections for revenue, "
                        + "churn and risks.",
                "Prove that the square root of 2 is irrational, step by step.",
                "Translate 'Where is the station?' into German.");
        Money total = Money.ZERO;
        Money baseline = Money.ZERO;
        for (String task : tasks) {
            WorkflowContext ctx = WorkflowContext.builder("pattern-5").timeout(Duration.ofSeconds(60)).build();
            MultiModelRequest request = MultiModelRequest.builder(task).addMessage(Message.user(task)).validated()
                    .build();
            MultiModelResponse r = workflow.execute(request, ctx);
            total = total.plus(r.totalCost());
            baseline = baseline.plus(r.baselineCost());
            System.out.printf("%s%n  %s/%s -> %s%s%s%n  orchestrator %d tokens %s | executor %d tokens %s | "
                            + "all-premium %s | saved %.0f%%%n  metrics %s%n%n",
                    task, r.classification().complexity(), r.classification().taskType(), r.executorModel(),
                    r.orchestrated() ? "" : " (orchestration skipped: too simple)",
                    (r.fallbacks().isEmpty() ? "" : ", fallbacks " + r.fallbacks().stream()
                            .map(f -> f.model() + ":" + f.errorKind()).toList())
                            + (r.escalations().isEmpty() ? "" : ", escalated " + r.escalations().stream()
                            .map(e -> e.from() + "->" + e.to()).toList())
                            + r.validationPassed().map(p -> p ? ", validated" : ", failed validation").orElse(""),
                    r.orchestratorUsage().totalTokens(), r.orchestratorCost().format(),
                    r.executorUsage().totalTokens(), r.executorCost().format(), r.baselineCost().format(),
                    r.savingsRatio() * 100, ctx.metadata().get(MultiModelWorkflow.METRICS_KEY));
        }
        long perDay = 10_000 / tasks.size();
        System.out.printf("At 10K requests/day with this mix: orchestration %s/day vs all-premium %s/day (%.0f%% saved)%n",
                total.times(perDay).format(), baseline.times(perDay).format(),
                baseline.minus(total).ratioOf(baseline) * 100);
    }
}
