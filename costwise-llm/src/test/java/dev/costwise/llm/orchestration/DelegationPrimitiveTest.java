package dev.costwise.llm.orchestration;

import dev.costwise.llm.cost.CatalogPricer;
import static dev.costwise.llm.orchestration.TestCatalog.CLAUDE_SONNET;
import static dev.costwise.llm.orchestration.TestCatalog.GEMINI_PRO_FREE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelegationPrimitiveTest {
    private final FakeTicker ticker = new FakeTicker();
    private final ScriptedChatModel gemini = new ScriptedChatModel(GEMINI_PRO_FREE, "gemini", ticker);
    private final ScriptedChatModel claude = new ScriptedChatModel(CLAUDE_SONNET, "anthropic", ticker);
    private final WorkflowContext ctx = WorkflowContext.builder("delegate").ticker(ticker).build();
    private final CatalogPricer pricer = CatalogPricer.of(TestCatalog.standard());

    @Test
    void givenRegisteredExecutor_whenDelegated_thenResponseCarriesExecutorTokensCostAndLatency() {
        claude.repliesAfter(Duration.ofMillis(850), "summary", Usage.of(1000, 200));
        DelegationPrimitive delegation = DelegationPrimitive.of(ExecutorRegistry.of(gemini, claude), pricer);

        DelegationResponse r = delegation.execute(DelegationRequest.of("Summarize article", CLAUDE_SONNET,
                List.of(Message.user("Summarize: ..."))), ctx);

        assertThat(r.executorModel()).isEqualTo(CLAUDE_SONNET);
        assertThat(r.content()).isEqualTo("summary");
        assertThat(r.usage()).isEqualTo(Usage.of(1000, 200));
        assertThat(r.cost()).isEqualTo(Money.of("0.006"));
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.PRICED);
        assertThat(r.latency()).isEqualTo(Duration.ofMillis(850));
        assertThat(ctx.records("delegated")).singleElement()
                .satisfies(rec -> assertThat(rec.attributes()).containsEntry("executor", CLAUDE_SONNET));
    }

    @Test
    void givenFreeTierExecutor_whenDelegated_thenCostIsZeroAndMarkedFreeTier() {
        gemini.replies("summary", Usage.of(1000, 800));

        DelegationResponse r = DelegationPrimitive.of(ExecutorRegistry.of(gemini), pricer).execute(
                DelegationRequest.of("Summarize", GEMINI_PRO_FREE, List.of(Message.user("Summarize: ..."))), ctx);

        assertThat(r.cost()).isEqualTo(Money.ZERO);
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.FREE_TIER);
    }

    @Test
    void givenUnknownExecutor_whenDelegated_thenErrorListsTheRegisteredOnes() {
        DelegationPrimitive delegation = DelegationPrimitive.of(ExecutorRegistry.of(gemini, claude));

        assertThatThrownBy(() -> delegation.execute(DelegationRequest.of("x", "gpt-5",
                List.of(Message.user("hi"))), ctx))
                .isInstanceOf(UnknownExecutorException.class)
                .hasMessage("no executor registered for 'gpt-5'; registered: [" + CLAUDE_SONNET + ", "
                        + GEMINI_PRO_FREE + "]");
    }

    @Test
    void givenSameNameTwice_whenRegistered_thenRejected() {
        assertThatThrownBy(() -> ExecutorRegistry.of(gemini, gemini))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("executor '" + GEMINI_PRO_FREE + "' was already registered");
    }
}
