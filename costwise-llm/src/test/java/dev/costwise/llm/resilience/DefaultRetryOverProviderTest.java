package dev.costwise.llm.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.CircuitBreakerConfig;
import dev.costwise.core.recovery.CircuitState;
import dev.costwise.core.recovery.Fallback;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.TestPricers;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The recovery primitives with no classifier configured, as their Javadoc shows them (such as
 * {@code Retry.of("openai", RetryConfig.builder().maxRetries(2).build()).wrap(provider)}), over the OpenAI adapter;
 * OpenAI's errors (https://platform.openai.com/docs/guides/error-codes) are faked. Retry retries only transient
 * failures; Fallback never moves on for a caller's mistake; a circuit breaker does not count one.
 */
class DefaultRetryOverProviderTest {

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final List<Duration> slept = new CopyOnWriteArrayList<>();

    private OpenAiCompatibleChatModel openAi(String model) {
        return OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), model)
                .apiKey(ApiKey.of("sk-test")).pricer(TestPricers.FIXED).environment(Map.of()).build();
    }

    private Primitive<ChatRequest, ChatResponse> retriedTwiceByDefault(Primitive<ChatRequest, ChatResponse> call) {
        return Retry.of("openai", RetryConfig.builder().maxRetries(2).sleeper(slept::add).build()).wrap(call);
    }

    private Primitive<ChatRequest, ChatResponse> retriedTwiceByDefault() {
        return retriedTwiceByDefault(openAi("gpt-4o-mini"));
    }

    private static MockResponse answer() {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"c","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,
                 "message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""").build();
    }

    private static MockResponse error(int status, String type, String code) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"" + code + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":\""
                        + code + "\"}}").build();
    }

    @Test
    void givenA401_whenRetriedWithTheDefaultConfig_thenOneHttpCallAndNoWait() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(error(401, "invalid_request_error", "invalid_api_key"));
        }

        assertThatThrownBy(() -> retriedTwiceByDefault().execute(ChatRequest.of("gpt-4o-mini", "hi"),
                WorkflowContext.of("t"))).isInstanceOf(ProviderException.AuthenticationFailed.class);
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(slept).isEmpty();
    }

    @Test
    void givenA503ThenA429WithRetryAfter_whenRetriedWithTheDefaultConfig_thenRetriedUntilAnswered() {
        server.enqueue(error(503, "server_error", "overloaded"));
        server.enqueue(error(429, "requests", "rate_limit_exceeded").newBuilder()
                .addHeader("retry-after", "3").build());
        server.enqueue(answer());

        ChatResponse answer = retriedTwiceByDefault().execute(ChatRequest.of("gpt-4o-mini", "hi"),
                WorkflowContext.of("t"));

        assertThat(answer.message().text()).isEqualTo("hello");
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(slept).hasSize(2).last().isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void givenADefaultFallback_whenThePrimaryRejectsTheKey_thenTheBackupIsNotCalled() {
        server.enqueue(error(401, "invalid_request_error", "invalid_api_key"));
        server.enqueue(answer());
        Fallback<ChatRequest, ChatResponse> fallback = Fallback.<ChatRequest, ChatResponse>builder("chain")
                .primary("mini", openAi("gpt-4o-mini")).fallback("4o", openAi("gpt-4o")).build();

        assertThatThrownBy(() -> fallback.execute(ChatRequest.of("gpt-4o-mini", "hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.AuthenticationFailed.class);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenADefaultFallback_whenThePrimaryIsOverloaded_thenTheBackupAnswers() {
        server.enqueue(error(503, "server_error", "overloaded"));
        server.enqueue(answer());
        Fallback<ChatRequest, ChatResponse> fallback = Fallback.<ChatRequest, ChatResponse>builder("chain")
                .primary("mini", openAi("gpt-4o-mini")).fallback("4o", openAi("gpt-4o")).build();

        ChatResponse answer = fallback.execute(ChatRequest.of("gpt-4o-mini", "hi"), WorkflowContext.of("t"));

        assertThat(answer.message().text()).isEqualTo("hello");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void givenADefaultCircuitBreaker_whenCallersSendInvalidRequests_thenItStaysClosedAndServerErrorsOpenIt() {
        CircuitBreaker breaker = CircuitBreaker.of("openai", CircuitBreakerConfig.builder().consecutiveFailures(3)
                .build());
        Primitive<ChatRequest, ChatResponse> guarded = breaker.wrap(openAi("gpt-4o-mini"));
        for (int i = 0; i < 5; i++) {
            server.enqueue(error(400, "invalid_request_error", "invalid_value"));
        }
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> guarded.execute(ChatRequest.of("gpt-4o-mini", "hi"), WorkflowContext.of("t")))
                    .isInstanceOf(ProviderException.InvalidRequest.class);
        }
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);

        for (int i = 0; i < 3; i++) {
            server.enqueue(error(500, "server_error", "server_error"));
            assertThatThrownBy(() -> guarded.execute(ChatRequest.of("gpt-4o-mini", "hi"), WorkflowContext.of("t")))
                    .isInstanceOf(ProviderException.ServerError.class);
        }
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    }

    @Test
    void givenAFallbackWhosePrimaryIsRateLimitedFor3sAndWhoseBackupIsDown_whenRetried_thenTheRetryWaits3s() {
        server.enqueue(error(429, "requests", "rate_limit_exceeded").newBuilder().addHeader("retry-after", "3")
                .build());
        server.enqueue(error(503, "server_error", "overloaded"));
        server.enqueue(answer());
        Fallback<ChatRequest, ChatResponse> fallback = Fallback.<ChatRequest, ChatResponse>builder("chain")
                .primary("mini", openAi("gpt-4o-mini")).fallback("4o", openAi("gpt-4o"))
                .classifier(ProviderFailureClassifier.ofDefaults()).build();

        ChatResponse answer = retriedTwiceByDefault(fallback).execute(ChatRequest.of("gpt-4o-mini", "hi"),
                WorkflowContext.of("t"));

        assertThat(answer.message().text()).isEqualTo("hello");
        assertThat(slept).containsExactly(Duration.ofSeconds(3));
        assertThat(server.getRequestCount()).isEqualTo(3);
    }
}
