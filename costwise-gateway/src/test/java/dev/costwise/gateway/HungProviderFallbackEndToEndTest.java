package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.llm.cost.CostRecord;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A provider that hangs (accepts the connection, never answers) goes to the pipeline's fallback after one attempt
 * timeout, even when its retries would fill the request's deadline (as the defaults, 2 retries of 60 s in 120 s, do):
 * its retries wait until the fallbacks were tried. Both providers are MockWebServers speaking OpenAI's wire format.
 */
class HungProviderFallbackEndToEndTest {
    @StartStop
    final MockWebServer hung = new MockWebServer();
    @StartStop
    final MockWebServer backup = new MockWebServer();

    /** Three attempts of 1 s fill the 3 s deadline: before, the fallback was never reached. */
    private String yaml() {
        return """
                server: {request_timeout: 3s}
                models:
                  - {name: primary, provider: openai, model: gpt-4o, base_url: %s/v1}
                  - {name: backup, provider: openai, model: gpt-4o-mini, base_url: %s/v1}
                pipelines:
                  primary:
                    fallbacks: [backup]
                    timeout: 1s
                    retry: {max_retries: 2, initial_delay: 10ms}
                """.formatted(TestGateway.baseUrl(hung), TestGateway.baseUrl(backup));
    }

    private static MockResponse hangs() {
        return new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build();
    }

    @Test
    void givenAHungPrimary_whenAsked_thenTheFallbackAnswersAfterOneAttemptWithoutRetryingThePrimary() {
        hung.enqueue(hangs());
        backup.enqueue(OpenAiFake.completion("gpt-4o-mini", "from backup", 9, 2));
        try (TestGateway gw = TestGateway.of(yaml())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("primary", "hi"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            assertThat(TestGateway.json(res.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("from backup");
            assertThat(hung.getRequestCount()).isEqualTo(1);
            assertThat(gw.records()).extracting(CostRecord::usedModel).containsExactly("primary", "backup");
            assertThat(gw.records().getFirst().errorKind()).hasValue("timeout");
        }
    }

    @Test
    void givenAHungPrimary_whenStreamed_thenTheFallbackStreamsAfterOneAttempt() {
        hung.enqueue(hangs());
        backup.enqueue(OpenAiFake.stream("gpt-4o-mini", "from", " backup"));
        try (TestGateway gw = TestGateway.of(yaml())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\":\"primary\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            assertThat(TestGateway.dataChunks(res.body())).extracting(c -> c.at("/choices/0/delta/content")
                    .asText("")).containsSubsequence("from", " backup");
            assertThat(hung.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void givenAHungPrimaryAndAFailingFallback_whenTimeIsLeft_thenThePrimaryIsRetriedAfterTheFallback() {
        hung.enqueue(hangs());
        hung.enqueue(OpenAiFake.completion("gpt-4o", "second try", 9, 2));
        backup.enqueue(OpenAiFake.error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key"));
        try (TestGateway gw = TestGateway.of(yaml())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("primary", "hi"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("primary");
            assertThat(TestGateway.json(res.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("second try");
            assertThat(gw.records()).extracting(CostRecord::usedModel)
                    .containsExactly("primary", "backup", "primary");
        }
    }

    @Test
    void givenARateLimitedPrimaryPutOffForItsFallback_whenTheFallbackFails_thenItsRetryStillWaitsOutRetryAfter() {
        // 10 s left less the 2 s Retry-After is under the 9 s attempt timeout: the retry is put off for the fallback
        hung.enqueue(new MockResponse.Builder().code(429).addHeader("retry-after", "2").addHeader("Content-Type",
                "application/json").body("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}").build());
        hung.enqueue(OpenAiFake.completion("gpt-4o", "after the wait", 9, 2));
        backup.enqueue(OpenAiFake.error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key"));
        try (TestGateway gw = TestGateway.of("""
                server: {request_timeout: 10s}
                models:
                  - {name: primary, provider: openai, model: gpt-4o, base_url: %s/v1}
                  - {name: backup, provider: openai, model: gpt-4o-mini, base_url: %s/v1}
                pipelines:
                  primary:
                    fallbacks: [backup]
                    timeout: 9s
                    retry: {max_retries: 2, initial_delay: 10ms}
                """.formatted(TestGateway.baseUrl(hung), TestGateway.baseUrl(backup)))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("primary", "hi"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(gw.records()).extracting(CostRecord::usedModel)
                    .containsExactly("primary", "backup", "primary");
            assertThat(gw.sleeps).as("the provider's Retry-After, less the fallback's time, not an immediate retry")
                    .singleElement().satisfies(d -> assertThat(d.toMillis()).isBetween(1000L, 2000L));
        }
    }
}
