package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A Gemini candidate ended by {@code finishReason: MALFORMED_FUNCTION_CALL} (the model wrote a function call Gemini
 * could not parse; https://ai.google.dev/api/generate-content#FinishReason) is no answer: the attempt fails and is
 * retried, where {@code finish_reason: "stop"} would tell an agent loop the model had finished.
 */
class GeminiToolCallFailuresEndToEndTest {

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    @Test
    void givenAMalformedFunctionCall_whenAsked_thenTheAttemptFailsAndTheRetryAnswers() {
        upstream.enqueue(json("""
                {"candidates": [{"content": {}, "finishReason": "MALFORMED_FUNCTION_CALL", "index": 0}],
                 "usageMetadata": {"promptTokenCount": 900, "totalTokenCount": 900},
                 "modelVersion": "gemini-2.5-flash", "responseId": "r1"}"""));
        upstream.enqueue(json("""
                {"candidates": [{"content": {"role": "model", "parts": [{"functionCall": {"name": "get_weather",
                   "args": {"city": "Paris"}}}]}, "finishReason": "STOP", "index": 0}],
                 "usageMetadata": {"promptTokenCount": 900, "candidatesTokenCount": 8, "totalTokenCount": 908},
                 "modelVersion": "gemini-2.5-flash", "responseId": "r2"}"""));
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %s, api_key: AIza-test,
                     price: {input: "0.30", output: "2.50"}}
                defaults:
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(upstream)))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "flash", "messages": [{"role": "user", "content": "Weather in Paris?"}],
                     "tools": [{"type": "function", "function": {"name": "get_weather",
                       "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}""");

            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode choice = TestGateway.json(res.body()).path("choices").path(0);
            assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
            assertThat(choice.at("/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
            assertThat(gw.records()).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
            assertThat(gw.records().getFirst().errorKind()).contains("malformed_response");
        }
    }
}
