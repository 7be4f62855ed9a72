package dev.costwise.llm.budget;

import static dev.costwise.llm.resilience.OpenAiUpstream.cutAfter;
import static dev.costwise.llm.resilience.OpenAiUpstream.eventStream;
import static dev.costwise.llm.resilience.OpenAiUpstream.readAll;
import static dev.costwise.llm.resilience.OpenAiUpstream.sse;
import static dev.costwise.llm.resilience.OpenAiUpstream.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.resilience.OpenAiUpstream;
import java.time.Instant;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@link BudgetAwareFallback}'s streams over real OpenAI and OpenRouter adapters and a MockWebServer speaking OpenAI's
 * stream format: a failure before the first chunk reaches the reader (an error event after the 200 went out) moves on
 * to the next model as a stream that fails to open does; after the first chunk nothing moves on.
 */
class BudgetAwareFallbackStreamTest {

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private static final ObjectMapper JSON = new ObjectMapper();

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
    private final Budgets budgets = Budgets.builder().clock(clock)
            .add(Budget.builder("daily").limit(Money.of("1")).build()).build();
    private final BudgetGuard guard = BudgetGuard.builder(budgets, CATALOG, JtokkitTokenEstimator.of(CATALOG))
            .build();
    private final WorkflowContext ctx = WorkflowContext.builder("t").clock(clock).build();

    /** gpt-4o, then gpt-4o-mini, each held by the guard, then OpenRouter's free DeepSeek R1. */
    private BudgetAwareFallback chain() {
        return BudgetAwareFallback.of("llm", guard, BudgetedChatModel.of(adapter(OpenAiCompatibleEndpoint.OPENAI,
                "gpt-4o"), guard), List.of(BudgetedChatModel.of(adapter(OpenAiCompatibleEndpoint.OPENAI,
                "gpt-4o-mini"), guard), adapter(OpenAiCompatibleEndpoint.OPENROUTER, "deepseek/deepseek-r1:free")));
    }

    private ChatModel adapter(OpenAiCompatibleEndpoint endpoint, String model) {
        return OpenAiUpstream.adapter(server, endpoint, model).pricer(CatalogPricer.of(CATALOG)).build();
    }

    /**
     * @return OpenAI's 200 stream whose first event is an error
     *     (https://platform.openai.com/docs/guides/error-codes: a server error while processing the request)
     */
    private static MockResponse serverErrorBeforeTheFirstChunk() {
        return eventStream(sse("{\"error\":{\"message\":\"The server had an error while processing your request."
                + " Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
    }

    private static ChatRequest question() {
        return ChatRequest.builder("gpt-4o").addMessage(Message.user("hi")).maxTokens(100).build();
    }

    private String modelSent() throws Exception {
        return JSON.readTree(server.takeRequest().getBody().utf8()).get("model").asText();
    }

    @Test
    void givenAnErrorEventBeforeTheFirstChunk_whenStreamed_thenTheNextModelStreamsAndNothingStaysReserved()
            throws Exception {
        server.enqueue(serverErrorBeforeTheFirstChunk());
        server.enqueue(stream("gpt-4o-mini-2024-07-18", "Hello", " from mini"));

        ChatStream s = chain().stream(question(), ctx);

        assertThat(String.join("", readAll(s))).isEqualTo("Hello from mini");
        assertThat(modelSent()).isEqualTo("gpt-4o");
        assertThat(modelSent()).isEqualTo("gpt-4o-mini");
        assertThat(ctx.records("fallback")).extracting(StepRecord::attributes)
                .extracting(a -> a.get("from") + " -> " + a.get("to") + " " + a.get("reason"))
                .containsExactly("gpt-4o -> gpt-4o-mini server_error");
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
        assertThat(budgets.status("daily").spent()).isEqualTo(CostRecords.total(ctx)).isGreaterThan(Money.ZERO);
    }

    @Test
    void givenAFailureAfterTheFirstChunk_whenStreamed_thenItReachesTheReaderAndNoOtherModelIsCalled() {
        server.enqueue(cutAfter("gpt-4o-2024-08-06", "Hel"));

        ChatStream s = chain().stream(question(), ctx);

        assertThat(s.next().contentDelta()).isEqualTo("Hel");
        assertThatThrownBy(() -> readAll(s)).isInstanceOf(ProviderException.class);
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(ctx.records("fallback")).isEmpty();
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
    }
}
