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

    /** OpenAI's answer for gpt-4o, named by its dated snapshot: 1,000 prompt and 500 completion tokens. */
    private static final String GPT_4O_SNAPSHOT_ANSWER = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06",
             "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}""";
    /** Anthropic's answer for claude-haiku-4-5, named by its upstream id: 1,000 input and 100 output tokens. */
    private static final String HAIKU_ANSWER = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",
             "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",
             "usage":{"input_tokens":1000,"output_tokens":100}}""";

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
        server.enqueue(json(GPT_4O_SNAPSHOT_ANSWER));
        server.enqueue(json(HAIKU_ANSWER));
        Budgets live = budgets();
        BudgetGuard guard = BudgetGuard.builder(live, CATALOG, JtokkitTokenEstimator.of(CATALOG)).build();
        ChatModel gpt = BudgetedChatModel.of(openAi("gpt-4o"), guard);
        ChatModel haiku = BudgetedChatModel.of(anthropic("claude-haiku-4-5"), guard);
        CostMetrics metrics = CostMetrics.inMemory();

        WorkflowContext first = WorkflowContext.builder("t").clock(clock).build();
        assertThatThrownBy(() -> gpt.execute(request("gpt-4o"), first)).isInstanceOf(ProviderException.class);
        List<CostRecord> records = new ArrayList<>(CostRecords.of(first));
        records.addAll(callEach(gpt, haiku));
        records.forEach(r -> metrics.record("all", r));

        assertThat(records).extracting(CostRecord::usedModel, CostRecord::catalogModel).containsExactly(
                tuple("gpt-4o", "gpt-4o"), tuple("gpt-4o-2024-08-06", "gpt-4o"),
                tuple("claude-haiku-4-5-20251001", "claude-haiku-4-5"));
        assertRebuiltAsLive(live, records);
        assertThat(metrics.snapshot("all").byModel()).containsOnlyKeys("gpt-4o", "claude-haiku-4-5");
    }

    @Test
    void givenAdaptersBuiltUnderAliases_whenBudgetsAreRebuiltFromTheLedger_thenTheyFindTheirSpend() {
        server.enqueue(json(GPT_4O_SNAPSHOT_ANSWER));
        server.enqueue(json(HAIKU_ANSWER));
        Budgets live = budgets();
        BudgetGuard guard = BudgetGuard.builder(live, CATALOG, JtokkitTokenEstimator.of(CATALOG)).build();

        // a pinned snapshot and a dotted name: both aliases in the catalog
        List<CostRecord> records = callEach(BudgetedChatModel.of(openAi("gpt-4o-2024-08-06"), guard),
                BudgetedChatModel.of(anthropic("claude-haiku-4.5"), guard));

        assertThat(records).extracting(CostRecord::catalogModel).containsExactly("gpt-4o", "claude-haiku-4-5");
        assertRebuiltAsLive(live, records);
    }

    /** @return the records of one call to each model, asking for the model by its name, each on its own context */
    private List<CostRecord> callEach(ChatModel... models) {
        List<CostRecord> records = new ArrayList<>();
        for (ChatModel model : models) {
            WorkflowContext ctx = WorkflowContext.builder("t").clock(clock).build();
            model.execute(request(model.name()), ctx);
            records.addAll(CostRecords.of(ctx));
        }
        return records;
    }

    /** Budgets rebuilt from a ledger of {@code records} find what {@code live} counted: $0.0075 and $0.0015. */
    private void assertRebuiltAsLive(Budgets live, List<CostRecord> records) {
        InMemorySpendLedger ledger = new InMemorySpendLedger();
        records.forEach(ledger::append);
        Budgets restarted = budgets();
        restarted.rebuildFrom(ledger);
        assertThat(restarted.status("gpt-4o").spent()).isEqualTo(live.status("gpt-4o").spent())
                .isEqualTo(Money.of("0.0075"));
        assertThat(restarted.status("claude-haiku-4-5").spent()).isEqualTo(live.status("claude-haiku-4-5").spent())
                .isEqualTo(Money.of("0.0015"));
    }

    private ChatModel openAi(String model) {
        return OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), model)
                .apiKey(KEY).pricer(CatalogPricer.of(CATALOG)).environment(Map.of()).build();
    }

    private ChatModel anthropic(String model) {
        return AnthropicChatModel.builder(model).pricer(CatalogPricer.of(CATALOG)).apiKey(KEY)
                .baseUrl(server.url("/").uri()).build();
    }

    @Test
    void givenACachedAnswerOfASnapshot_whenServedAgain_thenTheHitCountsUnderTheCatalogNameToo() {
        server.enqueue(json(GPT_4O_SNAPSHOT_ANSWER));
        ChatModel cached = CachedChatModel.builder("cached", openAi("gpt-4o")).build();
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
