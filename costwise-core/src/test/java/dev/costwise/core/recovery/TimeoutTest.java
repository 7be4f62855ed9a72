package dev.costwise.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.DeadlineExceededException;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.testing.Contexts;
import dev.costwise.core.testing.FakeTicker;
import dev.costwise.core.testing.Transient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TimeoutTest {

    private final FakeTicker ticker = new FakeTicker();

    @Test
    void givenFastCall_whenBounded_thenReturnsItsResult() {
        assertThat(Timeout.of("t", Duration.ofSeconds(5)).wrap((String in, WorkflowContext c) -> in + "!")
                .execute("x", Contexts.on(ticker))).isEqualTo("x!");
    }

    @Test
    void givenBlockedWork_whenTimeoutExpires_thenWorkIsInterruptedAndReallyStops() throws InterruptedException {
        // the bound is generous so the worker surely starts on a loaded machine; a task cancelled before it starts
        // never runs at all
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch sawInterrupt = new CountDownLatch(1);
        AtomicBoolean continuedAfterWait = new AtomicBoolean();
        Primitive<String, String> work = (in, ctx) -> {
            try {
                never.await();
                continuedAfterWait.set(true);
                return "late";
            } catch (InterruptedException e) {
                sawInterrupt.countDown();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        };
        WorkflowContext ctx = WorkflowContext.of("test");

        assertThatThrownBy(() -> Timeout.of("openai-timeout", Duration.ofMillis(500)).wrap(work).execute("x", ctx))
                .isInstanceOf(TimeoutExceededException.class)
                .hasMessage("timeout 'openai-timeout' expired after PT0.5S; the call was interrupted");

        assertThat(sawInterrupt.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(continuedAfterWait).isFalse();
        assertThat(ctx.records("timeout")).hasSize(1);
    }

    @Test
    void givenOuterDeadline_whenInnerCallRuns_thenItSeesTheNarrowedDeadlineAndItIsRestoredAfter() {
        WorkflowContext ctx = Contexts.on(ticker, Duration.ofSeconds(30));
        AtomicReference<Duration> seen = new AtomicReference<>();

        Timeout.of("t", Duration.ofSeconds(2)).wrap((String in, WorkflowContext c) -> {
            seen.set(c.remaining().orElseThrow());
            return in;
        }).execute("x", ctx);

        assertThat(seen.get()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ctx.remaining()).contains(Duration.ofSeconds(30));
    }

    @Test
    void givenDeadlineTighterThanTimeout_whenCallOverruns_thenFailsWithDeadlineExceeded() {
        WorkflowContext ctx = WorkflowContext.builder("test").timeout(Duration.ofMillis(50)).build();
        CountDownLatch never = new CountDownLatch(1);

        assertThatThrownBy(() -> Timeout.of("t", Duration.ofMinutes(5)).wrap((String in, WorkflowContext c) -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return in;
        }).execute("x", ctx))
                .isInstanceOf(DeadlineExceededException.class)
                .isNotInstanceOf(TimeoutExceededException.class)
                .hasMessageContaining("'t' exceeded the request deadline");
    }

    @Test
    void givenExpiredDeadline_whenCalled_thenFailsWithoutRunning() {
        WorkflowContext ctx = Contexts.on(ticker, Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(2));
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> Timeout.of("t", Duration.ofSeconds(5)).wrap((String in, WorkflowContext c) -> {
            calls.incrementAndGet();
            return in;
        }).execute("x", ctx)).isInstanceOf(DeadlineExceededException.class);
        assertThat(calls).hasValue(0);
    }

    @Test
    void givenFailingCall_whenBounded_thenTheOriginalFailurePropagates() {
        Transient boom = new Transient("boom");
        assertThatThrownBy(() -> Timeout.of("t", Duration.ofSeconds(5)).wrap((String in, WorkflowContext c) -> {
            throw boom;
        }).execute("x", Contexts.on(ticker))).isSameAs(boom);
    }

    @Test
    void givenCallerThreadIsolation_whenTimeoutExpires_thenCallerWorkIsInterruptedAndFlagCleared() {
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        Timeout timeout = Timeout.builder("caller-timeout").timeout(Duration.ofMillis(50))
                .isolation(Timeout.Isolation.CALLER_THREAD).build();
        Primitive<String, String> work = (in, ctx) -> {
            try {
                never.await();
                return "late";
            } catch (InterruptedException e) {
                sawInterrupt.set(true);
                throw new IllegalStateException("interrupted", e);
            }
        };

        assertThatThrownBy(() -> timeout.wrap(work).execute("x", WorkflowContext.of("t")))
                .isInstanceOf(TimeoutExceededException.class)
                .hasMessageContaining("'caller-timeout' expired after PT0.05S")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(IllegalStateException.class));
        assertThat(sawInterrupt).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void givenCallerThreadIsolation_whenCallIsFast_thenNoInterruptLeaksToTheCaller() {
        Timeout timeout = Timeout.builder("t").timeout(Duration.ofSeconds(5)).isolation(Timeout.Isolation.CALLER_THREAD).build();

        for (int i = 0; i < 1000; i++) {
            assertThat(timeout.wrap((String in, WorkflowContext c) -> in).execute("x", Contexts.on(ticker))).isEqualTo("x");
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void givenZeroTimeout_whenCreating_thenFailsNamingParameterAndValue() {
        assertThatThrownBy(() -> Timeout.of("t", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT0S");
    }

    @Test
    void givenDefaultIsolation_whenCalledFromVirtualOrPlatformThread_thenStaysOnVirtualCallersAndHopsFromPlatformOnes()
            throws Exception {
        Timeout timeout = Timeout.of("t", Duration.ofSeconds(5));
        assertThat(timeout.isolation()).isEqualTo(Timeout.Isolation.AUTO);
        Primitive<String, Thread> whereItRan = timeout.wrap((in, ctx) -> Thread.currentThread());

        AtomicReference<Thread> caller = new AtomicReference<>();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Thread virtual = Thread.ofVirtual().start(() -> {
            caller.set(Thread.currentThread());
            ranOn.set(whereItRan.execute("x", WorkflowContext.of("t")));
        });
        virtual.join();
        assertThat(ranOn.get()).isSameAs(caller.get());

        Thread platform = Thread.ofPlatform().start(() -> {
            caller.set(Thread.currentThread());
            ranOn.set(whereItRan.execute("x", WorkflowContext.of("t")));
        });
        platform.join();
        assertThat(ranOn.get()).isNotSameAs(caller.get());
        assertThat(ranOn.get().isVirtual()).isTrue();
    }

    @Test
    void givenAStartedBound_whenItExpires_thenTheWorkIsStoppedOnceAndItsOutcomeIsTheTypedTimeout()
            throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicInteger stops = new AtomicInteger();
        WorkflowContext ctx = WorkflowContext.of("test");
        Timeout.Bound bound = Timeout.of("stream-timeout", Duration.ofMillis(50)).start(ctx, () -> {
            stops.incrementAndGet();
            stopped.countDown();
        });

        assertThat(stopped.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(bound.onFailure()).as("the failure came after the bound expired").isFalse();
        assertThat(bound.onSuccess()).isFalse();
        assertThat(bound.expired()).isInstanceOf(TimeoutExceededException.class)
                .hasMessage("timeout 'stream-timeout' expired after PT0.05S; the work was stopped");
        assertThat(stops).hasValue(1);
        assertThat(ctx.records("timeout")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("deadline", false));
    }

    @Test
    void givenAStartedBound_whenTheWorkEndsInTime_thenItsTimerIsCancelledAndTheWorkNeverStopped() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        timer.setRemoveOnCancelPolicy(true);
        AtomicInteger stops = new AtomicInteger();
        WorkflowContext ctx = Contexts.on(ticker, Duration.ofSeconds(5));
        try {
            Timeout.Bound bound = Timeout.builder("t").timeout(Duration.ofMinutes(1)).scheduler(timer).build()
                    .start(ctx, stops::incrementAndGet);

            assertThat(bound.duration()).as("the deadline is the tighter bound").isEqualTo(Duration.ofSeconds(5));
            assertThat(timer.getQueue()).hasSize(1);
            assertThat(bound.onSuccess()).isTrue();
            assertThat(timer.getQueue()).isEmpty();
            assertThat(bound.expired()).isExactlyInstanceOf(DeadlineExceededException.class);
        } finally {
            timer.shutdownNow();
        }
        assertThat(stops).hasValue(0);
        assertThat(ctx.records("timeout")).isEmpty();
    }

    @Test
    void givenAFailureAtTheBoundsEnd_whenReportedBeforeItsTimerFired_thenItIsTheBoundsExpiryStoppedAndRecorded() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        timer.setRemoveOnCancelPolicy(true);
        AtomicInteger stops = new AtomicInteger();
        WorkflowContext ctx = Contexts.on(ticker);
        try {
            Timeout.Bound bound = Timeout.builder("t").timeout(Duration.ofSeconds(5)).scheduler(timer).build()
                    .start(ctx, stops::incrementAndGet);
            ticker.advance(Duration.ofSeconds(5)); // a clock below (a provider's deadline) fired at the same instant

            assertThat(bound.onFailure()).as("a failure at the bound's end is the bound's").isFalse();
            assertThat(stops).as("the work was stopped before the owner throws").hasValue(1);
            assertThat(timer.getQueue()).as("the timer has nothing left to do").isEmpty();
        } finally {
            timer.shutdownNow();
        }
        assertThat(ctx.records("timeout")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("deadline", false));
    }

    @Test
    void givenASharedContext_whenACallIsBounded_thenOnlyItsOwnContextSeesTheNarrowerDeadline() {
        WorkflowContext shared = Contexts.on(ticker, Duration.ofMinutes(1));
        AtomicReference<Duration> sharedDuringTheCall = new AtomicReference<>();
        AtomicReference<Duration> callDuringTheCall = new AtomicReference<>();
        Timeout.builder("t").timeout(Duration.ofSeconds(2)).isolation(Timeout.Isolation.CALLER_THREAD).build()
                .wrap((String in, WorkflowContext c) -> {
                    sharedDuringTheCall.set(shared.remaining().orElseThrow());
                    callDuringTheCall.set(c.remaining().orElseThrow());
                    return in;
                }).execute("x", shared);

        assertThat(callDuringTheCall.get()).as("the call runs under its bound").isEqualTo(Duration.ofSeconds(2));
        assertThat(sharedDuringTheCall.get()).as("calls beside it keep the context's deadline")
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(shared.remaining()).contains(Duration.ofMinutes(1));
    }

    @Test
    void givenNoTimeLeft_whenABoundIsStarted_thenItFailsAtOnce() {
        WorkflowContext ctx = Contexts.on(ticker, Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1));

        assertThatThrownBy(() -> Timeout.of("t", Duration.ofSeconds(5)).start(ctx, () -> { }))
                .isExactlyInstanceOf(DeadlineExceededException.class);
        assertThat(ctx.records("timeout")).hasSize(1);
    }
}
