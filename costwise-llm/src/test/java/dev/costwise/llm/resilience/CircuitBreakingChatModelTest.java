package dev.costwise.llm.resilience;

import static dev.costwise.llm.resilience.OpenAiUpstream.adapter;
import static dev.costwise.llm.resilience.OpenAiUpstream.cutAfter;
import static dev.costwise.llm.resilience.OpenAiUpstream.error;
import static dev.costwise.llm.resilience.OpenAiUpstream.readAll;
import static dev.costwise.llm.resilience.OpenAiUpstream.serverError;
import static dev.costwise.llm.resilience.OpenAiUpstream.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.CircuitBreakerConfig;
import dev.costwise.core.recovery.CircuitOpenException;
import dev.costwise.core.recovery.CircuitState;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.provider.ProviderException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@link CircuitBreakingChatModel} over the real OpenAI adapter and a MockWebServer speaking OpenAI's wire format: a
 * stream's outcome is counted when it ends, mid-stream failures included, and an open circuit refuses calls and
 * streams.
 */
class CircuitBreakingChatModelTest {

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = nanos::get;

    private CircuitBreaker breaker(int consecutiveFailures) {
        return CircuitBreaker.of("openai", CircuitBreakerConfig.builder().consecutiveFailures(consecutiveFailures)
                .waitDurationInOpenState(Duration.ofSeconds(30)).permittedCallsInHalfOpenState(1).ticker(ticker)
                .build());
    }

    private ChatModel guardedBy(CircuitBreaker breaker) {
        return CircuitBreakingChatModel.of(breaker, adapter(server, "gpt-4o").build());
    }

    private static ChatRequest hi() {
        return ChatRequest.of("gpt-4o", "hi");
    }

    /** A stream the provider refuses with a 500: a failure the breaker counts. */
    private void streamRefusedWithA500(ChatModel guarded) {
        server.enqueue(serverError());
        assertThatThrownBy(() -> guarded.stream(hi(), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.ServerError.class);
    }

    /** @return a model whose breaker one failure opened, half-open now that its wait has passed */
    private ChatModel halfOpen(CircuitBreaker breaker) {
        ChatModel guarded = guardedBy(breaker);
        streamRefusedWithA500(guarded);
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        return guarded;
    }

    @Test
    void givenStreamsFailingAtOpenAndMidStream_whenCounted_thenTheCircuitOpensAndRefusesCallsAndStreams() {
        CircuitBreaker breaker = breaker(2);
        ChatModel guarded = guardedBy(breaker);
        streamRefusedWithA500(guarded);
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
        server.enqueue(cutAfter("gpt-4o", "Partial answer that"));
        WorkflowContext midStream = WorkflowContext.of("t");
        ChatStream s = guarded.stream(hi(), midStream);
        assertThat(s.next().contentDelta()).isEqualTo("Partial answer that");
        assertThat(breaker.state()).as("an open stream is not an outcome yet").isEqualTo(CircuitState.CLOSED);
        assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.ConnectionFailed.class);
        s.close();

        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        assertThat(midStream.records("circuit_state")).singleElement().extracting(StepRecord::attributes)
                .satisfies(a -> assertThat(a).containsEntry("from", "CLOSED").containsEntry("to", "OPEN"));
        assertThatThrownBy(() -> guarded.execute(hi(), WorkflowContext.of("t")))
                .isInstanceOf(CircuitOpenException.class).hasMessageContaining("'openai' is OPEN");
        assertThatThrownBy(() -> guarded.stream(hi(), WorkflowContext.of("t")))
                .isInstanceOf(CircuitOpenException.class).hasMessageContaining("'openai' is OPEN");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void givenAStreamReadToItsEnd_whenCounted_thenASuccessClosesAHalfOpenCircuit() {
        CircuitBreaker breaker = breaker(1);
        ChatModel guarded = halfOpen(breaker);
        server.enqueue(stream("gpt-4o", "fine"));

        ChatStream probe = guarded.stream(hi(), WorkflowContext.of("t"));
        assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
        readAll(probe);

        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void givenHalfOpenProbeStreamsClosedByTheReader_whenCounted_thenBeforeAChunkNeitherAndAfterOneASuccess() {
        CircuitBreaker breaker = breaker(1);
        ChatModel guarded = halfOpen(breaker);
        server.enqueue(stream("gpt-4o", "never", " read"));
        server.enqueue(stream("gpt-4o", "read", " in part"));

        guarded.stream(hi(), WorkflowContext.of("t")).close();
        assertThat(breaker.state()).as("a stream closed before any chunk says nothing of the provider")
                .isEqualTo(CircuitState.HALF_OPEN);
        ChatStream second = guarded.stream(hi(), WorkflowContext.of("t"));
        assertThat(second.next().contentDelta()).isEmpty();
        second.close();

        assertThat(breaker.state()).as("the probe was given back, and a cancelled stream that had answered counts as a"
                + " success, as in Resilience4j").isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void givenCallersMistakesInStreams_whenCounted_thenTheCircuitStaysClosed() {
        CircuitBreaker breaker = breaker(1);
        ChatModel guarded = guardedBy(breaker);
        server.enqueue(error(400, "invalid_request_error", "invalid_value"));

        assertThatThrownBy(() -> guarded.stream(hi(), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.InvalidRequest.class);
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    }
}
