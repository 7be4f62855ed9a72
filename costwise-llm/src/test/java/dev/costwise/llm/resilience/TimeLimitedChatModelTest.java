package dev.costwise.llm.resilience;

import static dev.costwise.llm.resilience.OpenAiUpstream.adapter;
import static dev.costwise.llm.resilience.OpenAiUpstream.chunk;
import static dev.costwise.llm.resilience.OpenAiUpstream.completion;
import static dev.costwise.llm.resilience.OpenAiUpstream.costRecords;
import static dev.costwise.llm.resilience.OpenAiUpstream.eventStream;
import static dev.costwise.llm.resilience.OpenAiUpstream.readAll;
import static dev.costwise.llm.resilience.OpenAiUpstream.sse;
import static dev.costwise.llm.resilience.OpenAiUpstream.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.DeadlineExceededException;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Timeout;
import dev.costwise.core.recovery.TimeoutExceededException;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.http.TestPricers;
import dev.costwise.llm.provider.ProviderException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TimeLimitedChatModel} over the real OpenAI adapter and a MockWebServer whose answers stall: the timeout's
 * timers run on a {@link ManualScheduler}, fired by the test, so a bound "expires" without the test waiting for it.
 */
class TimeLimitedChatModelTest {

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final ManualScheduler timers = new ManualScheduler();
    private final WorkflowContext ctx = WorkflowContext.of("test");

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    private Timeout timeout(Duration duration) {
        return Timeout.builder("openai-timeout").timeout(duration).scheduler(timers).build();
    }

    private static ChatRequest hi() {
        return ChatRequest.of("gpt-4o", "hi");
    }

    /** Runs {@code read} on a virtual thread, and gives what it threw. */
    private static FutureTask<Throwable> reader(Runnable read) {
        FutureTask<Throwable> reader = new FutureTask<>(() -> {
            try {
                read.run();
                return null;
            } catch (RuntimeException e) {
                return e;
            } finally {
                assertThat(Thread.currentThread().isInterrupted()).as("no interrupt of the timeout's is left")
                        .isFalse();
            }
        });
        Thread.ofVirtual().name("reader").start(reader);
        return reader;
    }

    /** @return the OpenAI adapter bounded by a timeout of {@code duration} */
    private ChatModel bounded(Duration duration) {
        return TimeLimitedChatModel.of(timeout(duration), adapter(server, "gpt-4o").build());
    }

    /** Lets the bound expire while a reader waits for the stream's first chunk; gives what the reader got. */
    private Throwable expireWhileAwaitingTheFirstChunk(ChatStream s) throws Exception {
        FutureTask<Throwable> reader = reader(s::hasNext); // blocks until the first chunk, or the upstream closes
        timers.fireAll();
        try {
            return reader.get(10, TimeUnit.SECONDS);
        } finally {
            s.close();
        }
    }

    private static void assertOneTimeoutRecorded(WorkflowContext context, boolean deadline) {
        assertThat(context.records("timeout")).singleElement().extracting(StepRecord::attributes)
                .satisfies(a -> assertThat(a).containsEntry("deadline", deadline));
    }

    /** An answer whose headers come at once and whose body does not come before the test ends. */
    private static MockResponse stalledAfterHeaders() {
        return stream("gpt-4o", "too", " late").newBuilder().bodyDelay(30, TimeUnit.SECONDS).build();
    }

    /** What a call's caller got, and the cost records in the context at the moment it got it. */
    private record Caught(Throwable thrown, List<CostRecord> recordsThen, boolean interruptLeft) {}

    /** Calls {@code model} on a platform thread of its own, as an application's main thread would. */
    private FutureTask<Caught> caller(ChatModel model) {
        FutureTask<Caught> call = new FutureTask<>(() -> {
            try {
                model.execute(hi(), ctx);
                return new Caught(null, costRecords(ctx), Thread.currentThread().isInterrupted());
            } catch (RuntimeException e) {
                return new Caught(e, costRecords(ctx), Thread.currentThread().isInterrupted());
            }
        });
        Thread.ofPlatform().name("caller").start(call);
        return call;
    }

