package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An upstream whose quota or credits ran out (OpenAI's 429 {@code insufficient_quota}, OpenRouter's 402,
 * https://platform.openai.com/docs/guides/error-codes, https://openrouter.ai/docs/api-reference/errors) reaches an
 * Anthropic-API client as {@code billing_error}, Anthropic's type for it (https://docs.claude.com/en/api/errors), whole
 * or mid-stream: {@code overloaded_error} would tell the client and its agent to retry a failure that waiting does not
 * clear. The upstreams are MockWebServers speaking OpenAI's and OpenRouter's chat API.
 */
class QuotaErrorTypesEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: mini, provider: openai, model: gpt-4.1-mini, base_url: %1$s/v1}
                  - {name: routed, provider: openrouter, model: openai/gpt-4.1-mini, base_url: %1$s/api/v1,
                     api_key: sk-or-test, price: {input: "0.40", output: "1.60"}}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> messages(TestGateway gw, String model, boolean stream) {
        return gw.post("/v1/messages", """
                {"model": "%s", "max_tokens": 50, "stream": %s,
                 "messages": [{"role": "user", "content": "Summarise the report"}]}""".formatted(model, stream),
                "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    @ParameterizedTest
    @CsvSource({"mini, 429, insufficient_quota, insufficient_quota", "routed, 402, , 402"})
    void givenAnUpstreamOutOfQuota_whenAnAnthropicClientAsks_thenTheErrorIsABillingError(String model, int status,
            String type, String code) {
        upstream.enqueue(OpenAiFake.error(status, type == null ? "error" : type, code,
                "You exceeded your current quota"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, model, false);

            JsonNode error = TestGateway.json(res.body());
            assertThat(error.path("type").asText()).as(res.body()).isEqualTo("error");
            assertThat(error.at("/error/type").asText()).isEqualTo("billing_error");
            assertThat(res.headers().firstValue("x-should-retry")).hasValue("false");
        }
    }

    @Test
    void givenAStreamThatRunsOutOfQuota_whenAnAnthropicClientStreams_thenTheErrorEventIsABillingError() {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(
                OpenAiFake.CHUNK_HEAD + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"The\"},"
                        + "\"finish_reason\":null}]}\n\n"
                        + "data: {\"error\":{\"message\":\"You exceeded your current quota\","
                        + "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}\n\n").build());
        try (TestGateway gw = gateway()) {
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(messages(gw, "mini", true).body());

            assertThat(events.getLast().getKey()).isEqualTo("error");
            assertThat(events.getLast().getValue().at("/error/type").asText()).isEqualTo("billing_error");
        }
    }
}
