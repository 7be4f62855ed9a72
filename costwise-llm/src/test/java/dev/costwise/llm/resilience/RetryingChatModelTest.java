package dev.costwise.llm.resilience;

import static dev.costwise.llm.resilience.OpenAiUpstream.adapter;
import static dev.costwise.llm.resilience.OpenAiUpstream.completion;
import static dev.costwise.llm.resilience.OpenAiUpstream.costRecords;
import static dev.costwise.llm.resilience.OpenAiUpstream.cutAfter;
import static dev.costwise.llm.resilience.OpenAiUpstream.eventStream;
import static dev.costwise.llm.resilience.OpenAiUpstream.rateLimited;
import static dev.costwise.llm.resilience.OpenAiUpstream.readAll;
import static dev.costwise.llm.resilience.OpenAiUpstream.sse;
import static dev.costwise.llm.resilience.OpenAiUpstream.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@link RetryingChatModel} over the real OpenAI adapter and a MockWebServer speaking OpenAI's wire format: a stream is
 * retried like a call until its first chunk, and never after.
 */
class RetryingChatModelTest {

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final List<Duration> slept = new CopyOnWriteArrayList<>();
    private final WorkflowContext ctx = WorkflowContext.of("test");

    private ChatModel retried(ChatModel model) {
        return RetryingChatModel.of(Retry.of("openai-retry", RetryConfig.builder().maxRetries(2)
                .classifier(ProviderFailureClassifier.ofDefaults()).sleeper(slept::add).build()), model);
    }

    @Test
    void givenA429WithRetryAfterBeforeTheFirstChunk_whenStreamed_thenWaitsItOutAndTheRetryStreams() {
        server.enqueue(rateLimited(2));
        server.enqueue(stream("gpt-4o-mini", "Hello", " world"));

        ChatStream s = retried(adapter(server, "gpt-4o-mini").build()).stream(ChatRequest.of("gpt-4o-mini", "hi"), ctx);

        assertThat(readAll(s)).containsExactly("", "Hello", " world", "", "");
        assertThat(s.response().text()).isEqualTo("Hello world");
        assertThat(slept).containsExactly(Duration.ofSeconds(2));
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(ctx.records("retry")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("reason", "rate_limited"));
        assertThat(costRecords(ctx)).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
        assertThat(costRecords(ctx).get(0).errorKind()).contains("rate_limited");
    }

    @Test
    void givenA429AskingToWaitAnHourAndNoDeadline_whenCalledOrStreamed_thenFailsAtOnceInsteadOfBlockingAnHour() {
        server.enqueue(rateLimited(3600));
        server.enqueue(rateLimited(3600));
        ChatModel model = retried(adapter(server, "gpt-4o-mini").build());

        assertThatThrownBy(() -> model.stream(ChatRequest.of("gpt-4o-mini", "hi"), ctx))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofHours(1)));
        assertThatThrownBy(() -> model.execute(ChatRequest.of("gpt-4o-mini", "hi"), ctx))
                .isInstanceOf(ProviderException.RateLimited.class);

        assertThat(slept).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(ctx.records("retry_stopped")).extracting(r -> r.attributes().get("reason"))
                .containsExactly("retry_after_too_long", "retry_after_too_long");
    }

    @Test
    void givenA429WhoseRetryAfterEndsPastTheDeadline_whenStreamed_thenFailsAtOnceWithoutWaiting() {
        server.enqueue(rateLimited(30));
        WorkflowContext tight = WorkflowContext.builder("test").timeout(Duration.ofSeconds(10)).build();

        assertThatThrownBy(() -> retried(adapter(server, "gpt-4o-mini").build())
                .stream(ChatRequest.of("gpt-4o-mini", "hi"), tight))
                .isInstanceOf(ProviderException.RateLimited.class);
        assertThat(slept).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(tight.records("retry_stopped")).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("reason", "deadline"));
    }

    @Test
    void givenAnErrorEventBeforeTheFirstChunk_whenStreamed_thenTheAttemptIsRetriedAndItsFailureStaysOnRecord() {
        // https://openrouter.ai/docs/api-reference/streaming: an error after the 200 arrives as an SSE data event
        server.enqueue(eventStream(sse("{\"id\":\"cmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":"
                + "\"openai/gpt-4o\",\"provider\":\"openai\",\"error\":{\"code\":\"server_error\",\"message\":"
                + "\"Provider disconnected unexpectedly\"},\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},"
                + "\"finish_reason\":\"error\"}]}")));
        server.enqueue(stream("openai/gpt-4o", "Hi"));
        ChatModel openRouter = retried(adapter(server, OpenAiCompatibleEndpoint.OPENROUTER, "openai/gpt-4o").build());

        ChatStream s = openRouter.stream(ChatRequest.of("openai/gpt-4o", "hi"), ctx);

        assertThat(readAll(s)).contains("Hi");
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(costRecords(ctx)).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
        assertThat(costRecords(ctx).get(0).errorKind()).contains("server_error");
    }

    @Test
    void givenAFailureAfterTheFirstChunk_whenRead_thenItReachesTheReaderUnchangedAndIsNotRetried() {
        server.enqueue(cutAfter("gpt-4o", "Partial answer that"));
        server.enqueue(stream("gpt-4o", "a second answer the reader must never see"));

        ChatStream s = retried(adapter(server, "gpt-4o").build()).stream(ChatRequest.of("gpt-4o", "hi"), ctx);

        assertThat(s.next().contentDelta()).isEqualTo("Partial answer that");
        assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.ConnectionFailed.class)
                .hasMessageContaining("truncated");
        s.close();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(slept).isEmpty();
        assertThat(ctx.records("retry")).isEmpty();
        assertThat(costRecords(ctx)).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(c.usage().outputTokens()).as("the output produced before the cut is billed").isPositive();
            assertThat(c.cost().isPositive()).isTrue();
        });
    }

    @Test
    void givenACall_whenItIsRateLimited_thenItIsRetriedAsByTheCoreRetry() {
        server.enqueue(rateLimited(1));
        server.enqueue(completion("gpt-4o-mini", "hello"));

        assertThat(retried(adapter(server, "gpt-4o-mini").build())
                .execute(ChatRequest.of("gpt-4o-mini", "hi"), ctx).text()).isEqualTo("hello");
        assertThat(slept).containsExactly(Duration.ofSeconds(1));
        assertThat(ctx.records("retry")).hasSize(1);
    }
}
