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

/**
 * A Responses answer that a content filter or the model's refusal stopped is {@code incomplete} with
 * {@code incomplete_details.reason: content_filter}, and its stream ends with {@code response.incomplete}
 * (https://platform.openai.com/docs/api-reference/responses/object), whichever provider stopped it: Gemini's
 * {@code finishReason: SAFETY} (https://ai.google.dev/api/generate-content#FinishReason), Anthropic's
 * {@code stop_reason: refusal} (https://docs.claude.com/en/api/handling-stop-reasons), OpenAI's
 * {@code finish_reason: content_filter}.
 */
class ResponsesIncompleteEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.nativeModels(upstream);
    }

    @Test
    void givenAGeminiAnswerBlockedForSafety_whenAnswered_thenTheResponseIsIncompleteForTheContentFilter() {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"candidates": [{"content": {"role": "model", "parts": [{"text": ""}]}, "finishReason": "SAFETY",
                  "index": 0}], "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 0},
                 "modelVersion": "gemini-2.5-flash", "responseId": "r1"}""").build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/responses", "{\"model\": \"flash\", \"input\": \"hi\"}");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertFiltered(TestGateway.json(res.body()));
        }
    }

    @Test
    void givenAnOpenAiAnswerStoppedByItsContentFilter_whenAnswered_thenTheResponseIsIncompleteForTheContentFilter() {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"chatcmpl-f\",\"object\":\"chat.completion\",\"created\":1741569952,\"model\":"
                        + "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + "\"\"},\"finish_reason\":\"content_filter\"}],\"usage\":{\"prompt_tokens\":8,"
                        + "\"completion_tokens\":0,\"total_tokens\":8}}")
                .build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/responses", "{\"model\": \"mini\", \"input\": \"hi\"}");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertFiltered(TestGateway.json(res.body()));
        }
    }

    @Test
    void givenAStreamedAnthropicRefusal_whenStreamed_thenTheStreamEndsWithResponseIncomplete() {
        upstream.enqueue(AnthropicFake.stream("I can't help with that.", "refusal", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/responses", """
                    {"model": "claude", "input": "hi", "stream": true}""");

            List<Map.Entry<String, JsonNode>> events = TestGateway.events(res.body());
            assertThat(events).extracting(Map.Entry::getKey).doesNotContain("response.completed");
            assertThat(events.getLast().getKey()).isEqualTo("response.incomplete");
            assertFiltered(events.getLast().getValue().path("response"));
        }
    }

    private static void assertFiltered(JsonNode response) {
        assertThat(response.path("status").asText()).isEqualTo("incomplete");
        assertThat(response.path("incomplete_details")).isEqualTo(TestGateway.json(
                "{\"reason\":\"content_filter\"}"));
    }
}
