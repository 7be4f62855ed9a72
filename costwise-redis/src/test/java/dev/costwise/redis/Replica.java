package dev.costwise.redis;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetGuard;
import dev.costwise.llm.budget.BudgetedChatModel;
import dev.costwise.llm.budget.Budgets;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.sim.SimulatedChatModel;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * One gateway replica as the lead will wire it: its own connection pool, budgets on the Redis store, and
 * {@code RedisChatCache(BudgetedChatModel(Counting(SimulatedChatModel)))}. Every replica of a test shares the key
 * prefix, so they share state.
 */
final class Replica implements AutoCloseable {

    static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    static final String MODEL = "gpt-4o";

    final RedisSharedState redis;
    final Budgets budgets;
    final Counting upstream;
    final RedisChatCache model;

    Replica(RedisOptions options, Money dailyLimit, long seed) {
        this.redis = RedisSharedState.connect(options);
        Clock clock = options.clock();
        this.budgets = Budgets.builder().clock(clock).store(redis.budgetStore())
                .add(Budget.daily("daily", dailyLimit, ZoneOffset.UTC)).build();
        this.upstream = new Counting(SimulatedChatModel.builder(CATALOG, MODEL).seed(seed).build(),
                redis.connection());
        BudgetGuard guard = BudgetGuard.builder(budgets, CATALOG, JtokkitTokenEstimator.of(CATALOG)).build();
        this.model = redis.chatCache("shared", BudgetedChatModel.of(upstream, guard)).namespace(ctx -> "").build();
    }

    static ChatRequest question(String text) {
        return ChatRequest.builder(MODEL).addMessage(Message.user(text)).maxTokens(400).build();
    }

    WorkflowContext context() {
        return WorkflowContext.builder("replica").clock(redis.connection().options().clock()).build();
    }

    @Override
    public void close() {
        redis.close();
    }

    /** Counts the calls that reach the provider, and can note Redis round trips made before each. */
    static final class Counting implements ChatModel {
        final ChatModel delegate;
        final RedisConnection connection;
        final AtomicInteger calls = new AtomicInteger();
        volatile LongConsumer onCall = rt -> {};

        Counting(ChatModel delegate, RedisConnection connection) {
            this.delegate = delegate;
            this.connection = connection;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public String provider() {
            return delegate.provider();
        }

        @Override
        public ChatResponse execute(ChatRequest request, WorkflowContext context) {
            calls.incrementAndGet();
            onCall.accept(connection.roundTrips());
            return delegate.execute(request, context);
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            calls.incrementAndGet();
            return delegate.stream(request, context);
        }
    }
}
