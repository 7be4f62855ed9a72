package dev.costwise.redis;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Money;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.PrimitiveMetrics;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.CircuitOpenException;
import dev.costwise.core.recovery.CircuitState;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import redis.clients.jedis.params.SetParams;

/**
 * Shares circuit-breaker openings across replicas: when one replica's {@link CircuitBreaker} opens, the others stop
 * calling that provider too, instead of each paying its own run of failures to find out.
 *
 * <p>Core's breaker keeps its state in memory; this class adds a signal beside it rather than replacing it. The
 * breaker's metrics are wrapped with {@link #publishing}: a transition to {@code OPEN} writes
 * {@code <prefix>:breaker:<name>} with an expiry of the breaker's open wait (one round trip, only at the transition),
 * a transition to {@code CLOSED} deletes it. {@link #guard} puts a check in front of a model on every replica: while
 * the key exists, calls are refused with {@link CircuitOpenException} (state {@code OPEN}) without reaching the
 * model, so a {@code Fallback} moves on as it does for a local open breaker. The guard reads the key at most once per
 * {@code refresh} per breaker name (default 250 ms), so it adds no round trip to an ordinary request. When Redis is
 * unreachable the guard lets calls through and each replica's own breaker protects it. Thread-safe.
 *
 * <pre>{@code
 * RedisCircuitSignal signal = RedisCircuitSignal.on(connection, Duration.ofMillis(250), Ticker.systemTicker());
 * Duration wait = Duration.ofSeconds(30);
 * CircuitBreaker breaker = CircuitBreaker.of("openai", CircuitBreakerConfig.builder()
 *     .waitDurationInOpenState(wait).metrics(signal.publishing(metrics, wait)).build());
 * ChatModel guarded = signal.guard("openai", model);   // then wrap with the breaker as usual
 * }</pre>
 */
public final class RedisCircuitSignal {

    private final RedisConnection redis;
    private final long refreshNanos;
    private final Ticker ticker;
    private final ConcurrentMap<String, View> views = new ConcurrentHashMap<>();

    private RedisCircuitSignal(RedisConnection redis, Duration refresh, Ticker ticker) {
        this.redis = redis;
        this.refreshNanos = refresh.toNanos();
        this.ticker = ticker;
    }

    /**
     * A signal on {@code redis}.
     *
     * @param redis the connection
     * @param refresh how long a replica trusts its last read of a breaker's key; positive
     * @param ticker nano time source
     * @return the signal
     * @throws IllegalArgumentException if {@code refresh} is zero or negative
     */
    public static RedisCircuitSignal on(RedisConnection redis, Duration refresh, Ticker ticker) {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(refresh, "refresh");
        Objects.requireNonNull(ticker, "ticker");
        if (refresh.isZero() || refresh.isNegative()) {
            throw new IllegalArgumentException("refresh must be positive, was " + refresh);
        }
        return new RedisCircuitSignal(redis, refresh, ticker);
    }

    /**
     * Metrics for a breaker that also publish its openings and closings; everything is forwarded to {@code next}.
     *
     * @param next the metrics the breaker would otherwise get
     * @param openFor how long an opening is shared: the breaker's {@code waitDurationInOpenState}
     * @return the metrics to give the breaker's config
     */
    public PrimitiveMetrics publishing(PrimitiveMetrics next, Duration openFor) {
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(openFor, "openFor");
        return new Publishing(next, Math.max(1, openFor.toMillis()));
    }

    /**
     * Whether some replica has published an open breaker of this name, as last read (at most {@code refresh} ago).
     *
     * @param name the breaker's name
     * @return {@code true} while the shared opening lasts; {@code false} when Redis is unreachable
     */
    public boolean isOpen(String name) {
        long now = ticker.read();
        View v = views.get(name);
        if (v != null && now - v.readAt() < refreshNanos) {
            return now < v.openUntil();
        }
        long pttl;
        try {
            pttl = redis.call(c -> c.pttl(key(name)));
        } catch (RedisUnavailableException e) {
            pttl = -2;
        }
        long openUntil = pttl > 0 ? now + pttl * 1_000_000L : now;
        views.put(name, new View(now, openUntil));
        return now < openUntil;
    }

