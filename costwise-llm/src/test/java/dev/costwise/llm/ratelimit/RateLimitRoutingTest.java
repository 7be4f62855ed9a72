package dev.costwise.llm.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.MutableClock;
import dev.costwise.llm.budget.TestModels;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.provider.ProviderException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RateLimitRoutingTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final ChatModel pro = TestModels.FakeProvider.of(TestModels.GEMINI_PRO_FREE, 1_000);
    private final ChatModel flash = TestModels.FakeProvider.of(TestModels.GEMINI_FLASH_FREE, 1_000);

    private WorkflowContext ctx() {
        return WorkflowContext.builder("t").clock(clock).build();
    }

    @Test
    void givenProNearItsHourlyTokenLimit_whenRouted_thenTrafficMovesToFlashBeforeTheLimit() {
        UsageTracker tracker = UsageTracker.builder().clock(clock)
                .modelLimits("gemini-pro:free", RateLimits.NONE.withTokensPerHour(10_000)).build();
        RateLimitAwareRouter router = RateLimitAwareRouter.of("gemini", tracker, pro, flash);
        ChatRequest request = ChatRequest.of("gemini-pro", "q".repeat(400)); // 100 in + 1,000 out per call

        List<String> served = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            served.add(router.execute(request, ctx()).model());
        }

        // 8 calls use 8,800 tokens (88%); the 8th took it past 80%, so calls 9 and 10 go to Flash.
        assertThat(served).containsExactly("gemini-pro:free", "gemini-pro:free", "gemini-pro:free",
                "gemini-pro:free", "gemini-pro:free", "gemini-pro:free", "gemini-pro:free", "gemini-pro:free",
                "gemini-flash:free", "gemini-flash:free");
        assertThat(tracker.usage("gemini-pro:free").tokensLastHour()).isEqualTo(8_800).isLessThan(10_000);
        clock.advance(Duration.ofMinutes(61));
        assertThat(router.execute(request, ctx()).model()).isEqualTo("gemini-pro:free");
    }

    @Test
    void givenARequestLimitOfTen_when100CallersRaceThroughTheRouter_thenExactlyTenReachPro() throws Exception {
        UsageTracker tracker = UsageTracker.builder().clock(clock).throttleShare(1.0)
                .modelLimits("gemini-pro:free", RateLimits.NONE.withRequestsPerMinute(10)).build();
        RateLimitAwareRouter router = RateLimitAwareRouter.of("gemini", tracker, pro, flash);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ChatResponse>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                futures.add(threads.submit(() -> {
                    start.await();
                    return router.execute(ChatRequest.of("x", "hi"), ctx());
                }));
            }
            start.countDown();
            int toPro = 0;
            for (Future<ChatResponse> f : futures) {
                toPro += f.get().model().equals("gemini-pro:free") ? 1 : 0;
            }
            assertThat(toPro).isEqualTo(10);
        }
        assertThat(tracker.usage("gemini-pro:free").requestsLastMinute()).isEqualTo(10);
        assertThat(tracker.usage("gemini-flash:free").requestsLastMinute()).isEqualTo(90);
    }

    @Test
    void givenProviderHeadersSayingFewRequestsRemain_whenRouted_thenFollowsThemUntilTheReset() {
        UsageTracker tracker = UsageTracker.builder().clock(clock).build();
        RateLimitAwareRouter router = RateLimitAwareRouter.of("gemini", tracker, pro, flash);
        tracker.observe(RateLimitObservation.ofRequests("gemini", "gemini-pro:free", 100, 10, Duration.ofSeconds(30)));
        WorkflowContext ctx = ctx();

        assertThat(router.execute(ChatRequest.of("x", "hi"), ctx).model()).isEqualTo("gemini-flash:free");
        assertThat(ctx.records("route")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("reason", "rate_limit_headroom"));

        clock.advance(Duration.ofSeconds(30));
        assertThat(router.execute(ChatRequest.of("x", "hi"), ctx()).model()).isEqualTo("gemini-pro:free");

        tracker.observe(new RateLimitObservation("gemini", "gemini-pro:free", java.util.OptionalLong.empty(),
                java.util.OptionalLong.empty(), Optional.empty(), java.util.OptionalLong.empty(),
                java.util.OptionalLong.empty(), Optional.empty(), Optional.of(Duration.ofSeconds(5))));
        assertThat(router.execute(ChatRequest.of("x", "hi"), ctx()).model()).isEqualTo("gemini-flash:free");
    }

    @Test
    void givenA429WithRetryAfter_whenCooledDown_thenALaterShorterOneNeverShortensItButALongerOneExtends() {
        Cooldowns cooldowns = Cooldowns.of(clock, Duration.ofSeconds(60));
        Instant t0 = clock.instant();

        assertThat(cooldowns.trip("gemini/pro", Optional.of(Duration.ofSeconds(30)))).isEqualTo(t0.plusSeconds(30));
        clock.advance(Duration.ofSeconds(10));
        assertThat(cooldowns.trip("gemini/pro", Optional.of(Duration.ofSeconds(5)))).isEqualTo(t0.plusSeconds(30));
        assertThat(cooldowns.remaining("gemini/pro")).isEqualTo(Duration.ofSeconds(20));
        assertThat(cooldowns.trip("gemini/pro", Optional.of(Duration.ofSeconds(40)))).isEqualTo(t0.plusSeconds(50));
        clock.advance(Duration.ofSeconds(39));
        assertThat(cooldowns.isCoolingDown("gemini/pro")).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(cooldowns.isCoolingDown("gemini/pro")).isFalse();
        assertThat(cooldowns.trip("gemini/flash", Optional.empty())).isEqualTo(clock.instant().plusSeconds(60));
    }

    @Test
    void givenA429_whenCooldownFallbackCalled_thenTrafficMovesAtOnceAndThePrimaryRestsUntilRetryAfter() {
        Cooldowns cooldowns = Cooldowns.of(clock, Duration.ofSeconds(60));
        AtomicInteger primaryCalls = new AtomicInteger();
        AtomicInteger fallbackCalls = new AtomicInteger();
        ChatModel limited = new Scripted(pro, primaryCalls, true);
        ChatModel backup = new Scripted(flash, fallbackCalls, false);
        CooldownAwareFallback fallback = CooldownAwareFallback.of("gemini", cooldowns, limited, backup);

        WorkflowContext first = ctx();
        assertThat(fallback.execute(ChatRequest.of("x", "hi"), first).model()).isEqualTo("gemini-flash:free");
        for (int i = 0; i < 5; i++) {
            assertThat(fallback.execute(ChatRequest.of("x", "hi"), ctx()).model()).isEqualTo("gemini-flash:free");
        }

        assertThat(primaryCalls).hasValue(1);
        assertThat(fallbackCalls).hasValue(6);
        assertThat(first.records("fallback")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("reason", "rate_limited"));
        clock.advance(Duration.ofSeconds(20));
        fallback.execute(ChatRequest.of("x", "hi"), ctx());
        assertThat(primaryCalls).hasValue(2);
    }

    @Test
    void givenEveryDeploymentRateLimited_whenCalled_thenOneTypedErrorSaysWhenToRetry() {
        Cooldowns cooldowns = Cooldowns.of(clock, Duration.ofSeconds(60));
        CooldownAwareFallback fallback = CooldownAwareFallback.of("gemini", cooldowns,
                new Scripted(pro, new AtomicInteger(), true), new Scripted(flash, new AtomicInteger(), true));

        assertThatThrownBy(() -> fallback.execute(ChatRequest.of("x", "hi"), ctx()))
                .isInstanceOfSatisfying(AllCoolingDownException.class, e -> {
                    assertThat(e.deployments()).containsExactly("gemini/gemini-pro:free", "gemini/gemini-flash:free");
                    assertThat(e.earliestRetry()).isEqualTo(clock.instant().plusSeconds(20));
                    assertThat(e.getSuppressed()).hasSize(2);
                });
    }

    @Test
    void givenAProviderLimitOfThree_when20CallersRace_thenNeverMoreThanThreeRunAtOnce() throws Exception {
        ProviderConcurrencyLimiter limiter = ProviderConcurrencyLimiter.builder().limit("gemini", 3).build();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        ChatModel slow = new Gated(pro, inFlight, maxInFlight, gate);
        ChatModel bounded = limiter.wrap(slow);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                futures.add(threads.submit(() -> {
                    start.await();
                    return bounded.execute(ChatRequest.of("x", "hi"), ctx());
                }));
            }
            start.countDown();
            while (inFlight.get() < 3) {
                Thread.onSpinWait();
            }
            assertThat(limiter.available("gemini")).hasValue(0);
            gate.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(maxInFlight).hasValue(3);
        assertThat(limiter.available("gemini")).hasValue(3);
        assertThat(limiter.available("openai")).isEmpty();
    }

    @Test
    void givenAllSlotsHeldByOpenStreams_whenTheDeadlinePasses_thenThrottledAndAClosedStreamFreesItsSlot() {
        ProviderConcurrencyLimiter limiter = ProviderConcurrencyLimiter.builder().limit("gemini", 1).build();
        ChatModel bounded = limiter.wrap(pro);
        ChatStream open = bounded.stream(ChatRequest.of("x", "hi"), ctx());
        WorkflowContext hurried = WorkflowContext.builder("t").clock(clock).ticker(() -> 0L)
                .timeout(Duration.ofNanos(1)).build();

        assertThatThrownBy(() -> bounded.execute(ChatRequest.of("x", "hi"), hurried))
                .isInstanceOf(ThrottledException.class).hasMessageContaining("gemini").hasMessageContaining("1");
        open.close();
        assertThat(limiter.available("gemini")).hasValue(1);
    }

    /** Answers, or fails with a 429 carrying retry-after 20 s. */
    private record Scripted(ChatModel inner, AtomicInteger calls, boolean rateLimited) implements ChatModel {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public String provider() {
            return inner.provider();
        }

        @Override
        public ChatResponse execute(ChatRequest request, WorkflowContext context) {
            calls.incrementAndGet();
            if (rateLimited && calls.get() == 1) {
                throw new ProviderException.RateLimited(ProviderException.Details.of("gemini", name(), 429),
                        "quota", Optional.of(Duration.ofSeconds(20)));
            }
            return inner.execute(request, context);
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            return inner.stream(request, context);
        }
    }

    /** Holds every call until the gate opens, counting how many are inside at once. */
    private record Gated(ChatModel inner, AtomicInteger inFlight, AtomicInteger max, CountDownLatch gate)
            implements ChatModel {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public String provider() {
            return inner.provider();
        }

        @Override
        public ChatResponse execute(ChatRequest request, WorkflowContext context) {
            max.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                inFlight.decrementAndGet();
            }
            return inner.execute(request, context);
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            return inner.stream(request, context);
        }
    }
}
