package dev.costwise.llm.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.ProviderException;
import org.junit.jupiter.api.Test;

class SimulatedProviderTest {

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();

    @Test
    void givenCatalog_whenAskedForModels_thenEveryChatModelIsServedAndAliasesShareOneInstance() {
        SimulatedProvider sim = SimulatedProvider.of(CATALOG, 1);

        assertThat(sim.modelNames()).contains("gpt-4o", "claude-sonnet-4-5", "deepseek/deepseek-r1:free")
                .doesNotContain("text-embedding-3-small");
        assertThat(sim.model("claude-sonnet-4.5")).isSameAs(sim.model("claude-sonnet-4-5"));
        assertThat(sim.model("gpt-4o").provider()).isEqualTo("sim");
    }

    @Test
    void givenEmbeddingModel_whenAskedFor_thenRejected() {
        assertThatThrownBy(() -> SimulatedProvider.of(CATALOG, 1).model("text-embedding-3-small"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'text-embedding-3-small' is a EMBEDDING model");
    }

    @Test
    void givenCustomizer_whenModelBuilt_thenItApplies() {
        SimulatedProvider sim = SimulatedProvider.of(CATALOG, 1,
                b -> b.failure(SimulatedFailure.OVERLOADED, 1.0));

        assertThatThrownBy(() -> sim.model("gpt-4o").execute(ChatRequest.of("gpt-4o", "hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.Overloaded.class);
    }

    @Test
    void givenCertainMidStreamFailure_whenStreamRead_thenBreaksHalfwayAndBillsThePartialOutput() {
        SimulatedChatModel model = SimulatedChatModel.builder(CATALOG, "gpt-4o")
                .outputLength(OutputLength.fixed(99)).chunkWords(10).midStreamFailureRate(1.0).build();
        WorkflowContext ctx = WorkflowContext.of("t");

        try (ChatStream stream = model.stream(ChatRequest.of("gpt-4o", "hi"), ctx)) {
            assertThatThrownBy(() -> {
                while (stream.hasNext()) {
                    stream.next();
                }
            }).isInstanceOf(ProviderException.ConnectionFailed.class).hasMessageContaining("stream broken after 50");
            assertThat(stream.hasNext()).isFalse();
        }

        CostRecord failed = CostRecords.of(ctx).getFirst();
        assertThat(CostRecords.of(ctx)).hasSize(1);
        assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
        // 100 pieces (prefix + 99 words), broken after 50: ceil(99 × 50 / 100) = 50 output tokens billed
        assertThat(failed.usage().outputTokens()).isEqualTo(50);
        assertThat(failed.cost().isPositive()).isTrue();
    }
}
