package dev.costwise.llm.resilience;

import static dev.costwise.llm.resilience.OpenAiUpstream.adapter;
import static dev.costwise.llm.resilience.OpenAiUpstream.costRecords;
import static dev.costwise.llm.resilience.OpenAiUpstream.rateLimited;
import static dev.costwise.llm.resilience.OpenAiUpstream.readAll;
import static dev.costwise.llm.resilience.OpenAiUpstream.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.CircuitBreakerConfig;
import dev.costwise.core.recovery.CircuitState;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.core.recovery.Timeout;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ResilientChatModel}: the three decorators stacked in their documented order, over the OpenAI adapter. */
class ResilientChatModelTest {

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final ManualScheduler timers = new ManualScheduler();
    private final List<Duration> slept = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    @Test
    void givenTheStack_whenAStreamIsRateLimitedOnce_thenTheRetryInsideTheBreakerAbsorbsItAndTheStreamFlows() {
        CircuitBreaker breaker = CircuitBreaker.of("openai", CircuitBreakerConfig.builder().consecutiveFailures(1)
                .build());
        ResilientChatModel premium = ResilientChatModel.builder(adapter(server, "gpt-4o").build())
                .timeout(Timeout.builder("gpt-4o-timeout").timeout(Duration.ofSeconds(30)).scheduler(timers).build())
                .retry(Retry.of("gpt-4o-retry", RetryConfig.builder().maxRetries(1).sleeper(slept::add).build()))
                .circuitBreaker(breaker).build();
        server.enqueue(rateLimited(1));
        server.enqueue(stream("gpt-4o", "Hello"));
        WorkflowContext ctx = WorkflowContext.of("test");

        ChatStream s = premium.stream(ChatRequest.of("gpt-4o", "hi"), ctx);

        assertThat(String.join("", readAll(s))).isEqualTo("Hello");
        assertThat(breaker.state()).as("the breaker counts the stream once, after its retry").isEqualTo(
                CircuitState.CLOSED);
        assertThat(slept).containsExactly(Duration.ofSeconds(1));
        assertThat(timers.delays()).as("each attempt had its own bound").hasSize(2);
        assertThat(costRecords(ctx)).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
        assertThat(premium.name()).isEqualTo("gpt-4o");
        assertThat(premium.provider()).isEqualTo("openai");
        assertThat(premium.circuitBreaker()).contains(breaker);
    }

    @Test
    void givenNoConcern_whenBuilt_thenTheErrorSaysWhatIsMissing() {
        assertThatThrownBy(() -> ResilientChatModel.builder(adapter(server, "gpt-4o").build()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the resilient gpt-4o needs a timeout, a retry or a circuit breaker, had none");
    }

    @Test
    void givenARetrySetTwice_whenBuilt_thenTheErrorNamesTheSetting() {
        Retry retry = Retry.ofDefaults("r");
        ResilientChatModel.Builder builder = ResilientChatModel.builder(adapter(server, "gpt-4o").build()).retry(retry);

        assertThatThrownBy(() -> builder.retry(retry)).isInstanceOf(IllegalStateException.class)
                .hasMessage("retry of the resilient gpt-4o was already set to Retry[r, maxRetries=3]");
    }
}
