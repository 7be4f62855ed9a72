package dev.costwise.core.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.MetricsCollector;
import dev.costwise.core.metrics.MetricsSnapshot;
import dev.costwise.core.testing.Contexts;
import dev.costwise.core.testing.FakeTicker;
import dev.costwise.core.testing.Transient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {

    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger calls = new AtomicInteger();
    private final Primitive<String, String> upstream = (in, ctx) -> {
        calls.incrementAndGet();
        return "answer:" + in;
    };

    private ResponseCache.Builder<String, String> cache() {
        return ResponseCache.<String, String>builder("responses").ticker(ticker).ttl(Duration.ofMinutes(10));
    }

    @Test
    void givenRepeatedInput_whenCalled_thenSecondCallIsAHitAndRecorded() {
        ResponseCache<String, String> cache = cache().build();
        Primitive<String, String> p = cache.wrap(upstream);
        WorkflowContext ctx = Contexts.on(ticker);

        assertThat(p.execute("q", ctx)).isEqualTo("answer:q");
        assertThat(p.execute("q", ctx)).isEqualTo("answer:q");

        assertThat(calls).hasValue(1);
        assertThat(ctx.records()).extracting(r -> r.event()).containsExactly("cache_miss", "cache_hit");
        assertThat(cache.stats()).isEqualTo(new CacheStats(1, 1, 0, 0, 0, Money.ZERO));
        assertThat(cache.stats().hitRate()).isEqualTo(0.5);
    }

    @Test
    void givenKeyFunction_whenInputsShareAKey_thenTheyShareAnEntry() {
        Primitive<String, String> p = cache().keyFunction((in, ctx) -> in.toLowerCase()).build().wrap(upstream);

        p.execute("Q", Contexts.on(ticker));
        assertThat(p.execute("q", Contexts.on(ticker))).isEqualTo("answer:Q");
        assertThat(calls).hasValue(1);
    }

    @Test
    void givenHundredConcurrentIdenticalMisses_whenReleased_thenOneUpstreamCallServesAll() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ResponseCache<String, String> cache = cache().build();
        Primitive<String, String> p = cache.wrap((in, ctx) -> {
            calls.incrementAndGet();
            entered.countDown();
            await(release);
            return "answer";
        });
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch ready = new CountDownLatch(100);
        ConcurrentLinkedQueue<Object> results = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                ready.countDown();
                await(start);
                try {
                    results.add(p.execute("same", Contexts.on(ticker)));
                } catch (RuntimeException e) {
                    results.add(e);
                }
            }));
        }
        ready.await();
        start.countDown();
        entered.await();
        release.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(calls).hasValue(1);
        assertThat(results).hasSize(100).containsOnly("answer");
        assertThat(cache.stats().missCount()).isEqualTo(1);
        assertThat(cache.stats().hitCount()).isEqualTo(99);
    }

    @Test
    void givenConcurrentMissesAndFailingLoad_whenReleased_thenEveryWaiterSeesTheFailureAndNothingIsCached()
            throws Exception {
        CountDownLatch keyed = new CountDownLatch(100);
        CountDownLatch release = new CountDownLatch(1);
        Transient boom = new Transient("upstream 503");
        ResponseCache<String, String> cache = cache().keyFunction((in, ctx) -> {
            keyed.countDown();
            return in;
        }).build();
        Primitive<String, String> p = cache.wrap((in, ctx) -> {
            calls.incrementAndGet();
            await(release);
            throw boom;
        });
        ConcurrentLinkedQueue<Object> results = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    results.add(p.execute("same", Contexts.on(ticker)));
                } catch (RuntimeException e) {
                    results.add(e);
                }
            }));
        }
        keyed.await();
        release.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(results).hasSize(100).allSatisfy(r -> assertThat(r).isSameAs(boom));
        int callsDuringBurst = calls.get();
        assertThat(callsDuringBurst).isGreaterThanOrEqualTo(1);
        assertThat(cache.estimatedSize()).isZero();
        assertThatThrownBy(() -> p.execute("same", Contexts.on(ticker))).isSameAs(boom);
        assertThat(calls).hasValue(callsDuringBurst + 1);
    }

    @Test
    void givenFailingLoad_whenCalled_thenTheCallerGetsTheFailureAndCaffeineLogsNothing() {
        Logger caffeineLog = Logger.getLogger("com.github.benmanes.caffeine.cache.LocalAsyncCache");
        List<LogRecord> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        caffeineLog.addHandler(capture);
        try {
            Transient boom = new Transient("upstream 429");
            Primitive<String, String> p = cache().build().wrap((in, ctx) -> {
                throw boom;
            });

            assertThatThrownBy(() -> p.execute("q", Contexts.on(ticker))).isSameAs(boom);
            assertThat(logged).isEmpty();
        } finally {
            caffeineLog.removeHandler(capture);
        }
    }

    @Test
    void givenFailure_whenCalledAgain_thenTheErrorWasNotCached() {
        AtomicInteger attempt = new AtomicInteger();
        ResponseCache<String, String> cache = cache().build();
        Primitive<String, String> p = cache.wrap((in, ctx) -> {
            if (attempt.incrementAndGet() == 1) {
                throw new Transient("first fails");
            }
            return "ok";
        });

        assertThatThrownBy(() -> p.execute("q", Contexts.on(ticker))).isInstanceOf(Transient.class);
        assertThat(p.execute("q", Contexts.on(ticker))).isEqualTo("ok");
        assertThat(p.execute("q", Contexts.on(ticker))).isEqualTo("ok");

        assertThat(attempt).hasValue(2);
        assertThat(cache.stats().loadFailureCount()).isEqualTo(1);
    }

    @Test
    void givenTtl_whenTimePasses_thenEntriesExpireAndAreCountedApartFromEvictions() {
        ResponseCache<String, String> cache = cache().build();
        Primitive<String, String> p = cache.wrap(upstream);
        p.execute("a", Contexts.on(ticker));
        p.execute("b", Contexts.on(ticker));

        ticker.advance(Duration.ofMinutes(11));
        cache.cleanUp();

        assertThat(cache.stats().expirationCount()).isEqualTo(2);
        assertThat(cache.stats().evictionCount()).isZero();
        p.execute("a", Contexts.on(ticker));
        assertThat(calls).hasValue(3);
    }

    @Test
    void givenMaximumSize_whenExceeded_thenEntriesAreEvictedAndCountedApartFromExpirations() {
        ResponseCache<String, String> cache = cache().maximumSize(2).build();
        Primitive<String, String> p = cache.wrap(upstream);
        for (String key : List.of("a", "b", "c", "d", "e")) {
            p.execute(key, Contexts.on(ticker));
        }

        cache.cleanUp();

        assertThat(cache.stats().evictionCount()).isEqualTo(3);
        assertThat(cache.stats().expirationCount()).isZero();
        assertThat(cache.estimatedSize()).isEqualTo(2);
    }

    @Test
    void givenMaximumWeight_whenExceeded_thenHeavyEntriesAreEvicted() {
        ResponseCache<String, String> cache = cache().maximumWeight(20, String::length).build();
        Primitive<String, String> p = cache.wrap(upstream);
        for (String key : List.of("aaaa", "bbbb", "cccc")) {
            p.execute(key, Contexts.on(ticker)); // each answer weighs 11
        }

        cache.cleanUp();

        assertThat(cache.stats().evictionCount()).isEqualTo(2);
    }

    @Test
    void givenPerEntryTtl_whenFallbackAnswerIsCached_thenItExpiresSooner() {
        ResponseCache<String, String> cache = cache()
                .ttlFor(out -> out.startsWith("fallback") ? Optional.of(Duration.ofMinutes(1)) : Optional.empty())
                .build();
        Primitive<String, String> p = cache.wrap((in, ctx) -> {
            calls.incrementAndGet();
            return in.equals("degraded") ? "fallback answer" : "primary answer";
        });
        p.execute("degraded", Contexts.on(ticker));
        p.execute("normal", Contexts.on(ticker));

        ticker.advance(Duration.ofMinutes(2));
        p.execute("degraded", Contexts.on(ticker));
        p.execute("normal", Contexts.on(ticker));

        assertThat(calls).hasValue(3);
        assertThat(cache.stats().hitCount()).isEqualTo(1);
    }

    @Test
    void givenSavedOnHit_whenHits_thenMoneySavedIsSummedExactly() {
        MetricsCollector metrics = MetricsCollector.of(new SimpleMeterRegistry());
        ResponseCache<String, String> cache = cache().savedOnHit(out -> Money.of("0.01")).metrics(metrics).build();
        Primitive<String, String> p = cache.wrap(upstream);
        for (int i = 0; i < 3; i++) {
            p.execute("q", Contexts.on(ticker));
        }

        assertThat(cache.stats().moneySaved()).isEqualTo(Money.of("0.02"));
        MetricsSnapshot s = metrics.snapshot("responses");
        assertThat(s.cacheHits()).isEqualTo(2);
        assertThat(s.cacheMisses()).isEqualTo(1);
        assertThat(s.cacheHitRate()).isEqualTo(2.0 / 3);
        assertThat(s.moneySaved()).isEqualTo(Money.of("0.02"));
    }

    @Test
    void givenStats_whenComparingWindows_thenPlusMinusAndZeroRatesAreDefined() {
        CacheStats before = new CacheStats(1, 1, 0, 0, 0, Money.of("0.01"));
        CacheStats now = new CacheStats(5, 3, 1, 2, 1, Money.of("0.05"));

        assertThat(now.minus(before)).isEqualTo(new CacheStats(4, 2, 1, 2, 1, Money.of("0.04")));
        assertThat(before.plus(before)).isEqualTo(new CacheStats(2, 2, 0, 0, 0, Money.of("0.02")));
        assertThat(CacheStats.empty().hitRate()).isEqualTo(1.0);
        assertThat(CacheStats.empty().missRate()).isEqualTo(0.0);
    }

    @Test
    void givenNullKeyOrNullOutput_whenCalled_thenNothingIsCached() {
        ResponseCache<String, String> byKey = cache().keyFunction((in, ctx) -> in.startsWith("private") ? null : in).build();
        Primitive<String, String> p = byKey.wrap(upstream);
        p.execute("private q", Contexts.on(ticker));
        p.execute("private q", Contexts.on(ticker));
        assertThat(calls).hasValue(2);

        ResponseCache<String, String> nulls = cache().build();
        Primitive<String, String> q = nulls.wrap((in, ctx) -> {
            calls.incrementAndGet();
            return null;
        });
        assertThat(q.execute("x", Contexts.on(ticker))).isNull();
        assertThat(q.execute("x", Contexts.on(ticker))).isNull();
        assertThat(calls).hasValue(4);
    }

    @Test
    void givenBadSettings_whenBuilding_thenFailsNamingParameterAndValue() {
        assertThatThrownBy(() -> cache().ttl(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl cannot be negative, was PT-1S");
        assertThatThrownBy(() -> cache().maximumSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maximumSize must be >= 1, was 0");
        assertThatThrownBy(() -> cache().maximumSize(10).maximumWeight(100, String::length))
                .isInstanceOf(IllegalStateException.class).hasMessage("maximumWeight cannot be combined with maximumSize (10)");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
