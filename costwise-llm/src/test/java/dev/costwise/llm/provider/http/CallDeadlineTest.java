package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.ollama.OllamaChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A non-streamed call keeps to the caller's deadline as a stream does: each adapter's answer is delayed far past it
 * (MockWebServer holds the response headers back), and the call fails with the streaming path's timeout type instead
 * of waiting for the transport's 120-second read timeout. Only the delay matters, so the answers are minimal bodies.
 */
class CallDeadlineTest {

    @StartStop
    final MockWebServer server = new MockWebServer();

    private static ChatModel openAi(MockWebServer s) {
        return OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(s.url("/v1").toString()),
                "gpt-4o-mini").apiKey(ApiKey.of("sk-test")).pricer(TestPricers.FIXED).environment(Map.of()).build();
    }

    static Stream<Arguments> adapters() {
        Function<MockWebServer, ChatModel> openAi = CallDeadlineTest::openAi;
        Function<MockWebServer, ChatModel> huggingFace = s -> OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.HUGGING_FACE.withBaseUrl(s.url("/v1").toString()), "meta-llama/Llama-3.1-8B")
                .apiKey(ApiKey.of("hf_test")).pricer(TestPricers.FIXED).environment(Map.of()).build();
        Function<MockWebServer, ChatModel> anthropic = s -> AnthropicChatModel.builder("claude-sonnet-4-5")
                .apiKey("sk-ant-test").pricer(TestPricers.FIXED).baseUrl(s.url("/").uri()).build();
        Function<MockWebServer, ChatModel> gemini = s -> GeminiChatModel.builder("gemini-2.5-flash")
                .apiKey("AIza-test").pricer(TestPricers.FIXED).baseUrl(s.url("/").uri()).build();
        Function<MockWebServer, ChatModel> ollama = s -> OllamaChatModel.builder("llama3.2")
                .baseUrl(s.url("/").toString()).pricer(TestPricers.FIXED).build();
        return Stream.of(Arguments.of("openai", openAi), Arguments.of("huggingface", huggingFace),
                Arguments.of("anthropic", anthropic), Arguments.of("gemini", gemini), Arguments.of("ollama", ollama));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void givenHeadersHeldBackPastTheDeadline_whenExecuted_thenFailsWithAProviderTimeoutForTheCall(String provider,
            Function<MockWebServer, ChatModel> adapter) {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .headersDelay(30, TimeUnit.SECONDS).body("{}").build());
        ChatModel model = adapter.apply(server);
        WorkflowContext context = WorkflowContext.builder("t").timeout(Duration.ofMillis(300)).build();

        assertThatThrownBy(() -> model.execute(ChatRequest.of(model.name(), "hi"), context))
                .isInstanceOf(ProviderException.ProviderTimeout.class)
                .hasMessageContaining("call timed out after");
    }

    @Test
    void givenAContextAlreadyPastItsDeadline_whenExecuted_thenFailsWithoutSending() {
        ChatModel model = openAi(server);
        AtomicLong nanos = new AtomicLong();
        WorkflowContext context = WorkflowContext.builder("t").ticker(nanos::get).timeout(Duration.ofSeconds(1))
                .build();
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());

        assertThatThrownBy(() -> model.execute(ChatRequest.of(model.name(), "hi"), context))
                .isInstanceOf(ProviderException.ProviderTimeout.class).hasMessageContaining("call timed out");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenAnAnswerWithinTheDeadline_whenExecuted_thenItIsRead() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"c","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,
                 "message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""").build());
        WorkflowContext context = WorkflowContext.builder("t").timeout(Duration.ofSeconds(30)).build();

        assertThat(openAi(server).execute(ChatRequest.of("gpt-4o-mini", "hi"), context).message().text())
                .isEqualTo("hello");
    }
}
