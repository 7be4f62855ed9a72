package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.spi.BudgetStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The model an exhausted budget sends calls to must cost $0: the builders refuse a model the catalog prices above $0,
 * and its calls go through the guard, so even a catalog that prices it later cannot take spend past a hard limit.
 */
class FreeModelTest {

    /** A model the catalog first lists at $0, and later at what it bills. */
    private static final ModelInfo PAID_LATER = TestModels.model("local-model", "ollama", Optional.of(Pricing.FREE),
            4096, Optional.empty());
    private static final ModelInfo PAID = TestModels.model("local-model", "ollama",
            Optional.of(Pricing.of("2.00", "8.00")), 4096, Optional.empty());

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    /** The catalog the guard reads; a test swaps in new prices, as a refreshed catalog would. */
    private final AtomicReference<ModelCatalog> catalog = new AtomicReference<>(TestModels.catalog(
            List.of(TestModels.PREMIUM, TestModels.MID, TestModels.FREE, PAID_LATER)));
    private final ModelCatalog live = new ModelCatalog() {
        @Override
        public Optional<ModelInfo> find(String nameOrAlias) {
            return catalog.get().find(nameOrAlias);
        }

        @Override
        public ModelInfo require(String nameOrAlias) {
            return catalog.get().require(nameOrAlias);
        }

        @Override
        public List<ModelInfo> all() {
            return catalog.get().all();
        }
    };
    private final Budgets budgets = Budgets.builder().clock(clock).add(Budget.builder("daily")
            .limit(Money.of("0.05")).onExhausted(Budget.Action.DOWNGRADE).build()).build();
    private final BudgetGuard guard = BudgetGuard.builder(budgets, live, TestModels.estimator(true)).build();
    private final ChatModel premium = TestModels.FakeProvider.of(TestModels.PREMIUM, 500);

    private WorkflowContext ctx() {
        return WorkflowContext.builder("t").clock(clock).build();
    }

    private static ChatRequest request() {
        return ChatRequest.builder("premium-model").addMessage(Message.user("q".repeat(40))).maxTokens(500).build();
    }

    @Test
    void givenAPaidOrUnknownDowngradeModel_whenBuilt_thenRefusedNamingTheModelAndItsPrice() {
        assertThatThrownBy(() -> BudgetedChatModel.of(premium, guard, TestModels.FakeProvider.of(TestModels.MID, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("freeModel 'mid-model' must cost $0, as calls go to it once a budget is exhausted, but it"
                        + " costs $0.15 input and $0.60 output per million tokens");
        ModelInfo unknown = TestModels.model("not-in-catalog", "ollama", Optional.of(Pricing.FREE), 1,
                Optional.empty());
        assertThatThrownBy(() -> BudgetedChatModel.of(premium, guard, TestModels.FakeProvider.of(unknown, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("freeModel 'not-in-catalog' is not in the budget guard's catalog");
        assertThatThrownBy(() -> BudgetAwareFallback.of("fb", guard, premium,
                List.of(TestModels.FakeProvider.of(TestModels.FREE, 1), TestModels.FakeProvider.of(TestModels.MID, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the last fallback of 'fb' 'mid-model' must cost $0")
                .hasMessageContaining("$0.60 output");
        assertThatThrownBy(() -> BudgetAwareRouter.builder("router", guard)
                .free(TestModels.FakeProvider.of(TestModels.MID, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the free model of 'router' 'mid-model' must cost $0, as calls go to it once a budget is"
                        + " exhausted, but it costs $0.15 input and $0.60 output per million tokens");
    }

    @Test
    void givenADowngradeModelTheCatalogPricesLater_whenTheBudgetIsExhausted_thenItsCallsAreRefusedAtTheLimit() {
        BudgetedChatModel model = BudgetedChatModel.of(premium, guard, TestModels.FakeProvider.of(PAID, 500));
        catalog.set(pricedLater());
        Money paid = Money.ZERO;
        int refused = 0;

        for (int i = 0; i < 40; i++) {
            WorkflowContext ctx = ctx();
            try {
                model.execute(request(), ctx);
            } catch (BudgetExceededException e) {
                refused++;
                assertThat(e.budget()).isEqualTo("daily");
            }
            paid = paid.plus(CostRecords.total(ctx));
        }

        // 10 calls fit under $0.05, the other 30 are refused: the limit is used, not refused from the start
        assertThat(refused).isEqualTo(30);
        assertThat(paid).isEqualTo(Money.of("0.049245")).isEqualTo(budgets.status("daily").spent());
        assertThat(paid.compareTo(Money.of("0.05"))).isLessThanOrEqualTo(0);
    }

    @Test
    void givenALastFallbackTheCatalogPricesLater_whenTheBudgetIsExhausted_thenItsCallIsRefused() {
        BudgetAwareFallback fallback = BudgetAwareFallback.of("fb", guard, BudgetedChatModel.of(premium, guard),
                List.of(TestModels.FakeProvider.of(PAID, 500)));
        budgets.store().restore(new BudgetStore.Bucket("daily", budgets.status("daily").windowStart()),
                Money.of("0.05"));
        WorkflowContext free = ctx();
        // "free": passes, holding nothing, and is charged what it billed all the same (its record's cost)
        assertThat(fallback.execute(request(), free).model()).isEqualTo("local-model");
        Money billedWhileFree = CostRecords.total(free);

        catalog.set(pricedLater());
        WorkflowContext ctx = ctx();

        assertThatThrownBy(() -> fallback.execute(request(), ctx)).isInstanceOf(BudgetExceededException.class)
                .hasMessageContaining("daily");
        assertThat(CostRecords.total(ctx)).isEqualTo(Money.ZERO);
        assertThat(budgets.status("daily").spent()).isEqualTo(Money.of("0.05").plus(billedWhileFree));
    }

    @Test
    void givenARouterFreeModelTheCatalogPricesLater_whenRoutedToIt_thenItsCallsAreHeldToTheLimit() {
        BudgetAwareRouter router = BudgetAwareRouter.builder("router", guard).premium(premium)
                .mid(BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.MID, 500), guard))
                .free(TestModels.FakeProvider.of(PAID, 500)).build();
        budgets.store().restore(new BudgetStore.Bucket("daily", budgets.status("daily").windowStart()),
                Money.of("0.04"));
        WorkflowContext free = ctx();
        // "free": passes, holding nothing, and is charged what it billed all the same (its record's cost)
        assertThat(router.execute(request(), free).model()).isEqualTo("local-model");
        catalog.set(pricedLater());
        Money paid = CostRecords.total(free);
        int refused = 0;

        for (int i = 0; i < 10; i++) { // $0.00402 each at the later price: one fits in the $0.00598 left
            WorkflowContext ctx = ctx();
            try {
                assertThat(router.execute(request(), ctx).model()).isEqualTo("local-model");
            } catch (BudgetExceededException e) {
                refused++;
            }
            paid = paid.plus(CostRecords.total(ctx));
        }

        assertThat(refused).isEqualTo(9);
        assertThat(Money.of("0.04").plus(paid)).isEqualTo(budgets.status("daily").spent());
        assertThat(budgets.status("daily").spent().compareTo(Money.of("0.05"))).isLessThanOrEqualTo(0);
    }

    /** The catalog once {@code local-model} has a price. */
    private static ModelCatalog pricedLater() {
        return TestModels.catalog(List.of(TestModels.PREMIUM, PAID));
    }
}
