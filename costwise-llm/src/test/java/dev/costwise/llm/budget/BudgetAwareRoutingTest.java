package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.spi.BudgetStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BudgetAwareRoutingTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final Budgets budgets = Budgets.builder().clock(clock)
            .add(Budget.builder("daily").limit(Money.of("100")).build()).build();
    private final ChatModel premium = TestModels.FakeProvider.of(TestModels.PREMIUM, 10);
    private final ChatModel mid = TestModels.FakeProvider.of(TestModels.MID, 10);
    private final ChatModel free = TestModels.FakeProvider.of(TestModels.FREE, 10);
    private final BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true))
            .build();

    private void spend(String dollars) {
        budgets.store().restore(new BudgetStore.Bucket("daily", budgets.status("daily").windowStart()),
                Money.of(dollars));
    }

    private WorkflowContext ctx() {
        return WorkflowContext.builder("t").clock(clock).build();
    }

    @Test
    void givenUtilization_whenRouted_thenPremiumBelowHalfMidToEightyFreeAbove() {
        BudgetAwareRouter router = BudgetAwareRouter.builder("budget-router", guard)
                .premium(premium).mid(mid).free(free).build();

        spend("49.99");
        assertThat(router.execute(ChatRequest.of("any", "hi"), ctx()).model()).isEqualTo("premium-model");
        spend("50");
        assertThat(router.execute(ChatRequest.of("any", "hi"), ctx()).model()).isEqualTo("mid-model");
        spend("79.99");
        assertThat(router.route(ctx())).isEqualTo(BudgetAwareRouter.MID);
        spend("80");
        WorkflowContext ctx = ctx();
        assertThat(router.execute(ChatRequest.of("any", "hi"), ctx).model()).isEqualTo("free-model");
        assertThat(ctx.records("route")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("route", "free")
                        .containsEntry("utilization", 0.8));
    }

    @Test
    void givenThreeTiers_whenItsModelsAreListed_thenTheyComeInTierOrder() {
        BudgetAwareRouter router = BudgetAwareRouter.builder("budget-router", guard)
                .premium(premium).mid(mid).free(free).build();

        // the order was a hash map's, which changes from one JVM run to the next
        assertThat(router.models()).containsExactly("premium-model", "mid-model", "free-model");
    }

    @Test
    void givenCustomThresholds_whenRouted_thenTheyApplyAndBadOnesAreRefused() {
        BudgetAwareRouter router = BudgetAwareRouter.builder("r", guard).premium(premium).mid(mid).free(free)
                .thresholds(0.3, 0.6).build();
        spend("30");
        assertThat(router.selector().apply(ChatRequest.of("any", "hi"), ctx())).isEqualTo("mid");

        assertThatThrownBy(() -> BudgetAwareRouter.builder("r", guard).thresholds(0.9, 0.5))
                .hasMessageContaining("mid=0.9").hasMessageContaining("free=0.5");
        assertThatThrownBy(() -> BudgetAwareRouter.builder("r", guard).premium(premium).build())
                .hasMessageContaining("mid").hasMessageContaining("free");
    }

    @Test
    void givenAnExhaustedBudget_whenFallbackCalled_thenGoesStraightToFreeAndRecordsBudgetExceeded() {
        CountingModel counted = new CountingModel(premium);
        BudgetAwareFallback fallback = BudgetAwareFallback.of("fb", guard, counted, List.of(mid, free));
        spend("100");
        WorkflowContext ctx = ctx();

        ChatResponse response = fallback.execute(ChatRequest.of("any", "hi"), ctx);

        assertThat(response.model()).isEqualTo("free-model");
        assertThat(counted.calls).isZero();
        assertThat(ctx.metadata()).containsEntry("budget_exceeded", true);
        assertThat(ctx.records("budget_exceeded")).hasSize(1);
    }

    @Test
    void givenABudgetedPrimaryThatRefuses_whenFallbackCalled_thenSkipsTheMidTierToTheFreeModel() {
        Budgets tight = Budgets.builder().clock(clock)
                .add(Budget.builder("premium-cap").scope(BudgetScope.model("premium-model")).limit(Money.ZERO).build())
                .build();
        BudgetGuard guard = BudgetGuard.builder(tight, TestModels.CATALOG, TestModels.estimator(true)).build();
        CountingModel countedMid = new CountingModel(mid);
        BudgetAwareFallback fallback = BudgetAwareFallback.of("fb", guard, BudgetedChatModel.of(premium, guard),
                List.of(countedMid, free));
        WorkflowContext ctx = ctx();

        assertThat(fallback.execute(ChatRequest.of("premium-model", "hi"), ctx).model()).isEqualTo("free-model");
        assertThat(countedMid.calls).isZero();
        assertThat(ctx.metadata()).containsEntry("budget_exceeded", true);
    }

    @Test
    void givenAPrimaryOutage_whenFallbackCalled_thenTheNextModelAnswersAndACallersMistakeIsNotRetried() {
        BudgetAwareFallback fallback = BudgetAwareFallback.of("fb", guard,
                new ThrowingModel(premium, new ProviderException.ServerError(
                        ProviderException.Details.of("openai", "premium-model", 503), "down")), List.of(mid, free));
        WorkflowContext ctx = ctx();

        assertThat(fallback.execute(ChatRequest.of("any", "hi"), ctx).model()).isEqualTo("mid-model");
        assertThat(ctx.records("fallback")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("reason", "server_error"));

        CountingModel countedMid = new CountingModel(mid);
        BudgetAwareFallback strict = BudgetAwareFallback.of("fb", guard,
                new ThrowingModel(premium, new ProviderException.InvalidRequest(
                        ProviderException.Details.of("openai", "premium-model", 400), "bad")), List.of(countedMid, free));
        assertThatThrownBy(() -> strict.execute(ChatRequest.of("any", "hi"), ctx()))
                .isInstanceOf(ProviderException.InvalidRequest.class);
        assertThat(countedMid.calls).isZero();
    }

    @Test
    void givenBudgetMetricsBound_whenScraped_thenGaugesShowTheCurrentWindow() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        new BudgetMetrics(budgets).bindTo(registry);
        spend("25");

        assertThat(registry.get("costwise.budget.utilization").tag("budget", "daily").gauge().value())
                .isEqualTo(0.25);
        assertThat(registry.get("costwise.budget.spent").tag("scope", "global").gauge().value()).isEqualTo(25.0);
        clock.advance(java.time.Duration.ofDays(1));
        assertThat(registry.get("costwise.budget.spent").gauge().value()).isZero();
    }

    /** Counts calls. */
    static final class CountingModel implements ChatModel {
        final ChatModel inner;
        volatile int calls;

        CountingModel(ChatModel inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public String provider() {
            return inner.provider();
        }

        @Override
        public synchronized ChatResponse execute(ChatRequest request, WorkflowContext context) {
            calls++;
            return inner.execute(request, context);
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            calls++;
            return inner.stream(request, context);
        }
    }

    /** Always fails with the given provider error. */
    record ThrowingModel(ChatModel inner, ProviderException error) implements ChatModel {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public String provider() {
            return inner.provider();
        }

        @Override
        public ChatResponse execute(ChatRequest request, WorkflowContext context) {
            throw error;
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            throw error;
        }
    }
}
