package dev.costwise.redis;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.Money;
import dev.costwise.core.Sleeper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.PrimitiveMetrics;
import dev.costwise.llm.cache.CacheFill;
import dev.costwise.llm.cache.CachedAnswer;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.cache.CachedStreams;
import dev.costwise.llm.cache.ChatCacheKey;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import java.util.Set;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import redis.clients.jedis.params.SetParams;

/**
 * Caches a chat model's answers in Redis, shared by every replica: what one replica paid for, the others serve free.
 *
 * <p>A decorator, like {@link CachedChatModel}, rather than a store plugged into core's {@code ResponseCache}: that
 * cache is Caffeine through and through (single-flight futures, weigher, removal listener) and has no storage SPI, and
 * a shared cache needs different single-flight (a Redis lock instead of an in-process future) and different failure
 * handling (bypass when Redis is down). The conventions are {@link CachedChatModel}'s: the key is
 * {@link ChatCacheKey} within a namespace (default the {@code key} tag, so tenants never share), errors are never
 * cached, an answer a fallback produced is kept only for {@code fallbackTtl} (each fill runs on its own
 * {@link CacheFill scope} of the context, so a fallback taken by another call on the same context does not count), and
 * a hit returns the answer at $0 with {@link PriceStatus#CACHE_HIT} and writes a {@link Outcome#CACHE_HIT} cost record
 * under the catalog model its filling call was recorded under, whose baseline is that call's: the same tokens priced
 * on the pricer's baseline ({@link CachedAnswer#baselineCost()}), so a hit saves at least what the fill saved.
 *
 * <p>Entries are {@code <prefix>:cache:<namespace>:<hash>}, JSON compressed with Deflater, expired by Redis
 * ({@code PX}). A call costs one round trip on a hit: one script reads the entry and, on a miss, takes the key's fill
 * lock ({@code SET NX PX}). The lock holder calls upstream and stores the answer and drops the lock in one more round
 * trip. Replicas that miss the same key while it is locked poll (backoff {@code pollInitial} doubling to
 * {@code pollMax}) for up to {@code lockWait}, then call upstream anyway, so a slow or dead lock holder never blocks
 * them for long. When Redis is unreachable the cache is bypassed (counted in {@link RedisCacheStats#bypasses()}).
 * Streams are stored whole once they end by themselves and replayed as chunks. Thread-safe.
 *
 * <pre>{@code
 * ChatModel shared = RedisChatCache.builder("cached_gpt4o", budgeted, connection)
 *     .ttl(Duration.ofHours(1)).lockWait(Duration.ofSeconds(4)).build();
 * }</pre>
 */
public final class RedisChatCache implements ChatModel {

    /** Returns {1, value} on a hit, {2} when this caller took the fill lock, {3} when another caller holds it. */
    private static final LuaScript LOOKUP_OR_LOCK = LuaScript.of("cache-lookup-or-lock", """
            local v = redis.call('GET', KEYS[1])
            if v then return {1, v} end
            if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
            return {3}
            """);

    private static final LuaScript STORE_AND_UNLOCK = LuaScript.of("cache-store-and-unlock", """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
            return 1
            """);

    private static final LuaScript UNLOCK = LuaScript.of("cache-unlock", """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """);

    private final String name;
    private final ChatModel delegate;
    private final RedisConnection redis;
    private final Function<WorkflowContext, String> namespace;
    private final Duration ttl;
    private final Duration fallbackTtl;
    private final Duration lockTtl;
    private final Duration lockWait;
    private final Duration pollInitial;
    private final Duration pollMax;
    private final Sleeper sleeper;
    private final PrimitiveMetrics metrics;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder bypasses = new LongAdder();
    private final LongAdder waits = new LongAdder();
    private final LongAdder waitTimeouts = new LongAdder();
    private final AtomicReference<Money> saved = new AtomicReference<>(Money.ZERO);

    private RedisChatCache(Builder b) {
        this.name = b.name;
        this.delegate = b.delegate;
        this.redis = b.redis;
        this.namespace = b.namespace;
        this.ttl = b.ttl;
        this.fallbackTtl = b.fallbackTtl;
        this.lockTtl = b.lockTtl;
        this.lockWait = b.lockWait;
        this.pollInitial = b.pollInitial;
        this.pollMax = b.pollMax;
        this.sleeper = b.redis.options().sleeper();
        this.metrics = PrimitiveMetrics.failSafe(b.metrics);
    }

    /**
     * Starts building a shared cache in front of {@code delegate}.
     *
     * @param name names the cache in records and metrics
     * @param delegate the model whose answers are cached
     * @param redis the connection
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(String name, ChatModel delegate, RedisConnection redis) {
        return new Builder(name, delegate, redis);
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the wrapped model's models */
    @Override
    public Set<String> models() {
        return delegate.models();
    }

    @Override
    public String provider() {
        return delegate.provider();
    }

