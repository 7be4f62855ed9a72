package dev.costwise.redis;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetGuard;
import dev.costwise.llm.budget.BudgetedChatModel;
import dev.costwise.llm.budget.Budgets;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.sim.SimulatedChatModel;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * A bounded measurement (not a unit test) of the latency the Redis-backed request path adds to the local one:
 * {@code cache(budget(sim))} with {@link CachedChatModel} + in-memory budgets against {@link RedisChatCache} +
 * {@link RedisBudgetStore}, the simulated upstream answering at once, so the difference is Costwise's own overhead.
 * One caller thread; a hit repeats one request; a miss sends a new request each time (cache miss, reservation,
 * settlement, store). Prints p50/p90/p99 in microseconds and the round trips per request.
 *
 * <p>Run: see the "Redis" section of {@code docs/benchmarks.md}. Args: {@code [redisUrl] [iterations]}.
 */
public final class RedisLatencyMeasurement {

    private RedisLatencyMeasurement() {}

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : SharedRedis.URL;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        String prefix = SharedRedis.randomPrefix();
        try (RedisSharedState redis = RedisSharedState.connect(RedisOptions.builder().url(url).keyPrefix(prefix)
                .build())) {
            ChatModel local = CachedChatModel.builder("local", budgeted(Budgets.builder())).maximumSize(100_000)
                    .namespace(ctx -> "").build();
            ChatModel shared = redis.chatCache("shared", budgeted(Budgets.builder().store(redis.budgetStore())))
                    .namespace(ctx -> "").build();
            RedisConnection connection = redis.connection();

            report("local  hit ", measure(local, i -> question("hit"), iterations, connection));
            report("redis  hit ", measure(shared, i -> question("hit"), iterations, connection));
            report("local  miss", measure(local, i -> question("local miss " + i), iterations, connection));
            report("redis  miss", measure(shared, i -> question("redis miss " + i), iterations, connection));
        } finally {
            SharedRedis.deleteAll(url, prefix);
        }
    }

    private static ChatModel budgeted(Budgets.Builder budgets) {
        Budgets b = budgets.add(Budget.daily("daily", Money.of("1000000"), ZoneOffset.UTC)).build();
        BudgetGuard guard = BudgetGuard.builder(b, Replica.CATALOG, JtokkitTokenEstimator.of(Replica.CATALOG)).build();
        return BudgetedChatModel.of(SimulatedChatModel.of(Replica.CATALOG, Replica.MODEL), guard);
    }

    private static ChatRequest question(String text) {
        return Replica.question(text);
    }

    /** Sorted latencies in microseconds, and Redis round trips per measured request. */
    private record Result(double[] sorted, double roundTrips) {}

    /** Warms up with as many calls as it measures, then measures. */
    private static Result measure(ChatModel model, IntFunction<ChatRequest> requests, int iterations,
            RedisConnection connection) {
        for (int i = 0; i < iterations; i++) {
            model.execute(requests.apply(-1 - i), WorkflowContext.of("warm-up"));
        }
        double[] micros = new double[iterations];
        long before = connection.roundTrips();
        for (int i = 0; i < iterations; i++) {
            ChatRequest request = requests.apply(i);
            WorkflowContext ctx = WorkflowContext.of("measure");
            long start = System.nanoTime();
            model.execute(request, ctx);
            micros[i] = (System.nanoTime() - start) / 1_000.0;
        }
        double roundTrips = (connection.roundTrips() - before) / (double) iterations;
        Arrays.sort(micros);
        return new Result(micros, roundTrips);
    }

    private static void report(String what, Result r) {
        System.out.printf(Locale.ROOT, "%s  p50 %8.1f us  p90 %8.1f us  p99 %8.1f us  round trips/request %.2f%n",
                what, at(r.sorted(), 0.50), at(r.sorted(), 0.90), at(r.sorted(), 0.99), r.roundTrips());
    }

    private static double at(double[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(quantile * sorted.length))];
    }
}
