package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.http.AdapterSettings;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A failed call the provider billed settles its reservation at what it billed: the Gemini adapter, against a
 * MockWebServer speaking the Gemini API, answers 200 with a candidate ended by {@code MALFORMED_FUNCTION_CALL} and
 * the {@code usageMetadata} Google billed (https://ai.google.dev/api/generate-content#FinishReason).
 */
class BudgetedBilledFailureTest {

    private static final ModelInfo PRO = TestModels.model("gemini-2.5-pro", "gemini",
            Optional.of(Pricing.of("1.25", "10.00")), 8192, Optional.empty());
    private static final ModelCatalog CATALOG = TestModels.catalog(List.of(PRO));

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));

    @Test
    void givenAFailedCallTheProviderBilled_whenItFails_thenTheReservationSettlesAtWhatItBilled() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("""
                        {"candidates":[{"content":{},"finishReason":"MALFORMED_FUNCTION_CALL","index":0}],
                         "usageMetadata":{"promptTokenCount":9056,"totalTokenCount":9056},
                         "modelVersion":"gemini-2.5-pro","responseId":"r-tool"}""").build());
        Budgets budgets = Budgets.builder().clock(clock).add(Budget.builder("daily").limit(Money.of("1")).build())
                .build();
        BudgetGuard guard = BudgetGuard.builder(budgets, CATALOG, TestModels.estimator(true)).build();
        GeminiChatModel gemini = GeminiChatModel.builder(AdapterSettings.builder("gemini", PRO.name())
                .pricer(CatalogPricer.of(CATALOG)).build()).apiKey("test-key").baseUrl(server.url("/").uri())
                .build();
        BudgetedChatModel model = BudgetedChatModel.of(gemini, guard);
        WorkflowContext ctx = WorkflowContext.builder("test").clock(clock).build();
        ChatRequest request = ChatRequest.builder(PRO.name()).addMessage(Message.user("call the tool"))
                .maxTokens(100).build();

        assertThatThrownBy(() -> model.execute(request, ctx)).isInstanceOf(ProviderException.MalformedResponse.class);

        // 9,056 prompt tokens at $1.25/M
        Money billed = Money.of("0.01132");
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.usage().inputTokens()).isEqualTo(9056);
            assertThat(r.cost()).isEqualTo(billed);
        });
        assertThat(budgets.status("daily").spent()).isEqualTo(billed);
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
    }
}
