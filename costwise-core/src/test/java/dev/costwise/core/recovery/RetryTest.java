package dev.costwise.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.ClassifiedFailure;
import dev.costwise.core.FailureVerdict;
import dev.costwise.core.Primitive;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.MetricsCollector;
import dev.costwise.core.testing.CallersMistake;
import dev.costwise.core.testing.Contexts;
import dev.costwise.core.testing.FakeTicker;
import dev.costwise.core.testing.RecordingSleeper;
import dev.costwise.core.testing.Transient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingSleeper sleeper = new RecordingSleeper(ticker);
    private final AtomicInteger calls = new AtomicInteger();

    private Primitive<String, String> failingTimes(int failures) {
        return (in, ctx) -> {
            if (calls.incrementAndGet() <= failures) {
                throw new Transient("boom " + calls.get());
            }
            return in + "!";
        };
    }

    private RetryConfig.Builder config() {
        return RetryConfig.builder().sleeper(sleeper).jitter(0).backoff(Backoff.constant())
                .initialDelay(Duration.ofMillis(100)).retryOn(Transient.class);
    }

    /** A failure of a layer above core that says itself how to treat it, as provider exceptions do. */
    private static final class SelfJudged extends RuntimeException implements ClassifiedFailure {
        private final FailureVerdict verdict;

        SelfJudged(FailureVerdict verdict) {
            super(verdict.reason());
            this.verdict = verdict;
        }

        @Override
        public FailureVerdict verdict() {
            return verdict;
        }
    }

    private Primitive<String, String> alwaysFailing(RuntimeException failure) {
        return (in, ctx) -> {
            calls.incrementAndGet();
            throw failure;
        };
    }

    @Test
    void givenTheDefaultClassifier_whenAFailureSaysItIsFatalEvenWrapped_thenItIsNotRetried() {
        RetryConfig defaults = RetryConfig.builder().sleeper(sleeper).maxRetries(2).build();
        SelfJudged auth = new SelfJudged(FailureVerdict.fatal("authentication"));

        assertThatThrownBy(() -> Retry.of("openai", defaults).wrap(alwaysFailing(new CompletionException(auth)))
                .execute("hi", Contexts.on(ticker))).hasCauseReference(auth);
        assertThat(calls).hasValue(1);
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void givenTheDefaultClassifier_whenAFailureSaysItIsTransientOrSaysNothing_thenItIsRetriedAfterItsHint() {
        RetryConfig defaults = RetryConfig.builder().sleeper(sleeper).maxRetries(2).jitter(0).build();
        SelfJudged busy = new SelfJudged(FailureVerdict.transientFailure("rate_limited")
                .withRetryAfter(Duration.ofSeconds(3)));

        assertThatThrownBy(() -> Retry.of("openai", defaults).wrap(alwaysFailing(busy))
                .execute("hi", Contexts.on(ticker))).isSameAs(busy);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3));
        assertThatThrownBy(() -> Retry.of("user-code", defaults).wrap(alwaysFailing(new IllegalStateException("x")))
                .execute("hi", Contexts.on(ticker))).isInstanceOf(IllegalStateException.class);
        assertThat(calls).hasValue(6);
    }

    @Test
    void givenTwoTransientFailures_whenCalled_thenRetriesAndRecordsEachRetry() {
        WorkflowContext ctx = Contexts.on(ticker);
        Primitive<String, String> p = Retry.of("openai", config().maxRetries(3).build()).wrap(failingTimes(2));

        assertThat(p.execute("hi", ctx)).isEqualTo("hi!");

        assertThat(calls).hasValue(3);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
        assertThat(ctx.records("retry")).extracting(r -> r.attributes().get("attempt")).containsExactly(2, 3);
        StepRecord first = ctx.records("retry").get(0);
        assertThat(first.primitive()).isEqualTo("openai");
        assertThat(first.attributes()).containsEntry("delay", Duration.ofMillis(100)).containsEntry("reason", "Transient");
    }

    @Test
    void givenExponentialBackoffWithMax_whenRetried_thenDelaysDoubleUpToTheCap() {
        Primitive<String, String> p = Retry.of("r", config().maxRetries(4).backoff(Backoff.exponential())
                .maxDelay(Duration.ofMillis(300)).build()).wrap(failingTimes(4));

        p.execute("x", Contexts.on(ticker));

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(300), Duration.ofMillis(300));
    }

    @Test
    void givenLinearBackoff_whenRetried_thenDelaysGrowLinearly() {
        Primitive<String, String> p = Retry.of("r", config().maxRetries(3).backoff(Backoff.linear()).build())
                .wrap(failingTimes(3));

        p.execute("x", Contexts.on(ticker));

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300));
    }

    @Test
    void givenJitterAndSeededRandom_whenRetried_thenDelaysStayWithinTheJitterBand() {
        Primitive<String, String> p = Retry.of("r", config().maxRetries(5).jitter(0.5)
                .random(new SplittableRandom(42)).build()).wrap(failingTimes(5));

        p.execute("x", Contexts.on(ticker));

        assertThat(sleeper.sleeps()).hasSize(5)
                .allSatisfy(d -> assertThat(d).isBetween(Duration.ofMillis(50), Duration.ofMillis(150)));
        assertThat(sleeper.sleeps()).doesNotHaveDuplicates();
    }

    @Test
    void givenRetryAfterHint_whenRetried_thenWaitsAtLeastTheHint() {
        RetryConfig c = config().maxRetries(1)
                .classifier(f -> FailureVerdict.transientFailure("rate_limited").withRetryAfter(Duration.ofSeconds(7)))
                .build();

        Retry.of("r", c).wrap(failingTimes(1)).execute("x", Contexts.on(ticker));

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(7));
    }

    private RetryConfig.Builder askingToWait(Duration retryAfter) {
        return config().maxRetries(3)
                .classifier(f -> FailureVerdict.transientFailure("rate_limited").withRetryAfter(retryAfter));
    }

    @Test
    void givenARetryAfterOfAnHourAndNoDeadline_whenRetrying_thenGivesUpAtOnceInsteadOfBlockingForTheHour() {
        MetricsCollector metrics = MetricsCollector.of(new SimpleMeterRegistry());
        WorkflowContext ctx = Contexts.on(ticker);
        Primitive<String, String> p = Retry.of("r", askingToWait(Duration.ofHours(1)).metrics(metrics).build())
                .wrap(failingTimes(1));

        assertThatThrownBy(() -> p.execute("x", ctx)).isInstanceOf(Transient.class).hasMessage("boom 1");

        assertThat(sleeper.sleeps()).isEmpty();
        assertThat(calls).hasValue(1);
        assertThat(ctx.records("retry")).isEmpty();
        assertThat(ctx.records("retry_stopped")).singleElement().extracting(StepRecord::attributes)
                .isEqualTo(Map.of("reason", "retry_after_too_long", "attempts", 1,
                        "retry_after", Duration.ofHours(1)));
        assertThat(metrics.snapshot("r").rejections()).containsEntry("retry_after_too_long", 1L);
    }

    @Test
    void givenARetryAfterOfExactlyTheDefaultMaximum_whenRetrying_thenWaitsItOut() {
        assertThat(RetryConfig.ofDefaults().maxRetryAfter()).isEqualTo(Duration.ofSeconds(60));

        Retry.of("r", askingToWait(Duration.ofSeconds(60)).build()).wrap(failingTimes(1))
                .execute("x", Contexts.on(ticker));

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(60));
        assertThat(calls).hasValue(2);
    }

    @Test
    void givenAHigherMaxRetryAfter_whenTheProviderAsksForAnHour_thenTheRetryWaitsTheHour() {
        RetryConfig c = askingToWait(Duration.ofHours(1)).maxRetryAfter(Duration.ofHours(2)).build();

        assertThat(Retry.of("r", c).wrap(failingTimes(1)).execute("x", Contexts.on(ticker))).isEqualTo("x!");

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofHours(1));
        assertThat(c.toBuilder().build().maxRetryAfter()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void givenAMaxRetryAfterOfZero_whenAFailureAsksForAnyWait_thenItIsNotRetriedButOneWithoutAHintIs() {
        Primitive<String, String> p = Retry.of("r", askingToWait(Duration.ofMillis(1)).maxRetryAfter(Duration.ZERO)
                .build()).wrap(failingTimes(1));
        assertThatThrownBy(() -> p.execute("x", Contexts.on(ticker))).isInstanceOf(Transient.class);

        calls.set(0);
        Retry.of("r", config().maxRetries(1).maxRetryAfter(Duration.ZERO).build()).wrap(failingTimes(1))
                .execute("x", Contexts.on(ticker));
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void givenCallersMistake_whenCalled_thenNotRetried() {
        Primitive<String, String> p = Retry.of("r", config().maxRetries(3).build()).wrap((in, ctx) -> {
            calls.incrementAndGet();
            throw new CallersMistake("bad request");
        });

        assertThatThrownBy(() -> p.execute("x", Contexts.on(ticker))).isInstanceOf(CallersMistake.class);
        assertThat(calls).hasValue(1);
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void givenRetriesExhausted_whenCalled_thenLastFailureIsRethrown() {
        WorkflowContext ctx = Contexts.on(ticker);
        Primitive<String, String> p = Retry.of("r", config().maxRetries(2).build()).wrap(failingTimes(10));

        assertThatThrownBy(() -> p.execute("x", ctx)).isInstanceOf(Transient.class).hasMessage("boom 3");
        assertThat(ctx.records("retry_stopped")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("reason", "max_retries"));
    }

    @Test
    void givenDelayBeyondDeadline_whenRetrying_thenFailsAtOnceWithTheLastCause() {
        WorkflowContext ctx = Contexts.on(ticker, Duration.ofSeconds(1));
        Primitive<String, String> p = Retry.of("r", config().maxRetries(3).initialDelay(Duration.ofSeconds(2))
                .maxDelay(Duration.ofSeconds(2)).build()).wrap(failingTimes(10));

        assertThatThrownBy(() -> p.execute("x", ctx)).isInstanceOf(Transient.class).hasMessage("boom 1");
        assertThat(sleeper.sleeps()).isEmpty();
        assertThat(ctx.records("retry_stopped")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("reason", "deadline"));
    }

    @Test
    void givenDeadline_whenRetryingRepeatedly_thenTotalSleepNeverPassesTheDeadline() {
        WorkflowContext ctx = Contexts.on(ticker, Duration.ofMillis(250));
        Primitive<String, String> p = Retry.of("r", config().maxRetries(10).build()).wrap(failingTimes(100));

        assertThatThrownBy(() -> p.execute("x", ctx)).isInstanceOf(Transient.class);

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
        assertThat(ctx.deadline().orElseThrow().isExpired()).isFalse();
    }

    @Test
    void givenSustainedOutage_whenManyCallsRetry_thenRetryBudgetCapsExtraTraffic() {
        RetryBudget budget = RetryBudget.builder().ratio(0.1).minRetriesPerSecond(0).window(Duration.ofSeconds(10))
                .ticker(ticker).build();
        Primitive<String, String> p = Retry.of("r", config().maxRetries(3).initialDelay(Duration.ZERO)
                .budget(budget).build()).wrap(failingTimes(Integer.MAX_VALUE));

        for (int i = 0; i < 100; i++) {
            assertThatThrownBy(() -> p.execute("x", Contexts.on(ticker))).isInstanceOf(Transient.class);
        }

        // without a budget 100 calls × (1 + 3 retries) = 400 upstream calls
        assertThat(calls.get()).isBetween(100, 110);
    }

    @Test
    void givenRetryBudgetWindowPassed_whenOutageContinues_thenOldCallsNoLongerEarnRetries() {
        RetryBudget budget = RetryBudget.builder().ratio(0.5).minRetriesPerSecond(0).window(Duration.ofSeconds(1))
                .ticker(ticker).build();
        for (int i = 0; i < 10; i++) {
            budget.recordCall();
        }
        assertThat(budget.tryWithdraw()).isTrue();

        ticker.advance(Duration.ofSeconds(2));

        assertThat(budget.tryWithdraw()).isFalse();
    }

    @Test
    void givenFallbackOnlyFailure_whenCalled_thenNotRetried() {
        Primitive<String, String> p = Retry.of("r", config().maxRetries(3)
                .classifier(f -> FailureVerdict.fallbackOnly("context_length")).build()).wrap(failingTimes(5));

        assertThatThrownBy(() -> p.execute("x", Contexts.on(ticker))).isInstanceOf(Transient.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void givenNegativeMaxRetries_whenBuilding_thenFailsNamingParameterAndValue() {
        assertThatThrownBy(() -> RetryConfig.builder().maxRetries(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxRetries must be >= 0, was -1");
        assertThatThrownBy(() -> RetryConfig.builder().jitter(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter").hasMessageContaining("1.5");
        assertThatThrownBy(() -> RetryConfig.builder().initialDelay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialDelay").hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> RetryConfig.builder().initialDelay(Duration.ofSeconds(5)).maxDelay(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxDelay (PT1S)");
        assertThatThrownBy(() -> RetryConfig.builder().maxRetryAfter(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRetryAfter")
                .hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> Backoff.exponential(0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier").hasMessageContaining("0.5");
        assertThatThrownBy(() -> RetryBudget.builder().ratio(-0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratio").hasMessageContaining("-0.1");
    }

    @Test
    void givenInterruptDuringBackoff_whenRetrying_thenFailsTypedAndKeepsInterruptFlag() {
        RetryConfig c = config().maxRetries(1).sleeper(d -> {
            throw new InterruptedException();
        }).build();
        Primitive<String, String> p = Retry.of("r", c).wrap(failingTimes(1));
        try {
            assertThatThrownBy(() -> p.execute("x", Contexts.on(ticker)))
                    .isInstanceOf(CallInterruptedException.class)
                    .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(Transient.class));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void givenMetricsCollector_whenRetried_thenSnapshotCountsRetriesByReason() {
        MetricsCollector metrics = MetricsCollector.of(new SimpleMeterRegistry());
        Retry.of("openai", config().maxRetries(3).metrics(metrics).build()).wrap(failingTimes(2))
                .execute("x", Contexts.on(ticker));

        assertThat(metrics.snapshot("openai").retries()).isEqualTo(2);
        assertThat(metrics.snapshot("openai").retriesByReason()).containsEntry("Transient", 2L);
        assertThat(metrics.snapshot("openai").successes()).isEqualTo(1);
    }
}
