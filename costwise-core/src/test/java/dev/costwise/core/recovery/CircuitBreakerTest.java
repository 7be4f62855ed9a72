package dev.costwise.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.FailureClassifier;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.PrimitiveMetrics;
import dev.costwise.core.testing.CallersMistake;
import dev.costwise.core.testing.Contexts;
import dev.costwise.core.testing.FakeTicker;
import dev.costwise.core.testing.Transient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final FakeTicker ticker = new FakeTicker();
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final AtomicInteger calls = new AtomicInteger();
    private final Primitive<String, String> upstream = (in, ctx) -> {
        calls.incrementAndGet();
        if (!healthy.get()) {
            throw new Transient("down");
        }
        return "ok";
    };

    private CircuitBreaker breaker(int probes) {
        return CircuitBreaker.of("openai", CircuitBreakerConfig.builder()
                .failureRateThreshold(0.5).slidingWindowSize(4).minimumCalls(4)
                .waitDurationInOpenState(Duration.ofSeconds(30)).permittedCallsInHalfOpenState(probes)
                .classifier(FailureClassifier.retryOn(Transient.class)).ticker(ticker).build());
    }

    private void call(Primitive<String, String> p, WorkflowContext ctx) {
        try {
            p.execute("x", ctx);
        } catch (Transient expected) {
            // counted by the breaker
        }
    }

    @Test
    void givenFailureRateReached_whenTimePasses_thenClosedOpenHalfOpenClosed() {
        CircuitBreaker breaker = breaker(2);
        Primitive<String, String> p = breaker.wrap(upstream);
        WorkflowContext ctx = Contexts.on(ticker);

        call(p, ctx);
        call(p, ctx);
        healthy.set(false);
        call(p, ctx);
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
        call(p, ctx);
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);

        assertThatThrownBy(() -> p.execute("x", ctx)).isInstanceOf(CircuitOpenException.class);
        assertThat(calls).hasValue(4);

        ticker.advance(Duration.ofSeconds(29));
        assertThatThrownBy(() -> p.execute("x", ctx)).isInstanceOf(CircuitOpenException.class);
        ticker.advance(Duration.ofSeconds(1));
        healthy.set(true);
        assertThat(p.execute("x", ctx)).isEqualTo("ok");
        assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(p.execute("x", ctx)).isEqualTo("ok");
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);

        assertThat(ctx.records("circuit_state")).extracting(r -> r.attributes().get("to"))
                .containsExactly("OPEN", "HALF_OPEN", "CLOSED");
    }

    @Test
    void givenHalfOpen_whenProbeFails_thenOpensAgain() {
        CircuitBreaker breaker = CircuitBreaker.of("b", CircuitBreakerConfig.builder().consecutiveFailures(2)
                .waitDurationInOpenState(Duration.ofSeconds(10)).ticker(ticker).build());
        Primitive<String, String> p = breaker.wrap(upstream);
        WorkflowContext ctx = Contexts.on(ticker);
        healthy.set(false);
        call(p, ctx);
        call(p, ctx);
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);

        ticker.advance(Duration.ofSeconds(10));
        call(p, ctx);

        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        assertThat(calls).hasValue(3);
        assertThatThrownBy(() -> p.execute("x", ctx)).isInstanceOf(CircuitOpenException.class);
    }

    @Test
    void givenHalfOpenWithOneProbe_whenProbeInFlight_thenSecondCallIsRejected() {
        CircuitBreaker breaker = CircuitBreaker.of("b", CircuitBreakerConfig.builder().consecutiveFailures(1)
                .waitDurationInOpenState(Duration.ofSeconds(10)).permittedCallsInHalfOpenState(1).ticker(ticker).build());
        AtomicReference<Primitive<String, String>> self = new AtomicReference<>();
        List<Throwable> nested = new ArrayList<>();
        Primitive<String, String> p = breaker.wrap((in, ctx) -> {
            if (in.equals("probe")) {
                try {
                    self.get().execute("nested", ctx);
                } catch (CircuitOpenException e) {
                    nested.add(e);
                }
                return "probed";
            }
            throw new Transient("down");
        });
        self.set(p);
        WorkflowContext ctx = Contexts.on(ticker);
        assertThatThrownBy(() -> p.execute("x", ctx)).isInstanceOf(Transient.class);
        ticker.advance(Duration.ofSeconds(10));

        assertThat(p.execute("probe", ctx)).isEqualTo("probed");

        assertThat(nested).singleElement().satisfies(e -> {
            assertThat(((CircuitOpenException) e).state()).isEqualTo(CircuitState.HALF_OPEN);
            assertThat(((CircuitOpenException) e).remainingOpenDuration()).isZero();
            assertThat(e).hasMessage("circuit breaker 'b' is HALF_OPEN and does not permit further calls until one of "
                    + "its probe calls ends");
        });
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void givenHalfOpenProbeEndingInACallersMistake_whenOthersWereRefusedMeanwhile_thenTheNextCallMayProbe() {
        CircuitBreaker breaker = CircuitBreaker.of("b", CircuitBreakerConfig.builder().consecutiveFailures(1)
                .waitDurationInOpenState(Duration.ofSeconds(10)).permittedCallsInHalfOpenState(1)
                .classifier(FailureClassifier.retryOn(Transient.class)).ticker(ticker).build());
        breaker.tryAcquirePermission().orElseThrow().onFailure(new Transient("down"));
        ticker.advance(Duration.ofSeconds(10));
        CircuitBreaker.Permission probe = breaker.tryAcquirePermission().orElseThrow();
        for (int i = 0; i < 5; i++) {
            assertThat(breaker.tryAcquirePermission()).as("the probe is in flight").isEmpty();
        }

        probe.onFailure(new CallersMistake("invalid")); // says nothing about the dependency

        assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(breaker.tryAcquirePermission()).as("the probe was given back, not lost").isPresent();
    }

    @Test
    void givenAPermissionTakenInAContext_whenItsCallFailsLater_thenTheTransitionIsRecordedThereAndCallsAreTimed() {
        List<String> timed = new ArrayList<>();
        CircuitBreaker breaker = CircuitBreaker.of("b", CircuitBreakerConfig.builder().consecutiveFailures(1)
                .classifier(FailureClassifier.retryOn(Transient.class)).ticker(ticker)
                .metrics(new PrimitiveMetrics() {
                    @Override
                    public void onCall(String primitive, String type, long nanos, boolean success) {
                        timed.add(primitive + " " + type + " " + Duration.ofNanos(nanos) + " " + success);
                    }
                }).build());
        WorkflowContext ctx = Contexts.on(ticker);

        CircuitBreaker.Permission permission = breaker.acquirePermission(ctx);
        ticker.advance(Duration.ofSeconds(3));
        permission.onFailure(new Transient("down mid-stream"));

        assertThat(ctx.records("circuit_state")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("from", "CLOSED").containsEntry("to", "OPEN"));
        assertThatThrownBy(() -> breaker.acquirePermission(ctx)).isInstanceOf(CircuitOpenException.class)
                .hasMessage("circuit breaker 'b' is OPEN and does not permit further calls for another 60 s");
        assertThat(timed).containsExactly("b circuit_breaker PT3S false", "b circuit_breaker PT0S false");
    }

    @Test
    void givenOwnCallLoop_whenOutcomesAreReportedToPermissions_thenTheCircuitOpensWaitsAndCloses() {
        CircuitBreaker breaker = breaker(1);
        for (int i = 0; i < 4; i++) {
            CircuitBreaker.Permission p = breaker.tryAcquirePermission().orElseThrow();
            p.onFailure(new Transient("down"));
            p.onSuccess(); // a second report is ignored
        }

        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        assertThat(breaker.tryAcquirePermission()).isEmpty();
        assertThat(breaker.remainingOpenDuration()).isEqualTo(Duration.ofSeconds(30));
        ticker.advance(Duration.ofSeconds(12));
        assertThat(breaker.remainingOpenDuration()).isEqualTo(Duration.ofSeconds(18));
        ticker.advance(Duration.ofSeconds(18));
        assertThat(breaker.remainingOpenDuration()).isZero();

        CircuitBreaker.Permission probe = breaker.tryAcquirePermission().orElseThrow();
        assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
        probe.onSuccess();

        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
        assertThat(breaker.remainingOpenDuration()).isZero();
    }

    @Test
    void givenOpenCircuit_whenItRefuses_thenTheExceptionSaysHowLongItStillRefuses() {
        CircuitBreaker breaker = breaker(1);
        Primitive<String, String> p = breaker.wrap(upstream);
        WorkflowContext ctx = Contexts.on(ticker);
        healthy.set(false);
        for (int i = 0; i < 4; i++) {
            call(p, ctx);
        }
        ticker.advance(Duration.ofMillis(12_300));

        assertThatThrownBy(() -> p.execute("x", ctx)).isInstanceOfSatisfying(CircuitOpenException.class, e -> {
            assertThat(e.remainingOpenDuration()).isEqualTo(Duration.ofMillis(17_700));
            assertThat(e).hasMessage("circuit breaker 'openai' is OPEN and does not permit further calls for another "
                    + "18 s"); // rounded up, as a Retry-After: a retry after 18 s is let through
        });
        ticker.advance(Duration.ofMillis(17_600));
        assertThatThrownBy(() -> breaker.acquirePermission(ctx)).isInstanceOfSatisfying(CircuitOpenException.class,
                e -> assertThat(e).hasMessage("circuit breaker 'openai' is OPEN and does not permit further calls "
                        + "for another 100 ms"));
        assertThat(calls).hasValue(4);
    }

    @Test
    void givenANegativeRemainingWait_whenConstructing_thenFailsNamingIt() {
        assertThatThrownBy(() -> new CircuitOpenException("b", CircuitState.OPEN, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("remainingOpenDuration cannot be negative, was PT-1S");
    }

    private CircuitBreaker halfOpenAfterOneFailure(int probes, Duration maxWaitInHalfOpen) {
        CircuitBreaker breaker = CircuitBreaker.of("b", CircuitBreakerConfig.builder().consecutiveFailures(1)
                .waitDurationInOpenState(Duration.ofSeconds(10)).permittedCallsInHalfOpenState(probes)
                .maxWaitDurationInHalfOpenState(maxWaitInHalfOpen)
                .classifier(FailureClassifier.retryOn(Transient.class)).ticker(ticker).build());
        breaker.tryAcquirePermission().orElseThrow().onFailure(new Transient("down"));
        ticker.advance(Duration.ofSeconds(10));
        return breaker;
    }

    @Test
    void givenAProbeNeverReported_whenMaxWaitInHalfOpenPasses_thenTheNextCallReopensTheCircuit() {
        CircuitBreaker breaker = halfOpenAfterOneFailure(1, Duration.ofMinutes(2));
        WorkflowContext ctx = Contexts.on(ticker);
        CircuitBreaker.Permission leaked = breaker.acquirePermission(ctx); // a stream never read nor closed

        ticker.advance(Duration.ofSeconds(119));
        assertThatThrownBy(() -> breaker.acquirePermission(ctx)).isInstanceOfSatisfying(CircuitOpenException.class,
                e -> assertThat(e.state()).isEqualTo(CircuitState.HALF_OPEN));
        ticker.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> breaker.acquirePermission(ctx)).isInstanceOfSatisfying(CircuitOpenException.class,
                e -> assertThat(e.remainingOpenDuration()).isEqualTo(Duration.ofSeconds(10)));

        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        assertThat(ctx.records("circuit_state")).extracting(r -> r.attributes().get("to"))
                .containsExactly("HALF_OPEN", "OPEN");
        leaked.onSuccess(); // too late: it belongs to the half-open state that gave up on it
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        ticker.advance(Duration.ofSeconds(10));
        breaker.acquirePermission(ctx).onSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void givenProbesTakenOrEndingRecently_whenMaxWaitInHalfOpenPassedSinceItOpened_thenItWaitsForThem() {
        CircuitBreaker breaker = halfOpenAfterOneFailure(3, Duration.ofMinutes(2));
        ticker.advance(Duration.ofMinutes(5)); // no call at all meanwhile: nothing is overdue
        breaker.tryAcquirePermission().orElseThrow().onSuccess();
        breaker.tryAcquirePermission().orElseThrow(); // held
        ticker.advance(Duration.ofSeconds(90));
        breaker.tryAcquirePermission().orElseThrow(); // held, taken 90 s after the first

        ticker.advance(Duration.ofSeconds(119));
        assertThat(breaker.tryAcquirePermission()).isEmpty();
        assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
        ticker.advance(Duration.ofSeconds(1));
        assertThat(breaker.tryAcquirePermission()).isEmpty();
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    }

    @Test
    void givenNoMaxWaitInHalfOpen_whenAProbeIsNeverReported_thenTheCircuitWaitsForIt() {
        CircuitBreaker breaker = halfOpenAfterOneFailure(1, Duration.ZERO);
        breaker.tryAcquirePermission().orElseThrow();

        ticker.advance(Duration.ofDays(1));

        assertThat(breaker.tryAcquirePermission()).isEmpty();
        assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(CircuitBreakerConfig.ofDefaults().maxWaitDurationInHalfOpenState()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void givenCallersMistakes_whenTheyRepeat_thenCircuitStaysClosed() {
        CircuitBreaker breaker = CircuitBreaker.of("b", CircuitBreakerConfig.builder().consecutiveFailures(1)
                .classifier(FailureClassifier.retryOn(Transient.class)).ticker(ticker).build());
        Primitive<String, String> p = breaker.wrap((in, ctx) -> {
            throw new CallersMistake("invalid");
        });

        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> p.execute("x", Contexts.on(ticker))).isInstanceOf(CallersMistake.class);
        }

        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void givenOpenCircuit_whenRejecting_thenExceptionIsCheapAndNamesBreakerAndState() {
        CircuitOpenException e = new CircuitOpenException("openai", CircuitState.OPEN);

        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e).hasMessage("circuit breaker 'openai' is OPEN and does not permit further calls");
        assertThat(e.name()).isEqualTo("openai");
    }

    @Test
    void givenBadSettings_whenBuilding_thenFailsNamingParameterAndValue() {
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().failureRateThreshold(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("failureRateThreshold must be in (0, 1], was 1.5");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().slidingWindowSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("slidingWindowSize must be >= 1, was 0");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().waitDurationInOpenState(Duration.ofSeconds(-3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("waitDurationInOpenState must be positive, was PT-3S");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().maxWaitDurationInHalfOpenState(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxWaitDurationInHalfOpenState cannot be negative, was PT-1S");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().consecutiveFailures(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("consecutiveFailures must be >= 0, was -1");
    }
}
