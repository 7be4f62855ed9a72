package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A tool conversation a Gemini model started, continued on an OpenAI model. Gemini signs its function calls
 * (https://ai.google.dev/gemini-api/docs/thought-signatures) and the gateway gives the caller the signature inside the
 * call's id, so that Gemini gets it back; OpenAI refuses a tool-call id over 40 characters, so the pass-through cuts
 * the signature off, in the call and in its result alike.
 */
class SignedGeminiCallsEndToEndTest {

    private static final String SIGNATURE = "CiQBcsjafQ+/Zm9vYmFyYmF6cXV4Y29ycmVjdGhvcnNlYmF0dGVyeXN0YXBsZQ==";

    @StartStop
    final MockWebServer gemini = new MockWebServer();
    @StartStop
    final MockWebServer openAi = new MockWebServer();

    @Test
    void givenACallGeminiSigned_whenTheConversationGoesToAnOpenAiModel_thenItsIdsGoWithoutTheSignature()
            throws Exception {
        gemini.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"candidates": [{"content": {"role": "model", "parts": [{"functionCall": {"name": "get_weather",
                   "args": {"city": "Paris"}}, "thoughtSignature": "%s"}]}, "finishReason": "STOP"}],
                 "usageMetadata": {"promptTokenCount": 60, "candidatesTokenCount": 8, "totalTokenCount": 68},
                 "modelVersion": "gemini-2.5-flash", "responseId": "resp-7"}""".formatted(SIGNATURE)).build());
        openAi.enqueue(OpenAiFake.completion("gpt-4o-mini", "18C", 100, 5));
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %s, api_key: AIza-test,
                     price: {input: "0.30", output: "2.50"}}
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %s/v1,
                     price: {input: "0.15", output: "0.60"}}
                defaults:
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(gemini), TestGateway.baseUrl(openAi)))) {
            String tools = """
                    "tools": [{"type": "function", "function": {"name": "get_weather",
                      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]""";
            HttpResponse<String> first = gw.post("/v1/chat/completions", """
                    {"model": "flash", "messages": [{"role": "user", "content": "Weather in Paris?"}], %s}"""
                    .formatted(tools));
            JsonNode call = TestGateway.json(first.body()).at("/choices/0/message/tool_calls/0");
            assertThat(call.path("id").asText()).isEqualTo("call_resp-7_0__thought__" + SIGNATURE);

            HttpResponse<String> second = gw.post("/v1/chat/completions", """
                    {"model": "mini", "messages": [{"role": "user", "content": "Weather in Paris?"},
                      {"role": "assistant", "content": null, "tool_calls": [%s]},
                      {"role": "tool", "tool_call_id": "%s", "content": "18C"}], %s}"""
                    .formatted(call, call.path("id").asText(), tools));

            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
            JsonNode sent = TestGateway.json(openAi.takeRequest().getBody().utf8());
            assertThat(sent.path("messages")).isEqualTo(TestGateway.json("""
                    [{"role": "user", "content": "Weather in Paris?"},
                     {"role": "assistant", "content": null, "tool_calls": [{"id": "call_resp-7_0", "type": "function",
                       "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}}]},
                     {"role": "tool", "tool_call_id": "call_resp-7_0", "content": "18C"}]"""));
        }
    }
}
