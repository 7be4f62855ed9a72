package dev.costwise.llm.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.llm.budget.MutableClock;
import dev.costwise.llm.budget.TestModels;
import dev.costwise.llm.chat.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class UsageTrackerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));

    private List<Optional<UsagePermit>> race(UsageTracker tracker, int callers, long estimate) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Optional<UsagePermit>>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                futures.add(threads.submit(() -> {
                    start.await();
                    return tracker.tryAcquire("gemini-pro", "gemini", estimate);
                }));
            }
            start.countDown();
            List<Optional<UsagePermit>> result = new ArrayList<>();
            for (Future<Optional<UsagePermit>> f : futures) {
                result.add(f.get());
            }
            return result;
        }
    }

    @Test
    void givenARequestLimit_when200CallersRace_thenExactlyTheLimitIsAdmitted() throws Exception {
        UsageTracker tracker = UsageTracker.builder().clock(clock)
                .modelLimits("gemini-pro", RateLimits.NONE.withRequestsPerMinute(10)).build();

        List<Optional<UsagePermit>> permits = race(tracker, 200, 0);

        assertThat(permits.stream().filter(Optional::isPresent).count()).isEqualTo(10);
        assertThat(tracker.usage("gemini-pro").requestsLastMinute()).isEqualTo(10);
    }

    @Test
    void givenATokenLimit_whenEstimatesAreReconciledToLowerActuals_thenTheFreedTokensAdmitMoreExactly()
            throws Exception {
        UsageTracker tracker = UsageTracker.builder().clock(clock)
                .providerLimits("gemini", RateLimits.NONE.withTokensPerMinute(10_000)).build();

        List<Optional<UsagePermit>> first = race(tracker, 50, 1_000);
        assertThat(first.stream().filter(Optional::isPresent).count()).isEqualTo(10);
        first.stream().flatMap(Optional::stream).forEach(p -> p.reconcile(500));
        assertThat(tracker.providerUsage("gemini").tokensLastMinute()).isEqualTo(5_000);
        List<Optional<UsagePermit>> second = race(tracker, 50, 1_000);

        assertThat(second.stream().filter(Optional::isPresent).count()).isEqualTo(5);
        assertThat(tracker.providerUsage("gemini").tokensLastMinute()).isEqualTo(10_000);
    }

    @Test
    void givenUsage_whenTheWindowSlidesPast_thenItIsForgottenMinuteByMinuteButKeptForTheDay() {
        UsageTracker tracker = UsageTracker.builder().clock(clock).build();
        tracker.record("gemini-pro", "gemini", Usage.of(1_000, 200));

        clock.advance(Duration.ofSeconds(30));
        assertThat(tracker.usage("gemini-pro").tokensLastMinute()).isEqualTo(1_200);
        clock.advance(Duration.ofSeconds(31));
        UsageSnapshot later = tracker.usage("gemini-pro");

        assertThat(later.tokensLastMinute()).isZero();
        assertThat(later.requestsLastHour()).isEqualTo(1);
        assertThat(later.tokensLastDay()).isEqualTo(1_200);
    }

    @Test
    void givenTheSpecsHourlyLimits_whenUsageReaches80Percent_thenThrottleTurnsOnThere() {
        UsageTracker tracker = UsageTracker.builder().clock(clock)
                .modelLimits("gemini-pro", RateLimits.NONE.withTokensPerHour(500_000).withRequestsPerHour(1_000))
                .build();

        tracker.record("gemini-pro", "gemini", Usage.of(399_000, 999)); // one token short of 80%
        assertThat(tracker.shouldThrottle("gemini-pro")).isFalse();
        assertThat(tracker.headroom("gemini-pro")).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-5));
        tracker.record("gemini-pro", "gemini", Usage.of(1, 0)); // 400,000 of 500,000 tokens

        assertThat(tracker.shouldThrottle("gemini-pro")).isTrue();
    }

    @Test
    void givenACatalogFreeTier_whenItsRequestsPerMinuteAreNearlyUsed_thenThrottles() {
        UsageTracker tracker = UsageTracker.builder().clock(clock).catalog(TestModels.CATALOG).build();
        for (int i = 0; i < 3; i++) {
            tracker.record("gemini-pro:free", "gemini", Usage.of(10, 10));
        }
        assertThat(tracker.shouldThrottle("gemini-pro:free")).isFalse();

        tracker.record("gemini-pro:free", "gemini", Usage.of(10, 10)); // 4 of 5 RPM

        assertThat(tracker.shouldThrottle("gemini-pro:free")).isTrue();
        assertThat(tracker.tryAcquire("gemini-pro:free", "gemini", 0)).isPresent();
        assertThat(tracker.tryAcquire("gemini-pro:free", "gemini", 0)).isEmpty();
    }

    @Test
    void givenProviderHeaders_whenRemainingIsLow_thenThrottlesUntilTheReset() {
        UsageTracker tracker = UsageTracker.builder().clock(clock).build();

        tracker.observe(RateLimitObservation.ofTokens("openai", "gpt-4o", 30_000, 5_000, Duration.ofSeconds(20)));
        assertThat(tracker.headroom("gpt-4o")).isCloseTo(5_000.0 / 30_000, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(tracker.shouldThrottle("gpt-4o")).isTrue();
        clock.advance(Duration.ofSeconds(20));

        assertThat(tracker.shouldThrottle("gpt-4o")).isFalse();
    }

    @Test
    void givenBadSettings_whenBuilt_thenTheErrorNamesThem() {
        assertThatThrownBy(() -> UsageTracker.builder().throttleShare(1.5)).hasMessageContaining("throttleShare")
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> RateLimits.NONE.withRequestsPerMinute(0)).hasMessageContaining("requestsPerMinute")
                .hasMessageContaining("0");
    }

    @Test
    void givenNoLimitKnown_whenAskedWhatIsKnown_thenNothingUntilAReportAndNothingAgainOnceItsWindowsReset() {
        UsageTracker tracker = UsageTracker.builder().clock(clock).build();
        assertThat(tracker.known("llama-3.3-70b")).isEmpty();
        assertThat(tracker.headroom("llama-3.3-70b")).as("unknown counts as full").isEqualTo(1.0);

        tracker.observe(RateLimitObservation.ofRequests("groq", "llama-3.3-70b", 1000, 1, Duration.ofSeconds(86)));

        assertThat(tracker.known("llama-3.3-70b")).contains(0.001);
        clock.advance(Duration.ofSeconds(86));
        assertThat(tracker.known("llama-3.3-70b")).as("the window is whole again").isEmpty();
    }
}
