package dev.costwise.llm.resilience;

import static dev.costwise.llm.resilience.OpenAiUpstream.adapter;
import static dev.costwise.llm.resilience.OpenAiUpstream.chunk;
import static dev.costwise.llm.resilience.OpenAiUpstream.costRecords;
import static dev.costwise.llm.resilience.OpenAiUpstream.eventStream;
import static dev.costwise.llm.resilience.OpenAiUpstream.sse;
import static dev.costwise.llm.resilience.OpenAiUpstream.stream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.CircuitBreakerConfig;
import dev.costwise.core.recovery.CircuitState;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A caller interrupting its own thread (a UI cancelling a request) while the real OpenAI adapter waits on a
 * MockWebServer speaking OpenAI's streaming format: the request ends as {@link CallInterruptedException}, is neither
 * retried nor passed to a fallback, and no circuit breaker counts it against the provider.
 */
class CallerInterruptTest {

    @StartStop
    final MockWebServer primary = new MockWebServer();

    @StartStop
    final MockWebServer secondary = new MockWebServer();

    private final WorkflowContext ctx = WorkflowContext.of("test");

    private static ChatRequest hi() {
        return ChatRequest.of("gpt-4o", "hi");
    }

    /** What a cancelled caller saw: the exception, and whether its interrupt flag was still set. */
    private record Cancelled(Throwable failure, boolean interruptKept) {}

    /** Runs {@code work} on a thread that is interrupted once {@code ready} opens; gives what it threw. */
    private static Cancelled interruptedWhen(CountDownLatch ready, Supplier<Object> work) throws Exception {
        FutureTask<Cancelled> caller = new FutureTask<>(() -> {
            try {
                work.get();
                return new Cancelled(null, Thread.currentThread().isInterrupted());
            } catch (RuntimeException e) {
                return new Cancelled(e, Thread.currentThread().isInterrupted());
            }
        });
        Thread thread = Thread.ofVirtual().name("caller").start(caller);
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        thread.interrupt();
        return caller.get(10, TimeUnit.SECONDS);
    }

    /** @return a latch that opens once {@code server} has a request */
    private static CountDownLatch sent(MockWebServer server) {
        CountDownLatch sent = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            try {
                if (server.takeRequest(10, TimeUnit.SECONDS) != null) {
                    sent.countDown();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return sent;
    }

    @Test
    void givenAFallback_whenTheCallerIsInterruptedAwaitingThePrimary_thenItIsACancellationAndNoFallbackIsCalled()
            throws Exception {
        primary.enqueue(stream("gpt-4o", "late").newBuilder().headersDelay(30, TimeUnit.SECONDS).build());
        secondary.enqueue(stream("gpt-4o-mini", "never asked"));
        ChatModel fallback = FallbackChatModel.builder("llm").primary("gpt-4o", adapter(primary, "gpt-4o").build())
                .fallback("mini", adapter(secondary, "gpt-4o-mini").build())
                .classifier(ProviderFailureClassifier.ofDefaults()).build();

        Cancelled cancelled = interruptedWhen(sent(primary), () -> fallback.stream(hi(), ctx));

        assertThat(cancelled.failure()).isInstanceOf(CallInterruptedException.class);
        assertThat(cancelled.interruptKept()).as("the interrupt flag is the caller's to see").isTrue();
        assertThat(secondary.getRequestCount()).as("a cancelled request goes to no other provider").isZero();
        assertThat(costRecords(ctx)).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.ABORTED);
    }

    @Test
    void givenABreaker_whenStreamsAreCancelledMidStreamByTheirCaller_thenTheBreakerCountsNone() throws Exception {
        CircuitBreaker breaker = CircuitBreaker.of("openai", CircuitBreakerConfig.builder().consecutiveFailures(1)
                .build());
        ChatModel guarded = CircuitBreakingChatModel.of(breaker, adapter(primary, "gpt-4o").build());
        String first = sse(chunk("gpt-4o", "{\"content\":\"Once\"}", "null"));
        for (int i = 0; i < 2; i++) {
            primary.enqueue(eventStream(first.repeat(5) + sse("[DONE]")).newBuilder()
                    .throttleBody(first.length(), 30, TimeUnit.SECONDS).build());
            CountDownLatch reading = new CountDownLatch(1);
            Cancelled cancelled = interruptedWhen(reading, () -> {
                try (ChatStream s = guarded.stream(hi(), ctx)) {
                    s.next();
                    reading.countDown();
                    return s.next(); // blocks: the next chunk comes in 30 s
                }
            });

            assertThat(cancelled.failure()).isInstanceOf(CallInterruptedException.class);
            assertThat(cancelled.interruptKept()).isTrue();
        }

        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
        assertThat(costRecords(ctx)).hasSize(2).allSatisfy(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(c.usage().outputTokens()).as("the output streamed before the cancel is billed").isPositive();
        });
    }
}
