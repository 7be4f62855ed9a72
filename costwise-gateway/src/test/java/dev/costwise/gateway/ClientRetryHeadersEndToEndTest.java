package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.config.ConfigLoader;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code x-should-retry: false}, which the official OpenAI and Anthropic SDKs obey before the status and
 * {@code Retry-After}, on the answers an SDK's own retries cannot fix.
 */
class ClientRetryHeadersEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    /** A worst case of a few tokens at $10 per million is far over the $0.000000001 left. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/v1/chat/completions|{\"model\":\"mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "/v1/messages|{\"model\":\"mini\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "/v1/responses|{\"model\":\"mini\",\"input\":\"hi\"}",
        "/v1/embeddings|{\"model\":\"embed\",\"input\":\"hi\"}"})
    void givenABudgetWithNoRoom_whenCalled_thenThe429SaysNotToRetryAutomatically(String path, String body) {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s/v1,
                     price: {input: "10", output: "10"}}
                  - {name: embed, provider: openai, model: text-embedding-3-small, base_url: %1$s/v1,
                     price: {input: "10", output: "0"}}
                budgets:
                  - {name: daily, scope: global, window: day, limit: "0.000000001"}
                """.formatted(TestGateway.baseUrl(upstream)))) {
            HttpResponse<String> res = gw.post(path, body);

            assertThat(res.statusCode()).as(res.body()).isEqualTo(429);
            assertThat(res.body()).as("OpenAI's shape or Anthropic's").contains("budget 'daily'");
            assertThat(res.headers().firstValue("retry-after")).as("still says when it resets").isPresent();
            assertThat(res.headers().firstValue("x-should-retry")).hasValue("false");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    /** {@code mini} on the fake OpenAI, retried twice by the gateway, its circuit opening after 3 failures in a row. */
    private String retried(String extra) {
        return """
                models:
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %s/v1,
                     circuit_breaker: {failures_in_a_row: 3, open_for: 30s}}
                defaults:
                  retry: {max_retries: 2}
                %s
                """.formatted(TestGateway.baseUrl(upstream), extra);
    }

    /**
     * After the gateway's own retries (or for a failure no retry fixes), an SDK's retries would replay the whole
     * pipeline: 3 SDK attempts of 3 gateway attempts each, failures that also open the model's circuit for every key.
     */
    @ParameterizedTest
    @CsvSource({
        "429, rate_limit_error, rate_limit_exceeded, 503, upstream_rate_limited, 3",
        "503, server_error, , 503, upstream_overloaded, 3",
        "500, server_error, , 502, upstream_error, 3",
        "504, server_error, , 504, upstream_timeout, 3",
        "401, invalid_request_error, invalid_api_key, 502, upstream_auth_failed, 1",
        "429, insufficient_quota, insufficient_quota, 503, upstream_quota_exhausted, 1"})
    void givenAnUpstreamFailureTheGatewayRetriedOrCannotFix_whenAnswered_thenItSaysNotToRetryAutomatically(
            int upstreamStatus, String type, String code, int status, String gatewayCode, int calls) {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(OpenAiFake.error(upstreamStatus, type, code, "upstream says no"));
        }
        try (TestGateway gw = TestGateway.of(retried(""))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("mini", "hi"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
            assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo(gatewayCode);
            assertThat(res.headers().firstValue("x-should-retry")).hasValue("false");
            assertThat(upstream.getRequestCount()).isEqualTo(calls);
        }
    }

    @Test
    void givenTheModelsCircuitOpen_whenAnswered_thenItSaysNotToRetryAutomatically() {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(OpenAiFake.error(500, "server_error", null, "The server had an error"));
        }
        AtomicLong nanos = new AtomicLong();
        try (TestGateway gw = new TestGateway(retried(""), Map.of(), nanos::get)) {
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("mini", "q1")).statusCode()).isEqualTo(502);

            HttpResponse<String> refused = gw.post("/v1/chat/completions", TestGateway.chat("mini", "q2"));

            assertThat(TestGateway.json(refused.body()).at("/error/code").asText()).isEqualTo("upstream_circuit_open");
            assertThat(refused.headers().firstValue("x-should-retry")).hasValue("false");
            assertThat(upstream.getRequestCount()).isEqualTo(3);
        }
    }

    /** A key's own minute frees up in seconds: a retry after its Retry-After is what the client should do. */
    @Test
    void givenAKeysRpmPassed_whenAnswered_thenAnSdkMayRetryAfterRetryAfter() {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 1, 1));
        try (TestGateway gw = TestGateway.of(retried("""
                keys:
                  - {id: slow, key_sha256: %s, rpm: 1}
                """.formatted(ConfigLoader.sha256Hex("sk-slow"))))) {
            gw.post("/v1/chat/completions", TestGateway.chat("mini", "q1"), "Authorization", "Bearer sk-slow");

            HttpResponse<String> limited = gw.post("/v1/chat/completions", TestGateway.chat("mini", "q2"),
                    "Authorization", "Bearer sk-slow");

            assertThat(TestGateway.json(limited.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(limited.headers().firstValue("retry-after")).isPresent();
            assertThat(limited.headers().firstValue("x-should-retry")).isEmpty();
        }
    }

    /** While one replica drains, another can serve the request: the SDK's retry is right. */
    @Test
    void givenTheGatewayDraining_whenAnswered_thenAnSdkMayRetry() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (first.getAndSet(false)) { // keeps one request in flight, so the gateway stays draining
                    release.await(10, TimeUnit.SECONDS);
                }
                return OpenAiFake.completion("gpt-4o-mini", "ok", 1, 1);
            }
        });
        TestGateway gw = TestGateway.of(retried(""));
        try {
            CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(
                    () -> gw.post("/v1/chat/completions", TestGateway.chat("mini", "slow")));
            assertThat(upstream.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(gw::close);
            HttpResponse<String> refused = drainingAnswer(gw);
            release.countDown();

            assertThat(TestGateway.json(refused.body()).at("/error/code").asText()).isEqualTo("shutting_down");
            assertThat(refused.headers().firstValue("x-should-retry")).isEmpty();
            assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            closing.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            gw.close();
        }
    }

    /** Asks until the draining gateway refuses (the close runs on another thread); no sleep. */
    private static HttpResponse<String> drainingAnswer(TestGateway gw) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("mini", "after"));
            if (res.statusCode() == 503) {
                return res;
            }
        }
        throw new AssertionError("the gateway never started draining");
    }
}
