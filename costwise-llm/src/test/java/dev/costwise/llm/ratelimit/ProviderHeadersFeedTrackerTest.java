package dev.costwise.llm.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.MutableClock;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.HelidonHttpTransport;
import dev.costwise.llm.provider.http.TestPricers;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real OpenAI adapter's rate-limit headers (https://platform.openai.com/docs/guides/rate-limits) reach the usage
 * tracker through {@link UsageTracker#asRateLimitListener()}, so routing follows what the provider says is left.
 */
class ProviderHeadersFeedTrackerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void givenAResponseSayingFewTokensRemain_whenTracked_thenTheModelIsThrottledUntilTheReset() {
        UsageTracker tracker = UsageTracker.builder().clock(clock).build();
        OpenAiCompatibleChatModel gpt4o = OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), "gpt-4o")
                .apiKey(ApiKey.of("sk-test-key")).pricer(TestPricers.FIXED).environment(Map.of())
                .transport(HelidonHttpTransport.builder().readTimeout(Duration.ofSeconds(5)).build())
                .rateLimitListener(tracker.asRateLimitListener())
                .build();
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .addHeader("x-ratelimit-limit-requests", "500")
                .addHeader("x-ratelimit-remaining-requests", "499")
                .addHeader("x-ratelimit-reset-requests", "120ms")
                .addHeader("x-ratelimit-limit-tokens", "30000")
                .addHeader("x-ratelimit-remaining-tokens", "3000")
                .addHeader("x-ratelimit-reset-tokens", "20s")
                .body("""
                        {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06",
                         "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":12,"completion_tokens":1,"total_tokens":13}}""")
                .build());

        assertThat(tracker.shouldThrottle("gpt-4o")).isFalse();
        gpt4o.execute(ChatRequest.of("gpt-4o", "hi"), WorkflowContext.of("t"));

        assertThat(tracker.headroom("gpt-4o")).isLessThanOrEqualTo(0.1);
        assertThat(tracker.shouldThrottle("gpt-4o")).isTrue();
        clock.advance(Duration.ofSeconds(21));
        assertThat(tracker.shouldThrottle("gpt-4o")).isFalse();
    }
}
