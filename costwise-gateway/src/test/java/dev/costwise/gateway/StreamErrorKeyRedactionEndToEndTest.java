package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A stream that has answered 200 and then fails with an error that quotes the provider key (as a proxy in front of
 * the provider may) must not hand the key to the gateway's callers, on any endpoint, nor write it to the log. Each
 * upstream speaks its provider's documented stream format: Anthropic's {@code event: error}
 * (https://docs.claude.com/en/docs/build-with-claude/streaming#error-events), a Gemini chunk holding an
 * {@code error} (https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent) and OpenAI's
 * {@code data: {"error": ...}} (OpenRouter documents it: https://openrouter.ai/docs/api-reference/errors).
 */
class StreamErrorKeyRedactionEndToEndTest {
    /** No known key format, so only its exact value can catch it. */
    private static final String KEY = "proxy+LEAKYKEY/token=42";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway(String provider) {
        String base = TestGateway.baseUrl(upstream)
                + (provider.equals("anthropic") || provider.equals("gemini") ? "" : "/v1");
        return new TestGateway("""
                models:
                  - {name: m, provider: %s, model: upstream-model, api_key: "${KEY}", base_url: %s,
                     price: {input: "1", output: "1"}, circuit_breaker: off}
                defaults:
                  retry: {max_retries: 0}
                  cache: {enabled: false}
                """.formatted(provider, base), Map.of("KEY", KEY));
    }

    /** Some text, then an error event quoting the key, in {@code provider}'s stream format. */
    private static MockResponse failingStream(String provider) {
        String message = "Overloaded for key " + KEY + " (Bearer " + KEY + ")";
        if (provider.equals("anthropic")) {
            return AnthropicFake.events("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                    + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"upstream-model\","
                    + "\"stop_reason\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}",
                    "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                    "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"partial \"}}",
                    "error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\""
                    + message + "\"}}");
        }
        String sse = switch (provider) {
            case "gemini" -> """
                    data: {"candidates":[{"content":{"role":"model","parts":[{"text":"partial "}]},"index":0}],\
                    "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":1,"totalTokenCount":11}}

                    data: {"error":{"code":503,"message":"%s","status":"UNAVAILABLE"}}

                    """.formatted(message);
            default -> """
                    data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"upstream-model",\
                    "choices":[{"index":0,"delta":{"role":"assistant","content":"partial "},"finish_reason":null}]}

                    data: {"error":{"message":"%s","type":"server_error","code":"server_error"}}

                    """.formatted(message);
        };
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(sse).build();
    }

    @ParameterizedTest
    @CsvSource({"anthropic", "gemini", "openai-compatible", "openrouter", "groq", "huggingface", "ollama",
        "together"})
    void givenAStreamErrorQuotingTheKey_whenRelayedOnEachEndpoint_thenNeitherCallersNorTheLogSeeIt(String provider) {
        PrintStream original = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
        try (TestGateway gw = gateway(provider)) {
            for (int i = 0; i < 3; i++) {
                upstream.enqueue(failingStream(provider));
            }
            String chat = gw.post("/v1/chat/completions", "{\"model\":\"m\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").body();
            String messages = gw.post("/v1/messages", "{\"model\":\"m\",\"stream\":true,\"max_tokens\":50,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "anthropic-version", "2023-06-01")
                    .body();
            String responses = gw.post("/v1/responses", "{\"model\":\"m\",\"stream\":true,\"input\":\"hi\"}").body();

            for (String answer : new String[] {chat, messages, responses}) {
                assertThat(answer).contains("partial").contains("Overloaded for key [redacted]")
                        .doesNotContain("LEAKYKEY");
            }
        } finally {
            System.setErr(original);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain("LEAKYKEY");
    }
}
