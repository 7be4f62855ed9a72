package dev.costwise.redis;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.spi.BudgetStore;
import java.time.Duration;
import java.util.Objects;

/**
 * The one place a gateway turns Redis on: a connection and the shared pieces built on it.
 *
 * <pre>{@code
 * // gateway YAML:  redis: { url: redis://redis:6379, local-share: 0.25 }
 * RedisSharedState redis = RedisSharedState.connect(RedisOptions.builder()
 *     .url(config.redis().url()).localShare(0.25)
 *     .listener(RedisHealthListener.alerting(alertSink, clock)).build());
 * Budgets budgets = Budgets.builder().store(redis.budgetStore()).add(...).build();
 * redis.budgetStore().rebuildOnDataLoss(() -> budgets.rebuildFrom(ledger));
 * budgets.rebuildFrom(ledger);                       // fills only the counters Redis lacks
 * ChatModel model = redis.chatCache("cache", BudgetedChatModel.of(provider, guard)).build();
 * RedisRateLimiter limits = redis.rateLimiter().modelLimits("gemini-2.5-pro", rpm5).build();
 * ...
 * redis.close();                                     // on shutdown
 * }</pre>
 *
 * <p>Put the cache outside the budget ({@code cache(budget(model))}), so a hit costs one Redis round trip and no
 * reservation. Connecting never fails because Redis is down: everything starts on local state and the probe brings
 * sharing in when Redis answers. Thread-safe.
 */
public final class RedisSharedState implements AutoCloseable {

    private final RedisConnection connection;
    private final RedisBudgetStore budgetStore;

    private RedisSharedState(RedisConnection connection) {
        this.connection = connection;
        this.budgetStore = RedisBudgetStore.on(connection);
    }

    /**
     * Opens the connection pool and the budget store.
     *
     * @param options where Redis is and how to degrade
     * @return the shared state
     */
    public static RedisSharedState connect(RedisOptions options) {
        return new RedisSharedState(RedisConnection.open(Objects.requireNonNull(options, "options")));
    }

    /**
     * Connects with the defaults and {@code url}: what the gateway's {@code redis: url:} setting needs.
     *
     * @param url {@code redis://[user:password@]host:port[/db]}
     * @return the shared state
     * @throws IllegalArgumentException if {@code url} is not a redis URL
     */
    public static RedisSharedState connect(String url) {
        return connect(RedisOptions.builder().url(url).build());
    }

    /**
     * A signal that shares circuit-breaker openings across replicas.
     *
     * @param refresh how long a replica trusts its last read of a breaker (e.g. 250 ms)
     * @return the signal
     */
    public RedisCircuitSignal circuitSignal(Duration refresh) {
        return RedisCircuitSignal.on(connection, refresh, Ticker.systemTicker());
    }

    /** @return the connection: health, round-trip count */
    public RedisConnection connection() {
        return connection;
    }

    /** @return the budget store to give {@code Budgets.builder().store(...)}; one per connection */
    public RedisBudgetStore budgetStore() {
        return budgetStore;
    }

    /** @return the budget store as the SPI type */
    public BudgetStore budgetStoreSpi() {
        return budgetStore;
    }

    /**
     * Starts building a shared response cache in front of {@code delegate}.
     *
     * @param name the cache's name in records and metrics
     * @param delegate the model whose answers are cached
     * @return the cache builder
     */
    public RedisChatCache.Builder chatCache(String name, ChatModel delegate) {
        return RedisChatCache.builder(name, delegate, connection);
    }

    /**
     * @param kind the kind of document, part of each key (such as {@code response})
     * @return documents every replica can read for a while
     */
    public RedisDocuments documents(String kind) {
        return RedisDocuments.on(connection, kind);
    }

    /** @return a builder of shared rate limits */
    public RedisRateLimiter.Builder rateLimiter() {
        return RedisRateLimiter.builder(connection);
    }

    /** Closes the connection pool and stops the health probe. */
    @Override
    public void close() {
        connection.close();
    }
}
