package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/responses} in the Responses API's own terms (https://platform.openai.com/docs/api-reference/responses):
 * a {@code function_call_output} whose {@code output} is a list of {@code input_text} parts is taken, as the API takes
 * it, and a refusal names the field the caller sent ({@code max_output_tokens}), not the chat field the gateway
 * translated it to. The upstreams are MockWebServers speaking OpenAI's chat API and Anthropic's Messages API.
 */
class ResponsesCallerFieldsEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: mini, provider: openai, model: gpt-4.1-mini, base_url: %1$s/v1}
                  - {name: haiku, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, base_url: %1$s}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    @Test
    void givenAFunctionCallOutputOfTextParts_whenSent_thenTheToolMessageKeepsThemAsParts() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4.1-mini", "The file is missing.", 40, 5));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/responses", """
                    {"model": "mini", "store": false, "tools": [{"type": "function", "name": "run",
                      "parameters": {"type": "object"}}],
                     "input": [{"role": "user", "content": "Run it"},
                       {"type": "function_call", "call_id": "call_1", "name": "run", "arguments": "{}"},
                       {"type": "function_call_output", "call_id": "call_1", "output": [
                         {"type": "input_text", "text": "exit code: 1"},
                         {"type": "input_text", "text": "stderr: No such file"}]}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode tool = SentUpstream.next(upstream).at("/messages/2");
            assertThat(tool.path("role").asText()).isEqualTo("tool");
            assertThat(tool.path("content").findValuesAsText("text"))
                    .containsExactly("exit code: 1", "stderr: No such file");
        }
    }

    @Test
    void givenAFunctionCallOutputWithAnImage_whenSent_thenA400NamesThePart() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/responses", """
                    {"model": "mini", "store": false,
                     "input": [{"type": "function_call", "call_id": "call_1", "name": "run", "arguments": "{}"},
                       {"type": "function_call_output", "call_id": "call_1", "output": [
                         {"type": "input_image", "image_url": "https://example.com/a.png"}]}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(res.body()).at("/error/param").asText()).isEqualTo("input[1].output[0].type");
        }
    }

    @Test
    void givenAMaxOutputTokensTooSmallForClaudesThinking_whenRefused_thenTheErrorNamesMaxOutputTokens() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/responses", """
                    {"model": "haiku", "input": "Plan the migration", "max_output_tokens": 500,
                     "reasoning": {"effort": "low"}}""", "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(res.body()).path("error");
            assertThat(error.path("param").asText()).isEqualTo("max_output_tokens");
            assertThat(error.path("message").asText()).startsWith("max_output_tokens: max_output_tokens must exceed "
                    + "1024").contains("budget_tokens").doesNotContain(" max_tokens");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }
}
