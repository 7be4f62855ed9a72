package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.resilience.FallbackChatModel;
import dev.costwise.llm.spi.BudgetStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A budget store is a plug-in (a database behind it) and may fail part way through a call that holds several budgets:
 * what it already granted is given back, so the budgets are not held for nothing until their window ends.
 */
class BudgetStoreFailureTest {
    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));

    /** The in-memory store, whose database goes down on the {@code failingReserve}-th reservation. */
    private static final class FailingStore implements BudgetStore {
        private final InMemoryBudgetStore store = new InMemoryBudgetStore();
        private final AtomicInteger reserves = new AtomicInteger();
        private final int failingReserve;

        FailingStore(int failingReserve) {
            this.failingReserve = failingReserve;
        }

        @Override
        public Optional<Grant> reserve(List<Claim> claims, Money minimum, Money maximum) {
            if (reserves.incrementAndGet() == failingReserve) {
                throw new IllegalStateException("budget database is down");
            }
            return store.reserve(claims, minimum, maximum);
        }

        @Override
        public void settle(Grant grant, Money actual) {
            store.settle(grant, actual);
        }

        @Override
        public Grant release(Grant grant, Money amount) {
            return store.release(grant, amount);
        }

        @Override
        public BucketState state(Bucket bucket) {
            return store.state(bucket);
        }

        @Override
        public void restore(Bucket bucket, Money spent) {
            store.restore(bucket, spent);
        }
    }

    private ChatModel adapter(String model) {
        return OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), model)
                .apiKey(ApiKey.of("sk-test")).pricer(CatalogPricer.of(CATALOG)).environment(Map.of()).build();
    }

    @Test
    void givenAStoreThatFailsOnTheSecondBudgetsReservation_whenCalled_thenTheFirstBudgetIsNotLeftHeld() {
        Budgets budgets = Budgets.builder().clock(clock).store(new FailingStore(2))
                .add(Budget.builder("global").limit(Money.of("10")).build())
                .add(Budget.builder("mini").scope(BudgetScope.model("gpt-4o-mini")).limit(Money.of("1")).build())
                .build();
        BudgetGuard guard = BudgetGuard.builder(budgets, CATALOG, JtokkitTokenEstimator.of(CATALOG)).build();
        // may bill gpt-4o-mini or gpt-4o: the global budget holds gpt-4o's worst case, mini's budget mini's
        ChatModel model = BudgetedChatModel.of(FallbackChatModel.builder("llm")
                .primary("gpt-4o-mini", adapter("gpt-4o-mini")).fallback("gpt-4o", adapter("gpt-4o")).build(), guard);
        ChatRequest request = ChatRequest.builder("gpt-4o-mini").addMessage(Message.user("hello")).maxTokens(1000)
                .build();

        assertThatThrownBy(() -> model.execute(request, WorkflowContext.builder("t").clock(clock).build()))
                .isInstanceOf(IllegalStateException.class).hasMessage("budget database is down");

        assertThat(budgets.status("global").reserved()).isEqualTo(Money.ZERO);
        assertThat(budgets.status("mini").reserved()).isEqualTo(Money.ZERO);
        assertThat(server.getRequestCount()).isZero();
    }
}
