package dev.costwise.llm.orchestration;

import static dev.costwise.llm.orchestration.TestCatalog.CLAUDE_SONNET;
import static dev.costwise.llm.orchestration.TestCatalog.GEMINI_PRO_FREE;
import static dev.costwise.llm.orchestration.TestCatalog.LLAMA_70B_FREE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Usage;
import org.junit.jupiter.api.Test;

class DraftAndValidateTest {
    private final FakeTicker ticker = new FakeTicker();
    private final TestCatalog catalog = TestCatalog.standard();
    private final ScriptedChatModel claude = new ScriptedChatModel(CLAUDE_SONNET, "anthropic", ticker);
    private final ScriptedChatModel gemini = new ScriptedChatModel(GEMINI_PRO_FREE, "gemini", ticker);
    private final ScriptedChatModel llama70 = new ScriptedChatModel(LLAMA_70B_FREE, "groq", ticker);
    private final ExecutorRegistry executors = ExecutorRegistry.of(llama70, gemini);
    private final WorkflowContext ctx = WorkflowContext.builder("pattern-b").ticker(ticker).build();

    private static MultiModelRequest summary() {
        return MultiModelRequest.builder("Generate summary")
                .addMessage(Message.user("Summarize: solar capacity grew 30% last year...")).build();
    }

    @Test
    void givenGoodDraft_whenValidated_thenOnlyTheValidationIsPaid() {
        gemini.replies("Solar grew 30%.", Usage.of(1200, 300));
        claude.replies("{\"pass\": true, \"reasons\": [\"accurate\", \"complete\"]}", Usage.of(1000, 20));
        DraftAndValidate qa = DraftAndValidate.builder(catalog, executors, claude).drafter(GEMINI_PRO_FREE).build();

        MultiModelResponse r = qa.execute(summary(), ctx);

        assertThat(r.executorModel()).isEqualTo(GEMINI_PRO_FREE);
        assertThat(r.validationPassed()).contains(true);
        assertThat(r.executorCost()).isEqualTo(Money.ZERO);
        // 1,000 × $3 + 20 × $15 per million = $0.0033, against all tokens on Claude: 2,200 × $3 + 320 × $15 = $0.0114
        assertThat(r.totalCost()).isEqualTo(Money.of("0.0033"));
        assertThat(r.baselineCost()).isEqualTo(Money.of("0.0114"));
        assertThat(claude.requests()).singleElement()
                .satisfies(req -> assertThat(req.lastUserText()).contains("Solar grew 30%."));
    }

    @Test
    void givenRejectedDraft_whenValidated_thenAStrongerModelRedraftsIt() {
        llama70.replies("Wind grew.", Usage.of(1200, 100));
        gemini.replies("Solar grew 30%.", Usage.of(1200, 300));
        claude.replies("{\"pass\": false, \"reasons\": [\"talks about wind, not solar\"]}", Usage.of(1000, 20))
                .replies("{\"pass\": true, \"reasons\": [\"accurate\"]}", Usage.of(1000, 20));
        DraftAndValidate qa = DraftAndValidate.builder(catalog, executors, claude).drafter(LLAMA_70B_FREE).build();

        MultiModelResponse r = qa.execute(summary(), ctx);

        assertThat(r.escalations()).singleElement().satisfies(e -> {
            assertThat(e.from()).isEqualTo(LLAMA_70B_FREE);
            assertThat(e.to()).isEqualTo(GEMINI_PRO_FREE);
        });
        assertThat(r.content()).isEqualTo("Solar grew 30%.");
    }

    @Test
    void givenUnregisteredDrafter_whenBuilt_thenRejected() {
        assertThatThrownBy(() -> DraftAndValidate.builder(catalog, executors, claude).drafter("gpt-4o"))
                .isInstanceOf(UnknownExecutorException.class).hasMessageContaining("'gpt-4o'");
    }
}
