package dev.costwise.llm.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.PrimitiveMetrics;
import dev.costwise.core.performance.CacheStats;
import dev.costwise.core.performance.ResponseCache;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import java.util.Set;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Caches a chat model's answers by {@link ChatCacheKey}: the same request is answered once and then served from
 * memory for free.
 *
 * <p>Concurrent identical misses make one upstream call (core's {@link ResponseCache}). Errors are never cached. An
 * answer produced by a fallback (a model other than the one requested answered) is kept only for
 * {@code fallbackTtl}, so the primary gets its chance again soon; the entry says which model produced it. A hit is
 * returned with cost $0 and {@link PriceStatus#CACHE_HIT}, and writes a {@link Outcome#CACHE_HIT} cost record whose
 * baseline is the same tokens priced on the pricer's baseline, as the call that filled the entry was measured (its
 * {@link dev.costwise.llm.cost.CostRecord#baselineCost()}), so a hit saves at least what that call saved and the
 * saving shows in the ledger; {@link #stats()} counts what the call not made would have cost. Streams are cached
 * whole once they end by themselves and replayed as chunks; an aborted stream is not cached (concurrent identical
 * stream misses each call upstream).
 *
 * <p>Entries are namespaced by a function of the context (default: the {@code key} tag, so one tenant's answers never
 * reach another). Thread-safe.
 *
 * <pre>{@code
 * ChatModel cached = CachedChatModel.builder("cached_gpt4o", gpt4o)
 *     .ttl(Duration.ofHours(1)).maximumSize(1000).build();
 * }</pre>
 */
public final class CachedChatModel implements ChatModel {

    /** The context tag that names a virtual key; the default namespace. */
    public static final String KEY_TAG = "key";

    private final String name;
    private final ChatModel delegate;
    private final ResponseCache<ChatRequest, CachedAnswer> cache;
    private final Function<WorkflowContext, String> namespace;

    private CachedChatModel(Builder b) {
        this.name = b.name;
        this.delegate = b.delegate;
        this.namespace = b.namespace;
        Duration fallbackTtl = b.fallbackTtl;
        ResponseCache.Builder<ChatRequest, CachedAnswer> cb = ResponseCache.<ChatRequest, CachedAnswer>builder(b.name)
                .keyFunction((request, ctx) -> keyOf(request, ctx))
                .ttl(b.ttl)
                .ttlFor(answer -> answer.fromFallback() ? Optional.of(fallbackTtl) : Optional.empty())
                .savedOnHit(answer -> answer.response().cost())
                .ticker(b.ticker)
                .metrics(b.metrics);
        if (b.maximumWeightBytes > 0) {
            cb.maximumWeight(b.maximumWeightBytes, CachedChatModel::approximateBytes);
        } else {
            cb.maximumSize(b.maximumSize);
        }
        this.cache = cb.build();
    }

    /**
     * Starts building a cache in front of {@code delegate}.
     *
     * @param name names the cache in records and metrics (the spec's {@code cached_gpt4o})
     * @param delegate the model whose answers are cached
     * @return a builder
     */
    public static Builder builder(String name, ChatModel delegate) {
        return new Builder(name, delegate);
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

    /** @return the cache's counters, including the money its hits saved */
    public CacheStats stats() {
        return cache.stats();
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        AtomicBoolean loaded = new AtomicBoolean();
        CachedAnswer answer = cache.wrap((req, ctx) -> {
            loaded.set(true);
            CacheFill fill = CacheFill.start(ctx);
            return fill.answer(delegate.execute(req, fill.context()));
        }).execute(request, context);
        return loaded.get() ? answer.response() : answer.servedTo(name, request, context);
    }

    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        String key = keyOf(request, context);
        Optional<CachedAnswer> hit = cache.lookup(key, context);
        if (hit.isPresent()) {
            return CachedStreams.replay(hit.get().servedTo(name, request, context));
        }
        CacheFill fill = CacheFill.start(context);
        return CachedStreams.storingOnCompletion(delegate.stream(request, fill.context()),
                response -> cache.put(key, fill.answer(response)));
    }

    private String keyOf(ChatRequest request, WorkflowContext context) {
        return ChatCacheKey.of(Objects.requireNonNullElse(namespace.apply(context), ""), request);
    }

    /** Rough heap size of an entry: the text twice (UTF-16) plus a fixed overhead for the records around it. */
    private static int approximateBytes(CachedAnswer answer) {
        long chars = answer.response().text().length();
        for (var call : answer.response().toolCalls()) {
            chars += call.arguments().length() + call.name().length() + call.id().length();
        }
        return (int) Math.min(Integer.MAX_VALUE, 2 * chars + 512);
    }

    /** Builds a {@link CachedChatModel}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final ChatModel delegate;
        private Duration ttl = Duration.ofHours(1);
        private Duration fallbackTtl = Duration.ofMinutes(5);
        private long maximumSize = 10_000;
        private long maximumWeightBytes;
        private Function<WorkflowContext, String> namespace = ctx -> ctx.tag(KEY_TAG).orElse("");
        private Ticker ticker = Ticker.systemTicker();
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder(String name, ChatModel delegate) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name cannot be blank");
            }
            this.name = name;
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /**
         * How long an answer is kept. Default: one hour.
         *
         * @param value a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is zero or negative
         */
        public Builder ttl(Duration value) {
            this.ttl = positive("ttl", value);
            return this;
        }

        /**
         * How long an answer a fallback produced is kept. Default: five minutes.
         *
         * @param value a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is zero or negative
         */
        public Builder fallbackTtl(Duration value) {
            this.fallbackTtl = positive("fallbackTtl", value);
            return this;
        }

        /**
         * The most entries kept. Default: 10,000. Ignored when {@link #maximumWeightBytes} is set.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder maximumSize(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("maximumSize must be >= 1, was " + value);
            }
            this.maximumSize = value;
            return this;
        }

        /**
         * Bounds the cache by approximate heap bytes instead of entries. Default: not set.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder maximumWeightBytes(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("maximumWeightBytes must be >= 1, was " + value);
            }
            this.maximumWeightBytes = value;
            return this;
        }

        /**
         * Who may share an entry. Default: the context's {@code key} tag (per virtual key). Return an empty string to
         * share globally, or a team tag to share per team.
         *
         * @param value a function of the request's context
         * @return this builder
         */
        public Builder namespace(Function<WorkflowContext, String> value) {
            this.namespace = Objects.requireNonNull(value, "namespace");
            return this;
        }

        /**
         * The time source for expiry. Default: the system ticker.
         *
         * @param value the ticker
         * @return this builder
         */
        public Builder ticker(Ticker value) {
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /**
         * Where hits, misses and savings are reported. Default: nowhere.
         *
         * @param value the metrics listener
         * @return this builder
         */
        public Builder metrics(PrimitiveMetrics value) {
            this.metrics = Objects.requireNonNull(value, "metrics");
            return this;
        }

        /** @return the cached model */
        public CachedChatModel build() {
            return new CachedChatModel(this);
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
