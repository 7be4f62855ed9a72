package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.sim.SimulatedChatModel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fill lock's bounded wait, with a sleeper that returns at once so waiting takes no wall time. */
class RedisChatCacheLockTest {

    private String prefix;
    private RedisConnection holderSide;
    private RedisConnection waiterSide;

    @BeforeEach
    void open() {
        SharedRedis.requireRunning();
        prefix = SharedRedis.randomPrefix();
        RedisOptions options = RedisOptions.builder().url(SharedRedis.URL).keyPrefix(prefix)
                .sleeper(d -> {}).build();
        holderSide = RedisConnection.open(options);
        waiterSide = RedisConnection.open(options);
    }

    @AfterEach
    void close() {
        if (holderSide != null) {
            holderSide.close();
            waiterSide.close();
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
    }

    /** A model that blocks until released, failing or answering. */
    private static final class Gated implements ChatModel {
        final ChatModel sim = SimulatedChatModel.of(Replica.CATALOG, Replica.MODEL);
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        final boolean fail;

        Gated(boolean fail) {
            this.fail = fail;
        }

        @Override
        public String name() {
            return sim.name();
        }

        @Override
        public String provider() {
            return sim.provider();
        }

        @Override
        public ChatResponse execute(ChatRequest request, WorkflowContext context) {
            calls.incrementAndGet();
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fail) {
                throw new ProviderException.Overloaded(ProviderException.Details.of("sim", name(), 529), "busy",
                        java.util.Optional.empty());
            }
            return sim.execute(request, context);
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void givenAReplicaStuckFillingAKey_whenAnotherMissesIt_thenAfterLockWaitItCallsUpstreamItself()
            throws Exception {
        Gated stuck = new Gated(false);
        RedisChatCache holder = RedisChatCache.builder("c", stuck, holderSide).build();
        Gated counting = new Gated(false);
        counting.release.countDown();
        RedisChatCache waiter = RedisChatCache.builder("c", counting, waiterSide)
                .lockWait(Duration.ofMillis(100)).poll(Duration.ofMillis(10), Duration.ofMillis(20)).build();
        ChatRequest request = Replica.question("slow question");

        CompletableFuture<ChatResponse> first = CompletableFuture.supplyAsync(
                () -> holder.execute(request, WorkflowContext.of("holder")));
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
        ChatResponse second = waiter.execute(request, WorkflowContext.of("waiter"));
        stuck.release.countDown();
        first.get(10, TimeUnit.SECONDS);

        assertThat(second.priceStatus()).isNotEqualTo(PriceStatus.CACHE_HIT);
        assertThat(counting.calls.get()).isEqualTo(1);
        assertThat(waiter.stats().waits()).isEqualTo(1);
        assertThat(waiter.stats().waitTimeouts()).isEqualTo(1);
    }

    @Test
    void givenTheLockHolderFails_whenAnotherReplicaWaits_thenItTakesTheLockAndFillsTheKey() throws Exception {
        Gated failing = new Gated(true);
        RedisChatCache holder = RedisChatCache.builder("c", failing, holderSide).build();
        Gated healthy = new Gated(false);
        healthy.release.countDown();
        RedisChatCache waiter = RedisChatCache.builder("c", healthy, waiterSide).lockWait(Duration.ofHours(1))
                .build();
        ChatRequest request = Replica.question("flaky question");

        CompletableFuture<ChatResponse> first = CompletableFuture.supplyAsync(
                () -> holder.execute(request, WorkflowContext.of("holder")));
        assertThat(failing.entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<ChatResponse> second = CompletableFuture.supplyAsync(
                () -> waiter.execute(request, WorkflowContext.of("waiter")));
        failing.release.countDown();

        assertThat(first).failsWithin(10, TimeUnit.SECONDS);
        ChatResponse filled = second.get(10, TimeUnit.SECONDS);
        assertThat(filled.cost()).isGreaterThan(Money.ZERO);
        assertThat(healthy.calls.get()).isEqualTo(1);
        assertThat(waiter.stats().waitTimeouts()).isZero();
        assertThat(holder.execute(request, WorkflowContext.of("later")).priceStatus())
                .isEqualTo(PriceStatus.CACHE_HIT);
    }
}
