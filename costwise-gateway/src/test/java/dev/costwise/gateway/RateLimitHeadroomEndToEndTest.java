package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A route with {@code rate_limit_headroom_above} is taken only while its model's provider says, in the rate-limit
 * headers of its answers, that more than that share of its tightest limit is left; once the limit's reset time has
 * passed (the gateway's clock moved on) the model counts as full again. The providers are Groq, answering with
 * OpenAI's {@code x-ratelimit-*} headers (https://console.groq.com/docs/rate-limits), and Anthropic with its
 * {@code anthropic-ratelimit-*} headers (https://docs.claude.com/en/api/rate-limits#response-headers). Route explain
 * shows the headroom it decided with, and decides as the request does.
 */
class RateLimitHeadroomEndToEndTest {
    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

    @StartStop
    final MockWebServer groq = new MockWebServer();
    @StartStop
    final MockWebServer anthropic = new MockWebServer();
    @StartStop
    final MockWebServer openai = new MockWebServer();

    private final MovableClock clock = new MovableClock(NOW);

    private TestGateway gateway() {
        return new TestGateway("""
                models:
                  - {name: free, provider: groq, model: llama-3.3-70b-versatile, base_url: %s/openai/v1,
                     api_key: gsk-test, price: {input: "0", output: "0"}}
                  - {name: claude, provider: anthropic, model: claude-haiku-4-5, base_url: %s, api_key: k,
                     price: {input: "1", output: "5"}}
                  - {name: paid, provider: openai, model: gpt-4o-mini, base_url: %s/v1, api_key: sk-test,
                     price: {input: "0.15", output: "0.60"}}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                pipelines:
                  auto:
                    routes:
                      - {name: free, model: free, when: {rate_limit_headroom_above: 0.2}}
                      - {name: claude, model: claude, when: {rate_limit_headroom_above: 0.2}}
                    default_route: paid
                    fallbacks: [paid]
                """.formatted(TestGateway.baseUrl(groq), TestGateway.baseUrl(anthropic),
                TestGateway.baseUrl(openai)), Map.of(), clock);
    }

    /** Groq's answer with its rate-limit headers: {@code requestsLeft} of 1,000 a day, tokens plentiful. */
    private static MockResponse groqAnswer(int requestsLeft, String requestsReset) {
        return withGroqLimits(OpenAiFake.completion("llama-3.3-70b-versatile", "ok", 10, 2).newBuilder(),
                requestsLeft, requestsReset).build();
    }

    private static MockResponse.Builder withGroqLimits(MockResponse.Builder b, int requestsLeft,
            String requestsReset) {
        return b.addHeader("x-ratelimit-limit-requests", "1000")
                .addHeader("x-ratelimit-remaining-requests", String.valueOf(requestsLeft))
                .addHeader("x-ratelimit-reset-requests", requestsReset)
                .addHeader("x-ratelimit-limit-tokens", "6000")
                .addHeader("x-ratelimit-remaining-tokens", "5999")
                .addHeader("x-ratelimit-reset-tokens", "120ms");
    }

    private static String routeOf(HttpResponse<String> res) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return res.headers().firstValue("x-costwise-route").orElseThrow();
    }

    private static JsonNode explain(TestGateway gw) {
        HttpResponse<String> res = gw.post("/v1/route/explain", TestGateway.chat("auto", "hi"));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return TestGateway.json(res.body());
    }

    @Test
    void givenGroqReportsItsDailyRequestsNearlySpent_whenAsked_thenTheRouteMovesOnUntilTheResetPasses() {
        groq.enqueue(groqAnswer(999, "1m26.4s"));
        groq.enqueue(withGroqLimits(OpenAiFake.stream("llama-3.3-70b-versatile", "o", "k").newBuilder(), 150,
                "6m0s").build());
        anthropic.enqueue(AnthropicFake.message("ok", "end_turn", "null"));
        groq.enqueue(groqAnswer(999, "1m26.4s"));
        try (TestGateway gw = gateway()) {
            JsonNode before = explain(gw);
            assertThat(before.path("route").asText()).isEqualTo("free");
            assertThat(before.at("/rate_limit_headroom/free").asText()).as("no answer yet: nothing is known")
                    .isEqualTo("unknown");

            assertThat(routeOf(gw.post("/v1/chat/completions", TestGateway.chat("auto", "one")))).isEqualTo("free");
            assertThat(explain(gw).at("/rate_limit_headroom/free").asDouble()).isEqualTo(0.999);
            assertThat(routeOf(gw.post("/v1/chat/completions", "{\"model\":\"auto\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"two\"}]}"))).as("a stream's headers count too")
                    .isEqualTo("free");

            JsonNode low = explain(gw);
            assertThat(low.path("route").asText()).as("150 of 1,000 left is 15%, not above 20%").isEqualTo("claude");
            assertThat(low.at("/rate_limit_headroom/free").asDouble()).isEqualTo(0.15);
            assertThat(low.at("/rate_limit_headroom/claude").asText()).isEqualTo("unknown");
            assertThat(routeOf(gw.post("/v1/chat/completions", TestGateway.chat("auto", "three"))))
                    .as("the request decides as explain did").isEqualTo("claude");

            clock.advance(Duration.ofMinutes(6));
            JsonNode reset = explain(gw);
            assertThat(reset.path("route").asText()).isEqualTo("free");
            assertThat(reset.at("/rate_limit_headroom/free").asText()).isEqualTo("unknown");
            assertThat(routeOf(gw.post("/v1/chat/completions", TestGateway.chat("auto", "four")))).isEqualTo("free");
            assertThat(groq.getRequestCount()).isEqualTo(3);
            assertThat(anthropic.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void givenGroqAnswers429WithItsLimitSpent_whenAskedAgain_thenTheNextRequestGoesStraightToTheNextRoute() {
        groq.enqueue(withGroqLimits(OpenAiFake.error(429, "tokens", "rate_limit_exceeded",
                "Rate limit reached for model llama-3.3-70b-versatile on requests per day (RPD)").newBuilder(), 0,
                "2m0s").build());
        openai.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 10, 2));
        anthropic.enqueue(AnthropicFake.message("ok", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> first = gw.post("/v1/chat/completions", TestGateway.chat("auto", "one"));
            assertThat(first.headers().firstValue("x-costwise-model-used")).as("the 429 falls back").hasValue("paid");

            assertThat(routeOf(gw.post("/v1/chat/completions", TestGateway.chat("auto", "two")))).isEqualTo("claude");
            assertThat(explain(gw).at("/rate_limit_headroom/free").asDouble()).isZero();
            assertThat(groq.getRequestCount()).isEqualTo(1);
        }
    }

    /** Anthropic's answer with its rate-limit headers: output tokens nearly spent, the rest plentiful. */
    private static MockResponse anthropicAnswer() {
        String reset = NOW.plusSeconds(60).toString();
        return AnthropicFake.message("ok", "end_turn", "null").newBuilder()
                .addHeader("anthropic-ratelimit-requests-limit", "50")
                .addHeader("anthropic-ratelimit-requests-remaining", "49")
                .addHeader("anthropic-ratelimit-requests-reset", reset)
                .addHeader("anthropic-ratelimit-input-tokens-limit", "50000")
                .addHeader("anthropic-ratelimit-input-tokens-remaining", "49000")
                .addHeader("anthropic-ratelimit-input-tokens-reset", reset)
                .addHeader("anthropic-ratelimit-output-tokens-limit", "10000")
                .addHeader("anthropic-ratelimit-output-tokens-remaining", "500")
                .addHeader("anthropic-ratelimit-output-tokens-reset", reset)
                .build();
    }

    @Test
    void givenAnthropicReportsItsOutputTokensNearlySpent_whenAsked_thenTheRouteMovesOnUntilTheReset() {
        anthropic.enqueue(anthropicAnswer());
        anthropic.enqueue(anthropicAnswer());
        openai.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 10, 2));
        try (TestGateway gw = new TestGateway("""
                models:
                  - {name: claude, provider: anthropic, model: claude-haiku-4-5, base_url: %s, api_key: k,
                     price: {input: "1", output: "5"}}
                  - {name: paid, provider: openai, model: gpt-4o-mini, base_url: %s/v1, api_key: sk-test,
                     price: {input: "0.15", output: "0.60"}}
                defaults: {cache: {enabled: false}, retry: {max_retries: 0}}
                pipelines:
                  auto:
                    routes: [{name: claude, model: claude, when: {rate_limit_headroom_above: 0.1}}]
                    default_route: paid
                """.formatted(TestGateway.baseUrl(anthropic), TestGateway.baseUrl(openai)), Map.of(), clock)) {
            assertThat(routeOf(gw.post("/v1/chat/completions", TestGateway.chat("auto", "one")))).isEqualTo("claude");

            JsonNode low = explain(gw);
            assertThat(low.at("/rate_limit_headroom/claude").asDouble()).as("500 of 10,000 output tokens: 5%")
                    .isEqualTo(0.05);
            assertThat(low.path("route").asText()).isEqualTo("default");
            assertThat(routeOf(gw.post("/v1/chat/completions", TestGateway.chat("auto", "two"))))
                    .isEqualTo("default");

            clock.advance(Duration.ofSeconds(61));
            assertThat(explain(gw).path("route").asText()).isEqualTo("claude");
            assertThat(routeOf(gw.post("/v1/chat/completions", TestGateway.chat("auto", "three"))))
                    .isEqualTo("claude");
            assertThat(openai.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void givenTheFreeExecutorReportsOneRequestLeftOfAThousand_whenAWorkflowIsExplained_thenItsReasonStatesTheFigure() {
        groq.enqueue(groqAnswer(1, "1m26.4s"));
        try (TestGateway gw = new TestGateway("""
                models:
                  - {name: "llama-3.3-70b-versatile:free", provider: groq, model: llama-3.3-70b-versatile,
                     base_url: %s/openai/v1, api_key: gsk-test}
                  - {name: gpt-4o-mini, provider: openai, base_url: %s/v1, api_key: sk-test}
                  - {name: gpt-4o, provider: openai, base_url: %s/v1, api_key: sk-test}
                defaults: {cache: {enabled: false}, retry: {max_retries: 0}}
                pipelines:
                  auto:
                    workflow: true
                    validate: false
                    routes:
                      - {name: e0, model: "llama-3.3-70b-versatile:free"}
                      - {name: e1, model: gpt-4o-mini}
                    default_route: gpt-4o
                """.formatted(TestGateway.baseUrl(groq), TestGateway.baseUrl(openai), TestGateway.baseUrl(openai)),
                Map.of(), clock)) {
            String ask = TestGateway.chat("auto", "What is 6+6?");
            JsonNode before = TestGateway.json(gw.post("/v1/route/explain", ask).body());
            assertThat(before.at("/workflow/executor").asText()).isEqualTo("llama-3.3-70b-versatile:free");
            assertThat(before.at("/classification/reason").asText()).as("never a made-up 100%")
                    .contains("rate-limit headroom unknown").doesNotContain("100%");
            assertThat(before.at("/rate_limit_headroom/llama-3.3-70b-versatile:free").asText()).isEqualTo("unknown");

            HttpResponse<String> res = gw.post("/v1/chat/completions", ask);
            assertThat(res.headers().firstValue("x-costwise-model-used")).as(res.body())
                    .hasValue("llama-3.3-70b-versatile:free");

            JsonNode after = TestGateway.json(gw.post("/v1/route/explain", ask).body());
            assertThat(after.at("/rate_limit_headroom/llama-3.3-70b-versatile:free").asDouble()).isEqualTo(0.001);
            assertThat(after.at("/workflow/executor").asText()).as("a free model under 10%% headroom is left")
                    .isEqualTo("gpt-4o-mini");
            assertThat(after.at("/classification/reason").asText())
                    .contains("llama-3.3-70b-versatile:free headroom 0.1% < 10%");
        }
    }
}
