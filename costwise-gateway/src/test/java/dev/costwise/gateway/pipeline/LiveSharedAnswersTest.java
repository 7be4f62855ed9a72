package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.RedisSettings;
import dev.costwise.llm.chat.Usage;
import dev.costwise.redis.SharedRedis;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent hits of one shared (Redis) cache entry on a replica share one decoded answer while a request holds it,
 * instead of decoding a copy each.
 */
class LiveSharedAnswersTest {
    private static final Usage USAGE = new Usage(10, 0, 0, 5, 0, false);
    private final String prefix = SharedRedis.randomPrefix();

    @AfterEach
    void deleteKeys() {
        SharedRedis.deleteAll(SharedRedis.URL, prefix);
    }

    private static ResponseCacheStore.Entry entry(String answer) {
        return new ResponseCacheStore.Entry(answer.getBytes(java.nio.charset.StandardCharsets.UTF_8), USAGE, "mini",
                Money.of("0.001"), "default");
    }

    private RedisSharing replica() {
        return RedisSharing.connect(new RedisSettings(SharedRedis.URL, prefix, 0.5, Duration.ofMillis(500)),
                alert -> { }, Clock.systemUTC(), Duration.ofSeconds(30), new UpstreamCutoff());
    }

    @Test
    void givenAnEntryStoredThroughRedis_whenHitTwiceOnAReplica_thenBothHitsHoldOneAnswer() {
        SharedRedis.requireRunning();
        try (RedisSharing filler = replica(); RedisSharing other = replica()) {
            ResponseCacheStore.Entry stored = entry("{\"answer\":\"" + "x".repeat(100_000) + "\"}");
            filler.entries().put("k", stored, Duration.ofMinutes(1));

            ResponseCacheStore.Entry first = other.entries().getOrLock("k", Duration.ofSeconds(1)).orElseThrow();
            ResponseCacheStore.Entry second = other.entries().getOrLock("k", Duration.ofSeconds(1)).orElseThrow();
            ResponseCacheStore.Entry onFiller = filler.entries().getOrLock("k", Duration.ofSeconds(1)).orElseThrow();

            assertThat(first.body()).isEqualTo(stored.body()).isNotSameAs(stored.body()); // read from Redis
            assertThat(second.body()).as("the answer the first hit holds").isSameAs(first.body());
            assertThat(second).isEqualTo(first);
            assertThat(onFiller.body()).as("the answer the miss that stored it holds").isSameAs(stored.body());
        }
    }

    @Test
    void givenAnEntryBeingDecoded_whenAnotherHitReadsIt_thenItWaitsForThatDecodeInsteadOfDecodingItsOwn()
            throws Exception {
        LiveSharedAnswers answers = new LiveSharedAnswers();
        CountDownLatch decoding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger decodes = new AtomicInteger();
        LiveSharedAnswers.Decoder slow = () -> {
            decodes.incrementAndGet();
            decoding.countDown();
            await(release);
            return entry("{}");
        };
        AtomicReference<ResponseCacheStore.Entry> firstGot = new AtomicReference<>();
        AtomicReference<ResponseCacheStore.Entry> secondGot = new AtomicReference<>();
        Thread first = Thread.ofVirtual().start(() -> firstGot.set(decode(answers, slow)));
        decoding.await();
        Thread second = Thread.ofVirtual().start(() -> secondGot.set(decode(answers, slow)));
        while (second.getState() != Thread.State.WAITING) {
            Thread.onSpinWait(); // until it waits for the first decode
        }

        release.countDown();
        first.join();
        second.join();

        assertThat(decodes).hasValue(1);
        assertThat(secondGot.get()).isSameAs(firstGot.get());
    }

    @Test
    void givenADecodeThatFails_whenAnotherHitWaitedForIt_thenThatHitDecodesItsOwn() throws Exception {
        LiveSharedAnswers answers = new LiveSharedAnswers();
        CountDownLatch decoding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = Thread.ofVirtual().start(() -> {
            try {
                answers.shared("id", () -> {
                    decoding.countDown();
                    await(release);
                    throw new IOException("a truncated entry");
                });
            } catch (IOException expected) {
                // the first request's entry was unreadable: its own miss
            }
        });
        decoding.await();
        AtomicReference<ResponseCacheStore.Entry> secondGot = new AtomicReference<>();
        Thread second = Thread.ofVirtual().start(() -> secondGot.set(decode(answers, () -> entry("{\"ok\":1}"))));
        while (second.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }

        release.countDown();
        first.join();
        second.join();

        assertThat(secondGot.get().body()).asString().isEqualTo("{\"ok\":1}");
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static ResponseCacheStore.Entry decode(LiveSharedAnswers answers, LiveSharedAnswers.Decoder decoder) {
        try {
            return answers.shared("id", decoder);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
