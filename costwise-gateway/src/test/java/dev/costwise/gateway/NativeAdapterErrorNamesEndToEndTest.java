package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A native adapter's error names the model as configured, as an OpenAI-compatible one's does: two configured models
 * may call one upstream model with different keys or URLs, and the caller must see which of them failed.
 */
class NativeAdapterErrorNamesEndToEndTest {

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: gemini-badkey, provider: gemini, model: gemini-2.5-flash, base_url: %1$s,
                     api_key: AIza-wrong}
                  - {name: claude-badkey, provider: anthropic, model: claude-haiku-4-5, base_url: %1$s,
                     api_key: sk-ant-wrong}
                defaults:
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    private static JsonNode error(HttpResponse<String> res) {
        assertThat(res.statusCode()).isEqualTo(502);
        return TestGateway.json(res.body()).path("error");
    }

    @Test
    void givenAGeminiModelWithAWrongKey_whenAsked_thenTheErrorNamesTheConfiguredModel() {
        // https://ai.google.dev/gemini-api/docs/troubleshooting: a bad key is a 400 INVALID_ARGUMENT, API_KEY_INVALID
        upstream.enqueue(json(400, """
                {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                 "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                 "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]}}"""));
        try (TestGateway gw = gateway()) {
            JsonNode error = error(gw.post("/v1/chat/completions", TestGateway.chat("gemini-badkey", "hi")));

            assertThat(error.path("code").asText()).isEqualTo("upstream_auth_failed");
            assertThat(error.path("message").asText()).startsWith("gemini gemini-badkey: authentication failed");
        }
    }

    @Test
    void givenAnAnthropicModelWithAWrongKey_whenStreamed_thenTheErrorNamesTheConfiguredModel() {
        // https://docs.claude.com/en/api/errors
        upstream.enqueue(json(401, """
                {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}"""));
        try (TestGateway gw = gateway()) {
            JsonNode error = error(gw.post("/v1/chat/completions", "{\"model\": \"claude-badkey\", \"stream\": true,"
                    + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));

            assertThat(error.path("code").asText()).isEqualTo("upstream_auth_failed");
            assertThat(error.path("message").asText()).startsWith("anthropic claude-badkey: authentication failed");
        }
    }
}
