package dev.costwise.core.performance;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.DeadlineExceededException;
import dev.costwise.core.Money;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Failures;
import dev.costwise.core.internal.Instrumented;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Caches a primitive's outputs in Caffeine, keyed by a {@link CacheKeyFunction}.
 *
 * <p>Concurrent identical misses share one delegate call (single-flight): the first caller runs the delegate on its
 * own thread and the others wait for its result, up to their context's deadline. A failure is never cached: it is
 * removed before the waiters see it, so every waiter gets the failure and the next call tries again. A {@code null}
 * output is returned but not cached. The shared load runs on the first caller's thread, so if that caller is
 * interrupted (an outer {@code Timeout}), its waiters see that failure too and the next call loads again.
 *
 * <p>Entries live for {@code ttl} after they are written, or for the duration a per-entry {@code ttlFor} function
 * returns for that output (the LLM layer keeps fallback answers for less time). Size is bounded by entry count or by
 * an approximate weight. Expirations and size evictions are counted apart in {@link #stats()}. Records
 * {@code cache_hit} ({@code shared} when it joined another caller's load) or {@code cache_miss} events.
 *
 * <p>Thread-safe. Wrap one primitive per cache, or make the key identify the call.
 *
 * <pre>{@code
 * ResponseCache<Req, Resp> cache = ResponseCache.<Req, Resp>builder("responses")
 *     .keyFunction((req, ctx) -> req.canonicalHash())
 *     .ttl(Duration.ofHours(1)).maximumSize(10_000)
 *     .savedOnHit(Resp::cost)
 *     .build();
 * Primitive<Req, Resp> cached = cache.wrap(provider);
 * }</pre>
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class ResponseCache<I, O> {

    private final String name;
    private final CacheKeyFunction<? super I> keyFunction;
    private final Function<? super O, Money> savedOnHit;
    private final PrimitiveMetrics metrics;
    private final AsyncCache<Object, O> cache;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder expirations = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final AtomicReference<Money> saved = new AtomicReference<>(Money.ZERO);

    private ResponseCache(Builder<I, O> b) {
        this.name = b.name;
        this.keyFunction = b.keyFunction;
        this.savedOnHit = b.savedOnHit;
        this.metrics = PrimitiveMetrics.failSafe(b.metrics);
        long defaultTtl = Checks.toNanosSaturated(b.ttl);
        Function<? super O, Optional<Duration>> ttlFor = b.ttlFor;
        Caffeine<Object, Object> caffeine = Caffeine.newBuilder().ticker(b.ticker).executor(b.executor);
        Caffeine<Object, O> typed = caffeine.removalListener((Object k, O v, RemovalCause cause) -> onRemoval(cause));
        typed = typed.expireAfter(new Expiry<Object, O>() {
            @Override
            public long expireAfterCreate(Object key, O value, long currentTime) {
                if (ttlFor == null) {
                    return defaultTtl;
                }
                return ttlFor.apply(value).map(Checks::toNanosSaturated).map(n -> Math.max(0, n)).orElse(defaultTtl);
            }

            @Override
            public long expireAfterUpdate(Object key, O value, long currentTime, long currentDuration) {
                return expireAfterCreate(key, value, currentTime);
            }

            @Override
            public long expireAfterRead(Object key, O value, long currentTime, long currentDuration) {
                return currentDuration;
            }
        });
        if (b.weigher != null) {
            ToIntFunction<? super O> weigher = b.weigher;
            typed = typed.maximumWeight(b.maximumWeight).weigher((Object k, O v) -> Math.max(0, weigher.applyAsInt(v)));
        } else {
            typed = typed.maximumSize(b.maximumSize);
        }
        this.cache = typed.buildAsync();
    }

    /**
     * Starts building a cache.
     *
     * @param name names the cache in records, metrics and errors
     * @param <I> input type
     * @param <O> output type
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <I, O> Builder<I, O> builder(String name) {
        return new Builder<>(Checks.requireName(name));
    }

    private void onRemoval(RemovalCause cause) {
        if (cause == RemovalCause.EXPIRED) {
            expirations.increment();
            metrics.onCacheRemoval(name, true);
        } else if (cause == RemovalCause.SIZE) {
            evictions.increment();
            metrics.onCacheRemoval(name, false);
        }
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /**
     * Decorates a primitive with this cache.
     *
     * @param delegate the call whose outputs are cached
     * @return the cached primitive
     */
    public Primitive<I, O> wrap(Primitive<I, O> delegate) {
        Objects.requireNonNull(delegate, "delegate");
        return (input, context) -> Instrumented.call(metrics, name, "cache", context,
                () -> execute(delegate, input, context));
    }

    private O execute(Primitive<I, O> delegate, I input, WorkflowContext context) {
        Object key = keyFunction.key(input, context);
        if (key == null) {
            return delegate.execute(input, context);
        }
        CompletableFuture<O> existing = cache.getIfPresent(key);
        if (existing != null && existing.isDone() && !existing.isCompletedExceptionally()) {
            O value = existing.getNow(null);
            if (value != null) {
                hit(context, value, false);
                return value;
            }
        }
        if (existing == null) {
            CompletableFuture<O> mine = new CompletableFuture<>();
            existing = cache.asMap().putIfAbsent(key, mine);
            if (existing == null) {
                return load(delegate, input, context, key, mine);
            }
        }
        return await(existing, context);
    }

    private O load(Primitive<I, O> delegate, I input, WorkflowContext context, Object key, CompletableFuture<O> mine) {
        misses.increment();
        metrics.onCacheMiss(name);
        context.record(name, "cache_miss");
        O value;
        try {
            value = delegate.execute(input, context);
        } catch (RuntimeException | Error failure) {
            loadFailures.increment();
            cache.asMap().remove(key, mine);
            mine.completeExceptionally(new SharedLoadFailure(failure));
            throw failure;
        }
        if (value == null) {
            cache.asMap().remove(key, mine);
        }
        mine.complete(value);
        return value;
    }

    private O await(CompletableFuture<O> shared, WorkflowContext context) {
        O value;
        try {
            Optional<Duration> remaining = context.remaining();
            value = remaining.isPresent()
                    ? shared.get(Checks.toNanosSaturated(remaining.get()), TimeUnit.NANOSECONDS)
                    : shared.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallInterruptedException(name, e);
        } catch (TimeoutException e) {
            metrics.onRejected(name, "deadline");
            throw new DeadlineExceededException(name, context.remaining().orElse(Duration.ZERO));
        } catch (ExecutionException e) {
            throw sharedLoadFailed(context, e.getCause());
        } catch (CancellationException e) {
            // Newer JDKs wrap the future's cancellation in a new one whose cause is the original.
            Throwable carrier = e instanceof SharedLoadFailure ? e : e.getCause();
            if (carrier instanceof SharedLoadFailure) {
                throw sharedLoadFailed(context, carrier.getCause());
            }
            throw e;
        }
        hit(context, value, true);
        return value;
    }

    private RuntimeException sharedLoadFailed(WorkflowContext context, Throwable failure) {
        misses.increment();
        metrics.onCacheMiss(name);
        context.record(name, "cache_miss", Attributes.of("shared", true));
        return Failures.propagate(failure);
    }

    /**
     * Carries a failed load to the callers that waited for it. Caffeine logs every other exceptional completion of a
     * cached future as a WARNING with its stack trace (so each upstream 429 would log one), although the failure is
     * the caller's to report and reaches every caller rethrown; it does not log cancellations.
     */
    private static final class SharedLoadFailure extends CancellationException {
        private static final long serialVersionUID = 1L;

        SharedLoadFailure(Throwable failure) {
            super("shared cache load failed");
            initCause(failure);
        }
    }

    private void hit(WorkflowContext context, O value, boolean shared) {
        hits.increment();
        Money amount = Money.ZERO;
        if (savedOnHit != null && value != null) {
            amount = Objects.requireNonNullElse(savedOnHit.apply(value), Money.ZERO);
            if (!amount.isZero()) {
                Money a = amount;
                saved.accumulateAndGet(a, Money::plus);
            }
        }
        metrics.onCacheHit(name, amount);
        if (shared) {
            context.record(name, "cache_hit", Attributes.of("shared", true, "saved", amount));
        } else if (savedOnHit != null) {
            context.record(name, "cache_hit", Attributes.of("saved", amount));
        } else {
            context.record(name, "cache_hit");
        }
    }

    /**
     * Looks up a completed entry without loading it, counting and recording a hit or a miss as {@link #wrap} does.
     * Used by callers that fill the cache themselves, such as a stream that is cached once it has ended.
     *
     * @param key the key
     * @param context the request's context, where the hit or miss is recorded
     * @return the cached output, if a completed one is present
     */
    public Optional<O> lookup(Object key, WorkflowContext context) {
        Objects.requireNonNull(key, "key");
        CompletableFuture<O> existing = cache.getIfPresent(key);
        if (existing != null && existing.isDone() && !existing.isCompletedExceptionally()) {
            O value = existing.getNow(null);
            if (value != null) {
                hit(context, value, false);
                return Optional.of(value);
            }
        }
        misses.increment();
        metrics.onCacheMiss(name);
        context.record(name, "cache_miss");
        return Optional.empty();
    }

    /**
     * Stores an output under a key, replacing any entry.
     *
     * @param key the key
     * @param value the output; {@code null} is ignored
     */
    public void put(Object key, O value) {
        Objects.requireNonNull(key, "key");
        if (value != null) {
            cache.put(key, CompletableFuture.completedFuture(value));
        }
    }

    /** @return a snapshot of the counters */
    public CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum(), loadFailures.sum(), expirations.sum(), evictions.sum(),
                saved.get());
    }

    /** @return the approximate number of entries, loads in flight included */
    public long estimatedSize() {
        return cache.synchronous().estimatedSize();
    }

    /**
     * Removes one entry.
     *
     * @param key the key, as the key function computes it
     */
    public void invalidate(Object key) {
        cache.synchronous().invalidate(key);
    }

    /** Removes every entry. */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    /** Runs pending maintenance now: removes expired entries, applies evictions and updates the counters. */
    public void cleanUp() {
        cache.synchronous().cleanUp();
    }

    @Override
    public String toString() {
        return "ResponseCache[" + name + ", size=" + estimatedSize() + "]";
    }

    /**
     * Builds a {@link ResponseCache}. Not thread-safe; {@link #build()} can be called again.
     *
     * @param <I> input type
     * @param <O> output type
     */
    public static final class Builder<I, O> {
        private final String name;
        private CacheKeyFunction<? super I> keyFunction = CacheKeyFunction.identity();
        private Duration ttl = Duration.ofHours(1);
        private long maximumSize = 10_000;
        private boolean maximumSizeSet;
        private long maximumWeight = -1;
        private ToIntFunction<? super O> weigher;
        private Function<? super O, Optional<Duration>> ttlFor;
        private Function<? super O, Money> savedOnHit;
        private Ticker ticker = Ticker.systemTicker();
        private Executor executor = Runnable::run;
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Sets the key function. Default: the input itself is the key.
         *
         * @param keyFunction computes the key; must capture everything that changes the output
         * @return this builder
         */
        public Builder<I, O> keyFunction(CacheKeyFunction<? super I> keyFunction) {
            this.keyFunction = Objects.requireNonNull(keyFunction, "keyFunction");
            return this;
        }

        /**
         * Sets how long an entry lives after it is written. Default 1 h.
         *
         * @param ttl not negative; zero caches nothing beyond in-flight sharing
         * @return this builder
         * @throws IllegalArgumentException if {@code ttl} is negative
         */
        public Builder<I, O> ttl(Duration ttl) {
            this.ttl = Checks.requireNonNegative(ttl, "ttl");
            return this;
        }

        /**
         * Sets a per-entry time to live, chosen from the output; an empty answer uses {@link #ttl}. Default: none.
         *
         * @param ttlFor for example {@code resp -> resp.isFallback() ? Optional.of(Duration.ofMinutes(5)) : Optional.empty()}
         * @return this builder
         */
        public Builder<I, O> ttlFor(Function<? super O, Optional<Duration>> ttlFor) {
            this.ttlFor = Objects.requireNonNull(ttlFor, "ttlFor");
            return this;
        }

        /**
         * Bounds the number of entries. Default 10,000. Cannot be combined with {@link #maximumWeight}.
         *
         * @param maximumSize at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maximumSize} is below 1
         * @throws IllegalStateException if a maximum weight was set
         */
        public Builder<I, O> maximumSize(long maximumSize) {
            Checks.requireArgument(maximumSize >= 1, "maximumSize must be >= 1, was %s", maximumSize);
            Checks.requireState(weigher == null, "maximumSize cannot be combined with maximumWeight (%s)", maximumWeight);
            this.maximumSize = maximumSize;
            this.maximumSizeSet = true;
            return this;
        }

        /**
         * Bounds the total weight of entries instead of their number, for example approximate bytes.
         *
         * @param maximumWeight at least 1
         * @param weigher the weight of one output; negative weights count as zero
         * @return this builder
         * @throws IllegalArgumentException if {@code maximumWeight} is below 1
         * @throws IllegalStateException if a maximum size was set
         */
        public Builder<I, O> maximumWeight(long maximumWeight, ToIntFunction<? super O> weigher) {
            Checks.requireArgument(maximumWeight >= 1, "maximumWeight must be >= 1, was %s", maximumWeight);
            Checks.requireState(!maximumSizeSet, "maximumWeight cannot be combined with maximumSize (%s)", maximumSize);
            this.maximumWeight = maximumWeight;
            this.weigher = Objects.requireNonNull(weigher, "weigher");
            return this;
        }

        /**
         * Sets what a hit on an output saved, summed in {@link CacheStats#moneySaved()}. Default: nothing counted.
         *
         * @param savedOnHit for example the cost the cached response had when it was paid for
         * @return this builder
         */
        public Builder<I, O> savedOnHit(Function<? super O, Money> savedOnHit) {
            this.savedOnHit = Objects.requireNonNull(savedOnHit, "savedOnHit");
            return this;
        }

        /**
         * Sets the time source of expiry. Default {@link Ticker#systemTicker()}.
         *
         * @param ticker the ticker
         * @return this builder
         */
        public Builder<I, O> ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Sets where Caffeine runs maintenance and removal notifications. Default: the calling thread, which keeps
         * the counters exact at a small cost to the call that triggers maintenance.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder<I, O> executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Sets where calls, hits, misses and removals are reported. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder<I, O> metrics(PrimitiveMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** @return the cache */
        public ResponseCache<I, O> build() {
            return new ResponseCache<>(this);
        }
    }
}
