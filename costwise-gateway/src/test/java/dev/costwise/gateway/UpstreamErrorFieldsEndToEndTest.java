package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A provider's 400 keeps what its error body said: OpenAI's {@code param} (the caller's own field, since the gateway
 * passes the body through) and its {@code code} as {@code upstream_code}, next to the gateway's stable code.
 */
class UpstreamErrorFieldsEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s/v1}
                  - {name: text-embedding-3-small, provider: openai, base_url: %1$s/v1}
                  - {name: claude, provider: anthropic, model: claude-haiku-4-5, api_key_env: TEST_KEY, base_url: %1$s}
                defaults:
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    private static MockResponse openAiError(String message, String param, String code) {
        return new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\",\"param\":\""
                        + param + "\",\"code\":\"" + code + "\"}}").build();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/v1/chat/completions|{\"model\":\"mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                + "|Invalid 'messages[0].content': string too long.|messages[0].content|string_above_max_length"
                + "|context_length_exceeded",
        "/v1/chat/completions|{\"model\":\"mini\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}|Unsupported value: 'temperature' does not support 0.5 with this model."
                + "|temperature|unsupported_value|upstream_rejected",
        // a dimensions the gateway accepts (a positive number) that the model cannot give
        "/v1/embeddings|{\"model\":\"text-embedding-3-small\",\"input\":\"hi\",\"dimensions\":4096}"
                + "|Invalid 'dimensions': integer above maximum value.|dimensions|integer_above_max_value"
                + "|upstream_rejected"})
    void givenAnOpenAi400NamingAField_whenAnswered_thenParamAndTheProvidersCodeReachTheCaller(String path,
            String body, String message, String param, String providerCode, String gatewayCode) {
        upstream.enqueue(openAiError(message, param, providerCode));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post(path, body);

            assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(error.get("param").asText()).isEqualTo(param);
            assertThat(error.get("code").asText()).as("the gateway's own, stable code").isEqualTo(gatewayCode);
            assertThat(error.get("upstream_code").asText()).isEqualTo(providerCode);
            assertThat(error.get("message").asText()).contains(message);
        }
    }

    /** The Responses API is sent upstream as a chat request: a chat field is not the caller's, so none is named. */
    @Test
    void givenTheResponsesApi_whenTheProviderNamesAChatField_thenNoParamButTheProvidersCode() {
        upstream.enqueue(openAiError("Invalid 'messages[0].content': string too long.", "messages[0].content",
                "string_above_max_length"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/responses", "{\"model\":\"mini\",\"input\":\"hi\"}");

            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(error.get("param").isNull()).as(res.body()).isTrue();
            assertThat(error.get("upstream_code").asText()).isEqualTo("string_above_max_length");
        }
    }

    /** Anthropic's error body names no field (its message does) and has no code beyond its type. */
    @Test
    void givenAnAnthropic400_whenAnswered_thenParamStaysNull() {
        upstream.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
                        + "\"messages.0.content: Input should be a valid list\"}}").build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("claude", "hi"));

            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
            assertThat(error.get("param").isNull()).isTrue();
            assertThat(error.get("code").asText()).isEqualTo("upstream_rejected");
            assertThat(error.get("message").asText()).contains("messages.0.content");
        }
    }
}
