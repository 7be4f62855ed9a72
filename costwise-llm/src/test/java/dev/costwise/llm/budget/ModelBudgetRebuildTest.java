package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.metrics.CostMetrics;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Providers answer under other names than the catalog's (OpenAI a dated snapshot, Anthropic the upstream id the
 * adapter sends): model-scoped budgets rebuilt from the ledger still find the spend they counted, and spend by model is
 * one name per model.
 */
class ModelBudgetRebuildTest {

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private static final ApiKey KEY = ApiKey.of("test-key");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Budgets budgets() {
        return Budgets.builder().clock(clock).add(modelBudget("gpt-4o")).add(modelBudget("claude-haiku-4-5")).build();
    }

    private static Budget modelBudget(String model) {
        return Budget.builder(model).scope(BudgetScope.model(model)).window(BudgetWindow.daily(ZoneOffset.UTC))
                .limit(Money.of("1")).build();
    }

    @Test
    void givenProvidersAnsweringUnderSnapshotNames_whenBudgetsAreRebuiltFromTheLedger_thenTheyFindTheirSpend() {
        server.enqueue(new MockResponse.Builder().code(500).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\","
                        + "\"param\":null,\"code\":null}}").build());
        server.enqueue(json("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}"""));
        server.enqueue(json("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",
                 "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":1000,"output_tokens":100}}"""));
        Budgets live = budgets();
        BudgetGuard guard = BudgetGuard.builder(live, CATALOG, JtokkitTokenEstimator.of(CATALOG)).build();
        ChatModel gpt = BudgetedChatModel.of(OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), "gpt-4o")
                .apiKey(KEY).pricer(CatalogPricer.of(CATALOG)).environment(Map.of()).build(), guard);
        ChatModel haiku = BudgetedChatModel.of(AnthropicChatModel.builder("claude-haiku-4-5")
                .pricer(CatalogPricer.of(CATALOG)).apiKey(KEY).baseUrl(server.url("/").uri()).build(), guard);
        InMemorySpendLedger ledger = new InMemorySpendLedger();
        CostMetrics metrics = CostMetrics.inMemory();
        List<CostRecord> records = new ArrayList<>();

        WorkflowContext first = WorkflowContext.builder("t").clock(clock).build();
        assertThatThrownBy(() -> gpt.execute(request("gpt-4o"), first)).isInstanceOf(ProviderException.class);
        records.addAll(CostRecords.of(first));
        for (var call : List.of(Map.entry(gpt, "gpt-4o"), Map.entry(haiku, "claude-haiku-4-5"))) {
            WorkflowContext ctx = WorkflowContext.builder("t").clock(clock).build();
            call.getKey().execute(request(call.getValue()), ctx);
            records.addAll(CostRecords.of(ctx));
        }
        records.forEach(ledger::append);
        records.forEach(r -> metrics.record("all", r));

        assertThat(records).extracting(CostRecord::usedModel, CostRecord::catalogModel).containsExactly(
                tuple("gpt-4o", "gpt-4o"), tuple("gpt-4o-2024-08-06", "gpt-4o"),
                tuple("claude-haiku-4-5-20251001", "claude-haiku-4-5"));
        Budgets restarted = budgets();
        restarted.rebuildFrom(ledger);
        assertThat(restarted.status("gpt-4o").spent()).isEqualTo(live.status("gpt-4o").spent())
                .isEqualTo(Money.of("0.0075"));
        assertThat(restarted.status("claude-haiku-4-5").spent()).isEqualTo(live.status("claude-haiku-4-5").spent())
                .isEqualTo(Money.of("0.0015"));
        assertThat(metrics.snapshot("all").byModel()).containsOnlyKeys("gpt-4o", "claude-haiku-4-5");
    }

    @Test
    void givenACachedAnswerOfASnapshot_whenServedAgain_thenTheHitCountsUnderTheCatalogNameToo() {
        server.enqueue(json("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}"""));
        ChatModel cached = CachedChatModel.builder("cached", OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), "gpt-4o")
                .apiKey(KEY).pricer(CatalogPricer.of(CATALOG)).environment(Map.of()).build()).build();
        CostMetrics metrics = CostMetrics.inMemory();

        for (int i = 0; i < 2; i++) {
            WorkflowContext ctx = WorkflowContext.builder("t").clock(clock).build();
            cached.execute(request("gpt-4o"), ctx);
            CostRecords.of(ctx).forEach(r -> metrics.record("all", r));
        }

        assertThat(metrics.snapshot("all").byModel()).containsOnlyKeys("gpt-4o");
        assertThat(metrics.snapshot("all").byModel().get("gpt-4o").cacheHits()).isEqualTo(1);
    }

    private static ChatRequest request(String model) {
        return ChatRequest.builder(model).addMessage(Message.user("hi")).maxTokens(600).build();
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }
}
