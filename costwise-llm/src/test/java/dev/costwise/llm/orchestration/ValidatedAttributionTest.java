package dev.costwise.llm.orchestration;

import static dev.costwise.llm.orchestration.TestCatalog.GPT_4O;
import static dev.costwise.llm.orchestration.TestCatalog.GPT_4O_MINI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.metrics.CostMetrics;
import dev.costwise.llm.metrics.CostSnapshot;
import dev.costwise.llm.resilience.OpenAiUpstream;
import dev.costwise.llm.sim.SimulatedChatModel;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Which model a validated request is counted under: the drafter whose answer the caller got, not the orchestrator
 * that judged it. The drafter is the simulated provider; the validator is the OpenAI adapter against a MockWebServer
 * answering a verdict in OpenAI's wire format.
 */
class ValidatedAttributionTest {
    @StartStop
    private final MockWebServer openai = new MockWebServer();

    private final TestCatalog catalog = TestCatalog.standard();

    @Test
    void givenAPassingVerdict_whenTheRequestIsCounted_thenItCountsUnderTheDrafterNotTheValidator() {
        openai.enqueue(OpenAiUpstream.completion(GPT_4O, "{\\\"pass\\\": true, \\\"reasons\\\": [\\\"accurate\\\"]}"));
        ChatModel drafter = SimulatedChatModel.builder(catalog, GPT_4O_MINI).seed(1).sleeper(d -> { })
                .build();
        ChatModel validator = OpenAiUpstream.adapter(openai, GPT_4O).build();
        DraftAndValidate qa = DraftAndValidate.builder(catalog, ExecutorRegistry.of(drafter), validator)
                .drafter(GPT_4O_MINI).build();
        WorkflowContext ctx = WorkflowContext.of("validated");

        MultiModelResponse r = qa.execute(MultiModelRequest.builder("Generate summary")
                .addMessage(Message.user("Summarize: solar capacity grew 30% last year...")).build(), ctx);

        assertThat(r.validationPassed()).contains(true);
        assertThat(r.executorModel()).isEqualTo(GPT_4O_MINI);
        // both calls were billed, each under the model called
        assertThat(CostRecords.of(ctx)).extracting(CostRecord::catalogModel, CostRecord::outcome)
                .containsExactly(tuple(GPT_4O_MINI, Outcome.SUCCESS), tuple(GPT_4O, Outcome.SUCCESS));
        CostMetrics metrics = CostMetrics.inMemory();
        metrics.recordRequest("qa", CostRecords.of(ctx), true, r.executorModel());
        CostSnapshot snap = metrics.snapshot("qa");
        assertThat(snap.total().requests()).isEqualTo(1);
        assertThat(snap.byModel().get(GPT_4O_MINI).requests()).as("the drafter answered").isEqualTo(1);
        assertThat(snap.byModel().get(GPT_4O).requests()).as("the validator only judged").isZero();
        assertThat(snap.byModel().get(GPT_4O).cost().isPositive()).as("its call is still paid").isTrue();
    }
}
