package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.resilience.FallbackChatModel;
import dev.costwise.llm.spi.BudgetStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A deployment the catalog prices free ({@code deepseek/deepseek-r1:free}) whose provider reports charging for a call
 * anyway: OpenRouter's {@code usage.cost} (https://openrouter.ai/docs/use-cases/usage-accounting) is what it billed,
 * so the cost record carries it, and every budget counting the call is charged the same amount. The call still
 * reserves nothing and is never refused: the catalog gave no price to hold. OpenRouter's chat API is faked.
 */
class FreeDeploymentReportedCostTest {
    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private static final String FREE = "deepseek/deepseek-r1:free";
    private static final String OTHER_FREE = "meta-llama/llama-3.3-70b-instruct:free";
    private static final String PAID = "openrouter/openai/gpt-4o-mini";
    /** What OpenRouter reported charging for each answer. */
    private static final Money CHARGED = Money.of("0.00042");

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final Budgets budgets = Budgets.builder().clock(clock)
            .add(Budget.builder("daily").limit(Money.of("1")).build())
            .add(Budget.builder("deepseek-daily").scope(BudgetScope.model(FREE)).limit(Money.of("0.50")).build())
            .build();
    private final BudgetGuard guard = BudgetGuard.builder(budgets, CATALOG, JtokkitTokenEstimator.of(CATALOG))
            .build();
    private final WorkflowContext ctx = WorkflowContext.builder("t").clock(clock).build();

    private ChatModel openRouter(String model) {
        return OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.OPENROUTER.withBaseUrl(server.url("/api/v1").toString()), model)
                .apiKey(ApiKey.of("sk-or-test")).pricer(CatalogPricer.of(CATALOG)).environment(Map.of()).build();
    }

    /** OpenRouter's answer, with the cost it charged in {@code usage.cost}. */
    private static MockResponse answer(String model, Money cost) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"gen-1","provider":"Chutes","model":"%s","object":"chat.completion","created":1772036042,
                 "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hi"}}],
                 "usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42,"cost":%s,"is_byok":false}}
                """.formatted(model, cost.toBigDecimal().toPlainString())).build();
    }

    private static ChatRequest question(String model) {
        return ChatRequest.builder(model).addMessage(Message.user("hi")).maxTokens(100).build();
    }

    @Test
    void givenAFreeDeploymentWhoseProviderReportsACharge_whenCalled_thenEachBudgetCountsWhatTheRecordCarries() {
        server.enqueue(answer(FREE, CHARGED));

        ChatResponse r = BudgetedChatModel.of(openRouter(FREE), guard).execute(question(FREE), ctx);

        assertThat(r.cost()).isEqualTo(CHARGED);
        assertThat(CostRecords.of(ctx)).singleElement().satisfies(c -> {
            assertThat(c.cost()).isEqualTo(CHARGED);
            assertThat(c.priceStatus()).isEqualTo(PriceStatus.PROVIDER_REPORTED);
        });
        assertThat(budgets.status("daily").spent()).isEqualTo(CHARGED);
        assertThat(budgets.status("deepseek-daily").spent()).isEqualTo(CHARGED);
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenABudgetAlreadyPastItsLimit_whenTheFreeDeploymentIsCalled_thenItPassesAndItsChargeIsCounted() {
        budgets.store().restore(new BudgetStore.Bucket("daily", budgets.status("daily").windowStart()),
                Money.of("1.20")); // an earlier call overran
        server.enqueue(answer(FREE, CHARGED));

        ChatResponse r = BudgetedChatModel.of(openRouter(FREE), guard).execute(question(FREE), ctx);

        assertThat(r.text()).isEqualTo("Hi");
        assertThat(budgets.status("daily").spent()).isEqualTo(Money.of("1.20").plus(CHARGED));
    }

    @Test
    void givenAFreeDeploymentThatReportsNoCharge_whenCalled_thenNoBudgetMoves() {
        server.enqueue(answer(FREE, Money.ZERO));

        BudgetedChatModel.of(openRouter(FREE), guard).execute(question(FREE), ctx);

        assertThat(CostRecords.total(ctx)).isEqualTo(Money.ZERO);
        assertThat(budgets.status("daily").spent()).isEqualTo(Money.ZERO);
        assertThat(budgets.status("deepseek-daily").spent()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenAFallbackOfFreeDeployments_whenTheOneWithABudgetOfItsOwnAnswers_thenBothBudgetsCountItsCharge() {
        server.enqueue(answer(FREE, CHARGED));
        ChatModel free = FallbackChatModel.builder("free").primary(FREE, openRouter(FREE))
                .fallback(OTHER_FREE, openRouter(OTHER_FREE)).build();

        BudgetedChatModel.of(free, guard).execute(question(FREE), ctx);

        assertThat(CostRecords.of(ctx)).extracting(CostRecord::cost).containsExactly(CHARGED);
        assertThat(budgets.status("daily").spent()).isEqualTo(CHARGED);
        assertThat(budgets.status("deepseek-daily").spent()).isEqualTo(CHARGED);
    }

    @Test
    void givenAFallbackFromAPaidModelToAFreeDeployment_whenTheFreeOneAnswers_thenItsOwnBudgetCountsItsCharge() {
        server.enqueue(new MockResponse.Builder().code(503).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"overloaded\",\"code\":503}}").build());
        server.enqueue(answer(FREE, CHARGED));
        ChatModel chain = FallbackChatModel.builder("llm").primary(PAID, openRouter(PAID))
                .fallback(FREE, openRouter(FREE)).build();

        BudgetedChatModel.of(chain, guard).execute(question(PAID), ctx);

        assertThat(budgets.status("deepseek-daily").spent()).isEqualTo(CHARGED);
        assertThat(budgets.status("daily").spent()).isEqualTo(CostRecords.total(ctx)).isEqualTo(CHARGED);
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenAFreeDeploymentWhoseProviderReportsACharge_whenSettled_thenNoOverrunIsReportedButSettlesAre() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<String> events = new ArrayList<>();
        BudgetGuard listened = BudgetGuard.builder(budgets, CATALOG, JtokkitTokenEstimator.of(CATALOG))
                .meterRegistry(meters).listener(new BudgetListener() {
                    @Override
                    public void onOverrun(Budget budget, Money reserved, Money actual) {
                        events.add("overrun " + budget.name());
                    }

                    @Override
                    public void onSettled(BudgetStatus status) {
                        events.add("settled " + status.budget().name() + " " + status.spent().format());
                    }
                }).build();
        server.enqueue(answer(FREE, CHARGED));

        BudgetedChatModel.of(openRouter(FREE), listened).execute(question(FREE), ctx);

        // nothing was estimated, so billing something is no overrun of an estimate
        assertThat(events).containsExactlyInAnyOrder("settled daily " + CHARGED.format(),
                "settled deepseek-daily " + CHARGED.format());
        assertThat(meters.find("costwise.budget.overrun").counters()).isEmpty();
    }
}