    private static void assertTimedOutAttemptRecordedBeforeTheTypedTimeout(Caught caught) {
        assertThat(caught.thrown()).isExactlyInstanceOf(TimeoutExceededException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .isInstanceOf(ProviderException.ProviderTimeout.class));
        assertThat(caught.recordsThen()).as("cost records when the caller got the timeout").singleElement()
                .satisfies(c -> {
                    assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
                    assertThat(c.errorKind()).contains("timeout");
                    assertThat(c.cost().isZero()).isTrue();
                });
        assertThat(caught.interruptLeft()).as("no interrupt of the timeout's is left").isFalse();
    }

    @Test
    void givenNoAnswerWithinTheTimeout_whenItsTimerStopsTheCall_thenTheFailedAttemptIsRecordedBeforeTheTypedTimeout()
            throws Exception {
        server.enqueue(completion("gpt-4o", "too late").newBuilder().headersDelay(30, TimeUnit.SECONDS).build());

        FutureTask<Caught> call = caller(bounded(Duration.ofSeconds(20)));
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).as("the request is out, its answer awaited").isNotNull();
        timers.fireAll();

        assertTimedOutAttemptRecordedBeforeTheTypedTimeout(call.get(10, TimeUnit.SECONDS));
        assertThat(costRecords(ctx)).as("and no other record comes later").hasSize(1);
        assertOneTimeoutRecorded(ctx, false);
    }

    /** The adapter, with the bound's timer firing once its answer is back: an answer that came too late. */
    private ChatModel answeringLate() {
        return answeringThen(timers::fireAll);
    }

    /** The adapter, running {@code then} on the caller's thread once its answer is back. */
    private ChatModel answeringThen(Runnable then) {
        ChatModel adapter = adapter(server, "gpt-4o").build();
        return new DecoratedChatModel(adapter, (request, context) -> {
            var answer = adapter.execute(request, context);
            then.run();
            return answer;
        }) {
            @Override
            public ChatStream stream(ChatRequest request, WorkflowContext context) {
                return adapter.stream(request, context);
            }
        };
    }

    @Test
    void givenAnAnswerBackAfterTheTimeout_whenTheCallerGetsTheTimeout_thenTheBilledAttemptIsRecordedAsTimedOut()
            throws Exception {
        server.enqueue(completion("gpt-4o", "too late"));

        Caught caught = caller(TimeLimitedChatModel.of(timeout(Duration.ofSeconds(20)), answeringLate()))
                .get(10, TimeUnit.SECONDS);

        assertThat(caught.thrown()).isExactlyInstanceOf(TimeoutExceededException.class);
        assertThat(caught.recordsThen()).as("cost records when the caller got the timeout").singleElement()
                .satisfies(c -> {
                    assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
                    assertThat(c.errorKind()).contains("timeout");
                    assertThat(c.cost().isPositive()).as("what the provider billed is kept").isTrue();
                    assertThat(c.baselineCost().isZero()).isTrue();
                });
        assertThat(costRecords(ctx)).as("and no other record comes later").hasSize(1);
        assertThat(caught.interruptLeft()).isFalse();
    }

    @Test
    void givenAForeignInterruptDuringACallThatTimesOut_whenTheCallerGetsTheTimeout_thenThatInterruptIsKept()
            throws Exception {
        server.enqueue(completion("gpt-4o", "too late"));
        ChatModel cancelledThenTimedOut = answeringThen(() -> {
            Thread.currentThread().interrupt(); // a shutdown or a cancel, not the timeout's
            timers.fireAll();
        });

        Caught caught = caller(TimeLimitedChatModel.of(timeout(Duration.ofSeconds(20)), cancelledThenTimedOut))
                .get(10, TimeUnit.SECONDS);

        assertThat(caught.thrown()).isExactlyInstanceOf(TimeoutExceededException.class);
        assertThat(caught.interruptLeft()).as("the interrupt someone else sent is still there").isTrue();
    }

    @Test
    void givenNoAnswerWithinTheTimeout_whenTheAdaptersOwnWaitRunsOutFirst_thenTheOutcomeAndExceptionAreTheSame()
            throws Exception {
        server.enqueue(completion("gpt-4o", "too late").newBuilder().headersDelay(30, TimeUnit.SECONDS).build());

        // the timer is never fired: the adapter stops waiting at the call's deadline, the bound, by itself
        FutureTask<Caught> call = caller(bounded(Duration.ofMillis(50)));

        assertTimedOutAttemptRecordedBeforeTheTypedTimeout(call.get(10, TimeUnit.SECONDS));
        assertOneTimeoutRecorded(ctx, false);
    }

    @Test
    void givenNoFirstChunkWithinTheTimeout_whenRead_thenTheUpstreamIsClosedAndTheTypedTimeoutThrown()
            throws Exception {
        server.enqueue(stalledAfterHeaders());
        ChatStream s = bounded(Duration.ofSeconds(20)).stream(hi(), ctx);

        assertThat(expireWhileAwaitingTheFirstChunk(s)).isInstanceOf(TimeoutExceededException.class)
                .hasMessage("timeout 'openai-timeout' expired after PT20S; the work was stopped");
        assertThat(timers.delays()).containsExactly(Duration.ofSeconds(20));
        assertOneTimeoutRecorded(ctx, false);
        assertThat(costRecords(ctx)).as("the upstream request was aborted, its prompt billed").singleElement()
                .satisfies(c -> {
                    assertThat(c.outcome()).isEqualTo(Outcome.ABORTED);
                    assertThat(c.usage().outputTokens()).isZero();
                });
    }

    @Test
    void givenAStreamCutByTheTimeout_whenTheReaderGetsTheTimeout_thenTheAbortedAttemptIsRecordedAlready()
            throws Exception {
        server.enqueue(stalledAfterHeaders());
        AtomicReference<Thread> readerThread = new AtomicReference<>();
        // Prices the aborted attempt only once the reader has thrown, or waits for the expiry to finish: without the
        // wait, the reader would throw before the record lands.
        Pricer slowToRecord = (model, usage) -> {
            Thread r = readerThread.get();
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (r != null && r.isAlive() && !awaitingExpiry(r) && System.nanoTime() < giveUp) {
                Thread.onSpinWait();
            }
            return TestPricers.FIXED.price(model, usage);
        };
        ChatModel bounded = TimeLimitedChatModel.of(timeout(Duration.ofSeconds(20)),
                adapter(server, "gpt-4o").pricer(slowToRecord).build());
        ChatStream s = bounded.stream(hi(), ctx);
        AtomicInteger recordsAtThrow = new AtomicInteger(-1);
        FutureTask<Throwable> reader = new FutureTask<>(() -> {
            try {
                s.hasNext();
                return null;
            } catch (RuntimeException e) {
                recordsAtThrow.set(costRecords(ctx).size());
                return e;
            }
        });
        readerThread.set(Thread.ofVirtual().name("reader").unstarted(reader));
        readerThread.get().start();
        timers.fireAll();

        assertThat(reader.get(10, TimeUnit.SECONDS)).isExactlyInstanceOf(TimeoutExceededException.class);
        assertThat(recordsAtThrow.get()).as("cost records when the reader got the timeout").isOne();
        assertThat(costRecords(ctx)).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.ABORTED);
        s.close();
    }

    private static boolean awaitingExpiry(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getMethodName().equals("awaitExpiry")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void givenNoAnswerWithinTheTimeout_whenTheStreamIsBeingOpened_thenTheOpeningIsAbandonedWithTheTypedTimeout()
            throws Exception {
        server.enqueue(stream("gpt-4o", "too late").newBuilder().headersDelay(30, TimeUnit.SECONDS).build());
        ChatModel bounded = bounded(Duration.ofSeconds(20));

        FutureTask<Throwable> reader = reader(() -> bounded.stream(hi(), ctx).close());
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).as("the request is out, its answer awaited").isNotNull();
        timers.fireAll();

        assertThat(reader.get(10, TimeUnit.SECONDS)).isInstanceOf(TimeoutExceededException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .isInstanceOf(CallInterruptedException.class));
        assertThat(costRecords(ctx)).as("abandoned, not failed by the provider").singleElement()
                .extracting(CostRecord::outcome).isEqualTo(Outcome.ABORTED);
    }

    @Test
    void givenAContextDeadlineTighterThanTheTimeout_whenTheFirstChunkIsLate_thenTheDeadlineBoundsItAndIsNamed()
            throws Exception {
        server.enqueue(stalledAfterHeaders());
        Ticker frozen = () -> 5_000_000_000L;
        WorkflowContext tight = WorkflowContext.builder("test").ticker(frozen).timeout(Duration.ofSeconds(25)).build();
        ChatStream s = bounded(Duration.ofSeconds(60)).stream(hi(), tight);

        assertThat(expireWhileAwaitingTheFirstChunk(s)).isExactlyInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("'openai-timeout' exceeded the request deadline");
        assertThat(timers.delays()).containsExactly(Duration.ofSeconds(25));
        assertOneTimeoutRecorded(tight, true);
        assertThat(tight.remaining()).as("the deadline narrowed for the opening is restored")
                .contains(Duration.ofSeconds(25));
    }

    @Test
    void givenAStreamOutlastingTheTimeoutAfterItsFirstChunk_whenRead_thenTheRestIsCutWithTheTypedTimeout() {
        String first = sse(chunk("gpt-4o", "{\"content\":\"Once upon a time\"}", "null"));
        server.enqueue(eventStream(first.repeat(20) + sse("[DONE]")).newBuilder()
                .throttleBody(first.length(), 30, TimeUnit.SECONDS).build());
        ChatStream s = bounded(Duration.ofSeconds(20)).stream(hi(), ctx);
        assertThat(s.next().contentDelta()).isEqualTo("Once upon a time");
        timers.fireAll();

        assertThatThrownBy(s::hasNext).isInstanceOf(TimeoutExceededException.class);
        s.close();
        assertThat(costRecords(ctx)).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(c.usage().outputTokens()).as("the output streamed before the cut is billed").isPositive();
        });
    }

    @Test
    void givenAFallbackJudgedByTheProviderClassifier_whenTheFirstTokenTimesOut_thenTheNextTargetAnswers()
            throws Exception {
        server.enqueue(stalledAfterHeaders());
        server.enqueue(stream("gpt-4o-mini", "Hello"));
        ChatModel fallback = FallbackChatModel.builder("llm").primary("gpt-4o", bounded(Duration.ofSeconds(20)))
                .fallback("mini", adapter(server, "gpt-4o-mini").build())
                .classifier(ProviderFailureClassifier.ofDefaults()).build();
        FutureTask<ChatStream> opening = new FutureTask<>(() -> fallback.stream(hi(), ctx));
        Thread.ofVirtual().start(opening);
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).as("the primary is asked").isNotNull();
        timers.fireAll();

        assertThat(String.join("", readAll(opening.get(10, TimeUnit.SECONDS)))).isEqualTo("Hello");
        assertThat(costRecords(ctx)).extracting(CostRecord::outcome).containsExactly(Outcome.ABORTED,
                Outcome.SUCCESS);
    }

    @Test
    void givenAStreamEndingInTime_whenRead_thenItEndsWellAndItsTimerIsCancelled() {
        server.enqueue(stream("gpt-4o", "Hello"));
        ChatStream s = bounded(Duration.ofSeconds(20)).stream(hi(), ctx);

        assertThat(String.join("", readAll(s))).isEqualTo("Hello");
        assertThat(s.response().text()).isEqualTo("Hello");
        assertThat(timers.allCancelled()).isTrue();
        assertThat(ctx.records("timeout")).isEmpty();
    }

    @Test
    void givenAContextWithNoTimeLeft_whenStreamed_thenItFailsAtOnceAndNothingIsSent() {
        AtomicLong nanos = new AtomicLong();
        WorkflowContext spent = WorkflowContext.builder("test").ticker(nanos::get).timeout(Duration.ofSeconds(1))
                .build();
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        ChatModel bounded = bounded(Duration.ofSeconds(20));

        assertThatThrownBy(() -> bounded.stream(hi(), spent)).isExactlyInstanceOf(DeadlineExceededException.class);
        assertThat(server.getRequestCount()).isZero();
        assertThat(timers.delays()).isEmpty();
    }
}
