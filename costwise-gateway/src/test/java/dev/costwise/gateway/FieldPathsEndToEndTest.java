package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Requests no provider can take are refused before any call with a 400 whose {@code param} (and message) is the path of
 * the field at fault in the caller's own request: a tool result that answers no earlier tool call (Anthropic and the
 * Responses API refuse it, and Gemini cannot look its function up), an image URL that is neither a link nor inline
 * data, and tool-call arguments that are not the JSON object Anthropic's {@code tool_use.input} must be. The upstreams
 * are MockWebServers that are never called.
 */
class FieldPathsEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: haiku, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, base_url: %1$s}
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: AIza-test}
                  - {name: mini, provider: openai, model: gpt-4.1-mini, base_url: %1$s/v1}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private static JsonNode error(HttpResponse<String> res) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
        return TestGateway.json(res.body()).path("error");
    }

    private static HttpResponse<String> chat(TestGateway gw, String body) {
        return gw.post("/v1/chat/completions", body, "Authorization", "Bearer " + MASTER);
    }

    @Test
    void givenAnOrphanToolResultOnMessages_whenGeminiIsAsked_thenThe400NamesItsToolUseId() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/messages", """
                    {"model": "flash", "max_tokens": 10, "messages": [{"role": "user", "content": [
                      {"type": "text", "text": "Here is the result"},
                      {"type": "tool_result", "tool_use_id": "nope", "content": "r"}]}]}""",
                    "x-api-key", MASTER, "anthropic-version", "2023-06-01");

            assertThat(error(res).path("message").asText()).startsWith("messages[0].content[1].tool_use_id: "
                    + "tool_result for 'nope' answers no tool_use of an earlier assistant turn");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAnOrphanToolMessageOnChat_whenGeminiIsAsked_thenThe400NamesItsToolCallId() {
        try (TestGateway gw = gateway()) {
            JsonNode error = error(chat(gw, """
                    {"model": "flash", "messages": [{"role": "user", "content": "hi"},
                      {"role": "tool", "tool_call_id": "nope", "content": "r"}]}"""));

            assertThat(error.path("param").asText()).isEqualTo("messages[1].tool_call_id");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAnOrphanFunctionCallOutputOnResponses_whenSent_thenThe400NamesItsCallId() {
        try (TestGateway gw = gateway()) {
            JsonNode error = error(gw.post("/v1/responses", """
                    {"model": "mini", "input": [{"role": "user", "content": "hi"},
                      {"type": "function_call_output", "call_id": "nope", "output": "r"}]}""",
                    "Authorization", "Bearer " + MASTER));

            assertThat(error.path("param").asText()).isEqualTo("input[1].call_id");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAnImageUrlThatIsNoLink_whenSent_thenThe400NamesItsPathOnEachApi() {
        try (TestGateway gw = gateway()) {
            JsonNode chat = error(chat(gw, """
                    {"model": "haiku", "messages": [{"role": "user", "content": [
                      {"type": "text", "text": "What is it?"},
                      {"type": "image_url", "image_url": {"url": "ftp://x/a.png"}}]}]}"""));
            JsonNode messages = error(gw.post("/v1/messages", """
                    {"model": "haiku", "max_tokens": 10, "messages": [{"role": "user", "content": [
                      {"type": "image", "source": {"type": "url", "url": "ftp://x/a.png"}}]}]}""",
                    "x-api-key", MASTER, "anthropic-version", "2023-06-01"));
            JsonNode responses = error(gw.post("/v1/responses", """
                    {"model": "haiku", "input": [{"role": "user", "content": [
                      {"type": "input_image", "image_url": "ftp://x/a.png"}]}]}""",
                    "Authorization", "Bearer " + MASTER));

            assertThat(chat.path("param").asText()).isEqualTo("messages[0].content[1].image_url.url");
            assertThat(chat.path("message").asText()).contains("expected an http(s) URL or a data:");
            assertThat(messages.path("message").asText()).startsWith("messages[0].content[0].source.url: expected "
                    + "an http(s) URL");
            assertThat(responses.path("param").asText()).isEqualTo("input[0].content[0].image_url");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenToolCallArgumentsThatAreNotAnObject_whenClaudeIsAsked_thenThe400NamesThem() {
        try (TestGateway gw = gateway()) {
            JsonNode error = error(chat(gw, """
                    {"model": "haiku", "messages": [{"role": "user", "content": "x"},
                      {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                        "function": {"name": "f", "arguments": "{bad"}}]},
                      {"role": "tool", "tool_call_id": "c1", "content": "r"}]}"""));

            assertThat(error.path("param").asText()).isEqualTo("messages[1].tool_calls[0].function.arguments");
            assertThat(error.path("message").asText()).contains("expected a JSON object as text");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }
}