    /**
     * A model that refuses calls while a breaker of this name is open on any replica.
     *
     * @param breaker the breaker's name, shared by every replica
     * @param model the model to guard
     * @return the guarded model
     */
    public ChatModel guard(String breaker, ChatModel model) {
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(model, "model");
        return new ChatModel() {
            @Override
            public String name() {
                return model.name();
            }

            @Override
            public String provider() {
                return model.provider();
            }

            @Override
            public ChatResponse execute(ChatRequest request, WorkflowContext context) {
                refuseIfOpen(breaker, context);
                return model.execute(request, context);
            }

            @Override
            public ChatStream stream(ChatRequest request, WorkflowContext context) {
                refuseIfOpen(breaker, context);
                return model.stream(request, context);
            }
        };
    }

    /**
     * A primitive that refuses calls while a breaker of this name is open on any replica.
     *
     * @param breaker the breaker's name
     * @param delegate the call to guard
     * @param <I> input type
     * @param <O> output type
     * @return the guarded primitive
     */
    public <I, O> Primitive<I, O> guard(String breaker, Primitive<I, O> delegate) {
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(delegate, "delegate");
        return (input, context) -> {
            refuseIfOpen(breaker, context);
            return delegate.execute(input, context);
        };
    }

    private void refuseIfOpen(String breaker, WorkflowContext context) {
        if (isOpen(breaker)) {
            context.record(breaker, "circuit_open_shared", Map.of("state", CircuitState.OPEN.name()));
            throw new CircuitOpenException(breaker, CircuitState.OPEN);
        }
    }

    private String key(String name) {
        return redis.key("breaker", name);
    }

    private void published(String name, String to, long openForMillis) {
        try {
            if (CircuitState.OPEN.name().equals(to)) {
                redis.call(c -> c.set(key(name), "open", SetParams.setParams().px(openForMillis)));
            } else if (CircuitState.CLOSED.name().equals(to)) {
                redis.call(c -> c.del(key(name)));
            }
            views.remove(name);
        } catch (RedisUnavailableException e) {
            // each replica's own breaker still protects it
        }
    }

    private record View(long readAt, long openUntil) {}

    /** Forwards every event and publishes breaker transitions. */
    private final class Publishing implements PrimitiveMetrics {
        private final PrimitiveMetrics next;
        private final long openForMillis;

        Publishing(PrimitiveMetrics next, long openForMillis) {
            this.next = next;
            this.openForMillis = openForMillis;
        }

        @Override
        public void onStateTransition(String primitive, String from, String to) {
            published(primitive, to, openForMillis);
            next.onStateTransition(primitive, from, to);
        }

        @Override
        public void onCall(String primitive, String type, long nanos, boolean success) {
            next.onCall(primitive, type, nanos, success);
        }

        @Override
        public void onCacheHit(String primitive, Money saved) {
            next.onCacheHit(primitive, saved);
        }

        @Override
        public void onCacheMiss(String primitive) {
            next.onCacheMiss(primitive);
        }

        @Override
        public void onCacheRemoval(String primitive, boolean expired) {
            next.onCacheRemoval(primitive, expired);
        }

        @Override
        public void onRoute(String primitive, String route) {
            next.onRoute(primitive, route);
        }

        @Override
        public void onFallback(String primitive, String target, String outcome, String reason) {
            next.onFallback(primitive, target, outcome, reason);
        }

        @Override
        public void onRetry(String primitive, int attempt, String reason) {
            next.onRetry(primitive, attempt, reason);
        }

        @Override
        public void onRejected(String primitive, String reason) {
            next.onRejected(primitive, reason);
        }
    }
}
