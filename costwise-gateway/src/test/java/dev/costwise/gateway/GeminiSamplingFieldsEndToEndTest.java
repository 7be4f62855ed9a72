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
 * OpenAI's sampling fields reach a Gemini model in its own terms, {@code generationConfig}
 * (https://ai.google.dev/api/generate-content#generationconfig), or are refused: none is silently left out.
 */
class GeminiSamplingFieldsEndToEndTest {

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %s, api_key: AIza-test,
                     price: {input: "0.30", output: "2.50"}}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    private static String ask(String fields) {
        return "{\"model\": \"flash\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], " + fields + "}";
    }

    @Test
    void givenPresenceAndFrequencyPenalties_whenAsked_thenGeminiGetsThemInItsGenerationConfig() throws Exception {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hello"}]}, "finishReason": "STOP",
                  "index": 0}], "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 1},
                 "modelVersion": "gemini-2.5-flash", "responseId": "r1"}""").build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions",
                    ask("\"presence_penalty\": 0.5, \"frequency_penalty\": -0.25"));

            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode config = TestGateway.json(upstream.takeRequest().getBody().utf8()).path("generationConfig");
            assertThat(config.path("presencePenalty").asDouble()).isEqualTo(0.5);
            assertThat(config.path("frequencyPenalty").asDouble()).isEqualTo(-0.25);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"logprobs\": true|logprobs",
        "\"logprobs\": true, \"top_logprobs\": 3|logprobs",
        "\"top_logprobs\": 3|top_logprobs",
    })
    void givenLogprobs_whenAsked_thenA400NamesTheFieldAndGeminiIsNotCalled(String fields, String param) {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask(fields));

            assertThat(res.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(res.body()).path("error");
            assertThat(error.path("param").asText()).isEqualTo(param);
            assertThat(error.path("message").asText()).contains("gemini models").contains("log probabilities");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }
}