    /** @return the cache's counters */
    public RedisCacheStats stats() {
        return new RedisCacheStats(hits.sum(), misses.sum(), bypasses.sum(), waits.sum(), waitTimeouts.sum(),
                saved.get());
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        if (!redis.isAvailable()) {
            return bypass(request, context);
        }
        String ns = Objects.requireNonNullElse(namespace.apply(context), "");
        String entry = redis.key("cache", ns, ChatCacheKey.of(ns, request));
        Keys keys = new Keys(RedisConnection.bytes(entry), RedisConnection.bytes(entry + ":lock"),
                RedisConnection.bytes(UUID.randomUUID().toString()));
        Lookup first;
        try {
            first = lookupOrLock(keys);
        } catch (RedisUnavailableException e) {
            return bypass(request, context);
        }
        if (first instanceof Lookup.Hit hit) {
            return served(hit.answer(), request, context, false);
        }
        if (first instanceof Lookup.Waiting) {
            Optional<ChatResponse> shared = awaitFill(keys, request, context);
            if (shared.isPresent()) {
                return shared.get();
            }
        }
        return fill(keys, request, context);
    }

    /** Polls until the lock holder stores the answer, this caller gets the lock, or {@code lockWait} runs out. */
    private Optional<ChatResponse> awaitFill(Keys keys, ChatRequest request, WorkflowContext context) {
        waits.increment();
        Duration waited = Duration.ZERO;
        Duration pause = pollInitial;
        while (waited.compareTo(lockWait) < 0) {
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallInterruptedException(name, e);
            }
            waited = waited.plus(pause);
            Lookup next;
            try {
                next = lookupOrLock(keys);
            } catch (RedisUnavailableException e) {
                return Optional.of(bypass(request, context));
            }
            if (next instanceof Lookup.Hit hit) {
                return Optional.of(served(hit.answer(), request, context, true));
            }
            if (next instanceof Lookup.Locked) {
                return Optional.empty(); // the holder gave up; this caller fills
            }
            pause = pause.multipliedBy(2);
            if (pause.compareTo(pollMax) > 0) {
                pause = pollMax;
            }
        }
        waitTimeouts.increment();
        context.record(name, "cache_wait_timeout", Map.of("waited", lockWait));
        return Optional.empty();
    }

    /** Calls upstream and stores the answer; a failure is not cached and frees the lock for the next caller. */
    private ChatResponse fill(Keys keys, ChatRequest request, WorkflowContext context) {
        misses.increment();
        metrics.onCacheMiss(name);
        context.record(name, "cache_miss");
        CacheFill call = CacheFill.start(context);
        ChatResponse response;
        try {
            response = delegate.execute(request, call.context());
        } catch (RuntimeException | Error failure) {
            try {
                redis.evalBinary(UNLOCK, List.of(keys.lock()), List.of(keys.token()));
            } catch (RedisUnavailableException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        CachedAnswer answer = call.answer(response);
        Duration life = answer.fromFallback() ? fallbackTtl : ttl;
        try {
            redis.evalBinary(STORE_AND_UNLOCK, List.of(keys.entry(), keys.lock()),
                    List.of(CachedAnswerCodec.encode(answer), RedisConnection.bytes(Long.toString(life.toMillis())),
                            keys.token()));
        } catch (RedisUnavailableException e) {
            // the answer is served; it is just not shared
        }
        return response;
    }

    private Lookup lookupOrLock(Keys keys) {
        Object reply = redis.evalBinary(LOOKUP_OR_LOCK, List.of(keys.entry(), keys.lock()),
                List.of(keys.token(), RedisConnection.bytes(Long.toString(lockTtl.toMillis()))));
        List<?> parts = (List<?>) reply;
        long kind = (Long) parts.get(0);
        if (kind == 1) {
            Optional<CachedAnswer> answer = CachedAnswerCodec.decode((byte[]) parts.get(1));
            // an unreadable entry (another format version) is refilled by whoever takes the lock
            return answer.<Lookup>map(Lookup.Hit::new).orElse(new Lookup.Waiting());
        }
        return kind == 2 ? new Lookup.Locked() : new Lookup.Waiting();
    }

    private ChatResponse bypass(ChatRequest request, WorkflowContext context) {
        recordBypass(context);
        return delegate.execute(request, context);
    }

    private void recordBypass(WorkflowContext context) {
        bypasses.increment();
        metrics.onCacheMiss(name);
        metrics.onRejected(name, "redis_unavailable");
        context.record(name, "cache_bypass", Map.of("reason", "redis unavailable"));
    }

    /** The cached answer as this caller receives it: free, and recorded as a hit with what it saved. */
    private ChatResponse served(CachedAnswer answer, ChatRequest request, WorkflowContext context, boolean shared) {
        hits.increment();
        ChatResponse original = answer.response();
        saved.accumulateAndGet(original.cost(), Money::plus);
        metrics.onCacheHit(name, original.cost());
        context.record(name, "cache_hit", Map.of("shared", shared, "saved", original.cost()));
        return answer.servedTo(name, request, context);
    }

    /**
     * Replays a cached answer as chunks, or streams from upstream and stores the answer once the stream ends by
     * itself (an aborted stream is not stored). Streams take no fill lock: concurrent identical stream misses each
     * call upstream, as in {@link CachedChatModel}.
     */
    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        if (!redis.isAvailable()) {
            recordBypass(context);
            return delegate.stream(request, context);
        }
        String ns = Objects.requireNonNullElse(namespace.apply(context), "");
        byte[] entry = RedisConnection.bytes(redis.key("cache", ns, ChatCacheKey.of(ns, request)));
        Optional<CachedAnswer> hit;
        try {
            byte[] stored = redis.call(c -> c.get(entry));
            hit = stored == null ? Optional.empty() : CachedAnswerCodec.decode(stored);
        } catch (RedisUnavailableException e) {
            recordBypass(context);
            return delegate.stream(request, context);
        }
        if (hit.isPresent()) {
            return CachedStreams.replay(served(hit.get(), request, context, false));
        }
        misses.increment();
        metrics.onCacheMiss(name);
        context.record(name, "cache_miss");
        CacheFill call = CacheFill.start(context);
        return CachedStreams.storingOnCompletion(delegate.stream(request, call.context()), response -> {
            CachedAnswer answer = call.answer(response);
            long life = (answer.fromFallback() ? fallbackTtl : ttl).toMillis();
            try {
                redis.call(c -> c.set(entry, CachedAnswerCodec.encode(answer), SetParams.setParams().px(life)));
            } catch (RedisUnavailableException e) {
                // served, just not shared
            }
        });
    }

    private record Keys(byte[] entry, byte[] lock, byte[] token) {}

    private sealed interface Lookup {
        record Hit(CachedAnswer answer) implements Lookup {}

        record Locked() implements Lookup {}

        record Waiting() implements Lookup {}
    }

    /** Builds a {@link RedisChatCache}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final ChatModel delegate;
        private final RedisConnection redis;
        private Function<WorkflowContext, String> namespace = ctx -> ctx.tag(CachedChatModel.KEY_TAG).orElse("");
        private Duration ttl = Duration.ofHours(1);
        private Duration fallbackTtl = Duration.ofMinutes(5);
        private Duration lockTtl = Duration.ofSeconds(10);
        private Duration lockWait = Duration.ofSeconds(4);
        private Duration pollInitial = Duration.ofMillis(10);
        private Duration pollMax = Duration.ofMillis(200);
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder(String name, ChatModel delegate, RedisConnection redis) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name cannot be blank");
            }
            this.name = name;
            this.delegate = Objects.requireNonNull(delegate, "delegate");
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /** @param value how long an answer is kept, positive; default one hour; @return this builder */
        public Builder ttl(Duration value) {
            this.ttl = positive("ttl", value);
            return this;
        }

        /** @param value how long a fallback's answer is kept, positive; default five minutes; @return this builder */
        public Builder fallbackTtl(Duration value) {
            this.fallbackTtl = positive("fallbackTtl", value);
            return this;
        }

        /**
         * How long a fill lock lives if its holder never stores or releases it (it crashed). Default 10 s; make it
         * longer than the slowest upstream call.
         *
         * @param value positive
         * @return this builder
         */
        public Builder lockTtl(Duration value) {
            this.lockTtl = positive("lockTtl", value);
            return this;
        }

        /**
         * How long a caller that missed a locked key waits for the holder's answer before calling upstream itself.
         * Default 4 s (about twice a typical completion).
         *
         * @param value positive
         * @return this builder
         */
        public Builder lockWait(Duration value) {
            this.lockWait = positive("lockWait", value);
            return this;
        }

        /**
         * The first and the longest pause between polls while waiting. Default 10 ms doubling up to 200 ms.
         *
         * @param initial positive
         * @param max at least {@code initial}
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is shorter than {@code initial}
         */
        public Builder poll(Duration initial, Duration max) {
            positive("pollInitial", initial);
            positive("pollMax", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("pollMax (" + max + ") cannot be shorter than pollInitial ("
                        + initial + ")");
            }
            this.pollInitial = initial;
            this.pollMax = max;
            return this;
        }

        /**
         * Who may share an entry. Default: the context's {@code key} tag (per virtual key); return an empty string to
         * share globally.
         *
         * @param value a function of the request's context
         * @return this builder
         */
        public Builder namespace(Function<WorkflowContext, String> value) {
            this.namespace = Objects.requireNonNull(value, "namespace");
            return this;
        }

        /**
         * Where hits (with the money saved), misses and bypasses are reported; a bypass counts as a miss and as a
         * rejection with reason {@code redis_unavailable}. Default: nowhere.
         *
         * @param value the metrics listener
         * @return this builder
         */
        public Builder metrics(PrimitiveMetrics value) {
            this.metrics = Objects.requireNonNull(value, "metrics");
            return this;
        }

        /** @return the cache */
        public RedisChatCache build() {
            return new RedisChatCache(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }
    }
}
