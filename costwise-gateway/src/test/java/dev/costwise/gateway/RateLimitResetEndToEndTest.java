package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * An OpenAI 429 that gives no {@code retry-after} still says when its limits reset
 * (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers): the gateway waits for the reset of the
 * limit that is spent before it retries, at most its retry settings' {@code max_delay}, and tells the caller when to
 * come back once its retries are spent; a reset past the request's deadline is a long Retry-After: no retry, and the
 * caller is told the reset. The provider is OpenAI, faked in its error format with its rate-limit headers,
 * and OpenRouter, whose own limits' 429 carries the limit's headers in its error's {@code metadata.headers}
 * ({@code X-RateLimit-Reset} in epoch milliseconds) and no HTTP retry header.
 */
class RateLimitResetEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s,
                     price: {input: "1.00", output: "1.00"}}
                defaults:
                  retry: {max_retries: 2, backoff: exponential, initial_delay: 100ms, max_delay: 2s}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1"));
    }

    /** OpenAI's 429 with its rate-limit headers and no retry-after. */
    private static MockResponse limited(String remainingRequests, String resetRequests, String remainingTokens,
            String resetTokens) {
        return new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json")
                .addHeader("x-ratelimit-limit-requests", "500")
                .addHeader("x-ratelimit-remaining-requests", remainingRequests)
                .addHeader("x-ratelimit-reset-requests", resetRequests)
                .addHeader("x-ratelimit-limit-tokens", "30000")
                .addHeader("x-ratelimit-remaining-tokens", remainingTokens)
                .addHeader("x-ratelimit-reset-tokens", resetTokens)
                .body("{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini on requests per min (RPM): "
                        + "Limit 500, Used 500, Requested 1.\",\"type\":\"requests\",\"param\":null,"
                        + "\"code\":\"rate_limit_exceeded\"}}")
                .build();
    }

    @Test
    void givenA429WhoseRequestLimitResetsIn1500ms_whenRetried_thenEachRetryWaitsForTheResetAndTheCallerIsToldIt() {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(limited("0", "1.5s", "29000", "6m0s"));
        }
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "hi"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(503);
            assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("upstream_rate_limited");
            assertThat(gw.sleeps).as("the spent limit is the requests', reset in 1.5 s; not the tokens' 6 min")
                    .containsExactly(Duration.ofMillis(1500), Duration.ofMillis(1500));
            assertThat(res.headers().firstValue("retry-after")).hasValue("2");
            assertThat(upstream.getRequestCount()).isEqualTo(3);
        }
    }

    @Test
    void givenA429WhoseTokenLimitResetsAfterTheDeadline_whenAsked_thenItIsNotRetriedAndTheCallerIsToldTheReset() {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(limited("499", "120ms", "0", "6m0s"));
        }
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "hi"));

            assertThat(res.statusCode()).isEqualTo(503);
            assertThat(gw.sleeps).as("6 min is past the request's 120 s: a long Retry-After, not a short wait")
                    .isEmpty();
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            assertThat(res.headers().firstValue("retry-after")).hasValue("360");
        }
    }

    @Test
    void givenA429WhoseTokenLimitResetsInSeconds_whenRetried_thenTheWaitIsTheRetrySettingsLongest() {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(limited("499", "120ms", "0", "30s"));
        }
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "hi"));

            assertThat(res.statusCode()).isEqualTo(503);
            assertThat(gw.sleeps).as("a reset is when the limit is whole again: a call may fit sooner")
                    .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
            assertThat(res.headers().firstValue("retry-after")).hasValue("2");
        }
    }

    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

    private TestGateway openRouterGateway() {
        return new TestGateway("""
                models:
                  - {name: free, provider: openrouter, model: "deepseek/deepseek-r1:free", api_key_env: TEST_KEY,
                     base_url: %s/api/v1, price: {input: "0", output: "0"}}
                defaults:
                  retry: {max_retries: 2, backoff: exponential, initial_delay: 100ms, max_delay: 2s}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("TEST_KEY", "sk-or-test"),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** OpenRouter's 429 for a limit of its own (the body as OpenRouter sends it): its reset in the error's metadata. */
    private static MockResponse openRouterLimited(String message, Instant reset) {
        return new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"" + message + "\",\"code\":429,\"metadata\":{\"headers\":{"
                        + "\"X-RateLimit-Limit\":\"20\",\"X-RateLimit-Remaining\":\"0\",\"X-RateLimit-Reset\":\""
                        + reset.toEpochMilli() + "\"},\"provider_name\":null}},\"user_id\":\"user_2mBd\"}")
                .build();
    }

    @Test
    void givenOpenRoutersLimitResettingIn1500ms_whenRetried_thenEachRetryWaitsForTheResetInItsErrorMetadata() {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(openRouterLimited("Rate limit exceeded: limit_rpm/deepseek/deepseek-r1",
                    NOW.plusMillis(1500)));
        }
        try (TestGateway gw = openRouterGateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("free", "hi"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(503);
            assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("upstream_rate_limited");
            assertThat(gw.sleeps).as("the reset, not the 100 ms backoff")
                    .containsExactly(Duration.ofMillis(1500), Duration.ofMillis(1500));
            assertThat(upstream.getRequestCount()).isEqualTo(3);
        }
    }

    @Test
    void givenOpenRoutersDailyLimitResettingInHours_whenAsked_thenItIsNotRetriedAndTheCallerIsToldTheReset() {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(openRouterLimited("Rate limit exceeded: free-models-per-day", NOW.plus(
                    Duration.ofHours(14))));
        }
        try (TestGateway gw = openRouterGateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("free", "hi"));

            assertThat(res.statusCode()).isEqualTo(503);
            assertThat(gw.sleeps).isEmpty();
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            assertThat(res.headers().firstValue("retry-after")).hasValue(String.valueOf(14 * 3600));
        }
    }
}
