package dev.costwise.examples.orchestration;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.orchestration.DraftAndValidate;
import dev.costwise.llm.orchestration.ExecutorRegistry;
import dev.costwise.llm.orchestration.MultiModelRequest;
import dev.costwise.llm.orchestration.MultiModelResponse;
import dev.costwise.llm.sim.OutputLength;
import dev.costwise.llm.sim.SimulatedChatModel;

/**
 * Pattern B, a free model drafts and Claude validates, run offline on SIMULATED providers. A thin draft is rejected
 * and redrafted by a stronger tier; only the validation tokens are paid.
 */
public final class DraftAndValidateExample {

    private DraftAndValidateExample() {}

    public static void main(String[] args) {
        System.out.println("SIMULATED providers (sim): offline run; the reviewer's verdict is a stand-in.\n");
        ModelCatalog catalog = ModelCatalogs.bundled();
        SimulatedChatModel llama = SimulatedChatModel.builder(catalog, "llama-3.3-70b-versatile:free").seed(21)
                .outputLength(OutputLength.fixed(80)).build();
        SimulatedChatModel gemini = SimulatedChatModel.builder(catalog, "gemini-2.5-pro:free").seed(22)
                .outputLength(OutputLength.fixed(400)).build();
        DraftAndValidate qa = DraftAndValidate.builder(catalog, ExecutorRegistry.of(llama, gemini),
                new SimulatedOrchestrator(catalog)).drafter("llama-3.3-70b-versatile:free").build();

        for (int i = 1; i <= 2; i++) {
            WorkflowContext ctx = WorkflowContext.of("pattern-b");
            MultiModelResponse r = qa.execute(MultiModelRequest.builder("Generate summary " + i)
                    .addMessage(Message.user("Summarize: solar capacity grew 30% last year while costs fell..."))
                    .rubric("Accurate and complete; no invented facts").build(), ctx);
            System.out.printf("draft %d: answered by %s, escalations %s, verdict %s%n  paid %s (validation %s) vs "
                            + "all-premium %s: saved %.0f%%%n", i, r.executorModel(), r.escalations().stream()
                            .map(e -> e.from() + "->" + e.to() + " " + e.reasons()).toList(),
                    r.verdict().map(v -> v.passed() + " " + v.reasons()).orElse("-"), r.totalCost().format(),
                    r.orchestratorCost().format(), r.baselineCost().format(), r.savingsRatio() * 100);
        }
    }
}
