package dev.costwise.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetGuard;
import dev.costwise.llm.budget.BudgetScope;
import dev.costwise.llm.budget.BudgetWindow;
import dev.costwise.llm.budget.BudgetedChatModel;
import dev.costwise.llm.budget.Budgets;
import dev.costwise.llm.budget.InMemorySpendLedger;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A free-tier deployment that the provider answers with another model (Google's silent Pro to Flash downgrade, a Groq
 * free key answered by a smaller model) costs nothing: the deployment's tier decides the price, and the answering
 * model stays visible as the used model (bug bash 4, F3). The records and the budget agree on $0. Gemini and Groq are
 * MockWebServers speaking their wire formats; the catalog is the bundled one.
 */
class FreeDeploymentDowngradeTest {

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private static final CatalogPricer PRICER = CatalogPricer.of(CATALOG);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-02T10:00:00Z"), ZoneOffset.UTC);

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final WorkflowContext ctx = WorkflowContext.builder("t").clock(CLOCK).build();

    /** A generateContent answer of 100,000 prompt and 20,000 output tokens, by {@code modelVersion}. */
    private static MockResponse geminiAnswer(String modelVersion) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":100000,"candidatesTokenCount":20000,"totalTokenCount":120000},
                 "modelVersion":"%s","responseId":"r1"}""".formatted(modelVersion)).build();
    }

    private GeminiChatModel gemini(String model) {
        return GeminiChatModel.builder(model).pricer(PRICER).apiKey(ApiKey.of("AIza-test"))
                .baseUrl(server.url("/").uri()).build();
    }

    private static Budgets dailyBudget() {
        return Budgets.builder().clock(CLOCK).add(Budget.builder("daily").scope(BudgetScope.global())
                .window(BudgetWindow.daily(ZoneOffset.UTC)).limit(Money.of("5")).build()).build();
    }

    @Test
    void givenGeminiProFreeAnsweredByFlash_whenCalled_thenItCostsNothingAndTheRecordsAndBudgetAgree() {
        server.enqueue(geminiAnswer("gemini-2.5-flash"));
        Budgets budgets = dailyBudget();
        BudgetGuard guard = BudgetGuard.builder(budgets, CATALOG, JtokkitTokenEstimator.of(CATALOG)).build();
        ChatModel free = BudgetedChatModel.of(gemini("gemini-2.5-pro:free"), guard);

        ChatResponse r = free.execute(ChatRequest.of("gemini-2.5-pro:free", "hi"), ctx);

        assertThat(r.modelDowngraded()).isTrue();
        assertThat(r.model()).isEqualTo("gemini-2.5-flash");
        assertThat(r.cost()).isEqualTo(Money.ZERO);
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.FREE_TIER);
        CostRecord record = CostRecords.of(ctx).getFirst();
        assertThat(record.usedModel()).as("the answering model stays visible").isEqualTo("gemini-2.5-flash");
        assertThat(record.cost()).isEqualTo(Money.ZERO);
        assertThat(record.priceStatus()).isEqualTo(PriceStatus.FREE_TIER);
        assertThat(budgets.status("daily").spent()).isEqualTo(record.cost());
        InMemorySpendLedger ledger = new InMemorySpendLedger();
        ledger.append(record);
        Budgets restarted = dailyBudget();
        restarted.rebuildFrom(ledger);
        assertThat(restarted.status("daily").spent()).as("a restart rebuilds what the budget counted")
                .isEqualTo(budgets.status("daily").spent());
    }

    @Test
    void givenGroqsFreeDeploymentStreamedByASmallerModel_whenRead_thenItCostsNothing() {
        String chunk = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"llama-3.1-8b-instant\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":null}]}";
        String last = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"llama-3.1-8b-instant\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"x_groq\":{\"id\":\"req_1\",\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":1000000,"
                + "\"total_tokens\":2000000}}}";
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body("data: " + chunk + "\n\ndata: " + last + "\n\ndata: [DONE]\n\n").build());
        ChatModel groq = OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.GROQ.withBaseUrl(server.url("/openai/v1").toString()),
                "llama-3.3-70b-versatile:free").apiKey(ApiKey.of("gsk-test")).pricer(PRICER).environment(Map.of())
                .build();

        ChatResponse r;
        try (ChatStream s = groq.stream(ChatRequest.of("llama-3.3-70b-versatile:free", "hi"), ctx)) {
            s.forEachRemaining((ChatChunk c) -> { });
            r = s.response();
        }

        assertThat(r.model()).isEqualTo("llama-3.1-8b-instant");
        assertThat(r.modelDowngraded()).isTrue();
        assertThat(r.cost()).isEqualTo(Money.ZERO);
        assertThat(CostRecords.of(ctx)).singleElement().satisfies(c -> {
            assertThat(c.cost()).isEqualTo(Money.ZERO);
            assertThat(c.priceStatus()).isEqualTo(PriceStatus.FREE_TIER);
        });
    }

    @Test
    void givenThePaidGeminiProAnsweredByFlash_whenCalled_thenItIsPricedAsFlash() {
        server.enqueue(geminiAnswer("gemini-2.5-flash"));

        ChatResponse r = gemini("gemini-2.5-pro").execute(ChatRequest.of("gemini-2.5-pro", "hi"), ctx);

        // gemini-2.5-flash: $0.30 input, $2.50 output per 1M tokens
        assertThat(r.cost()).isEqualTo(Money.of("0.08"));
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.PRICED);
    }
}
