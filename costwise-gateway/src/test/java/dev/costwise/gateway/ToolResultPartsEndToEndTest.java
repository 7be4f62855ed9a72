package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A tool result made of several text blocks (a tool's exit code and its stderr) keeps its parts apart on the way to
 * every provider: Anthropic models get the {@code tool_result}'s text blocks as blocks, each with its own
 * {@code cache_control} (https://docs.claude.com/en/api/messages: a {@code tool_result}'s {@code content} is a string
 * or a list of blocks), and Gemini, whose {@code functionResponse} takes one text, gets them a line apart. The
 * upstreams are MockWebServers speaking Anthropic's Messages API and Gemini's {@code generateContent}.
 */
class ToolResultPartsEndToEndTest {
    private static final String MASTER = "master-secret-123";
    private static final String ASSISTANT_CALL = """
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01", "name": "Bash",
               "input": {"cmd": "ls"}}]}""";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: haiku, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, base_url: %1$s}
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: AIza-test}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> messages(TestGateway gw, String model, String toolResultContent) {
        return gw.post("/v1/messages", """
                {"model": "%s", "max_tokens": 50,
                 "tools": [{"name": "Bash", "input_schema": {"type": "object"}}],
                 "messages": [{"role": "user", "content": "List the files"}, %s,
                   {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01",
                     "content": %s}]}]}""".formatted(model, ASSISTANT_CALL, toolResultContent),
                "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    @Test
    void givenAToolResultOfTwoTextBlocks_whenClaudeIsAsked_thenItGetsTheBlocksAsBlocksBreakpointKept()
            throws Exception {
        upstream.enqueue(AnthropicFake.message("The file is missing.", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "haiku", """
                    [{"type": "text", "text": "exit code: 1"},
                     {"type": "text", "text": "stderr: No such file", "cache_control": {"type": "ephemeral",
                       "ttl": "1h"}}]""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode result = SentUpstream.next(upstream).at("/messages/2/content/0");
            assertThat(result.path("type").asText()).isEqualTo("tool_result");
            assertThat(result.path("content")).hasSize(2);
            assertThat(result.at("/content/0/text").asText()).isEqualTo("exit code: 1");
            assertThat(result.at("/content/0/cache_control").isMissingNode()).isTrue();
            assertThat(result.at("/content/1/text").asText()).isEqualTo("stderr: No such file");
            assertThat(result.at("/content/1/cache_control/ttl").asText()).isEqualTo("1h");
            assertThat(result.has("cache_control")).isFalse();
        }
    }

    @Test
    void givenAChatToolMessageOfTwoTextParts_whenClaudeIsAsked_thenItGetsTheBlocksAsBlocks() throws Exception {
        upstream.enqueue(AnthropicFake.message("The file is missing.", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "haiku", "max_tokens": 50, "messages": [{"role": "user", "content": "List the files"},
                      {"role": "assistant", "content": null, "tool_calls": [{"id": "toolu_01", "type": "function",
                        "function": {"name": "Bash", "arguments": "{}"}}]},
                      {"role": "tool", "tool_call_id": "toolu_01", "content": [{"type": "text",
                        "text": "exit code: 1"}, {"type": "text", "text": "stderr: No such file"}]}],
                     "tools": [{"type": "function", "function": {"name": "Bash",
                       "parameters": {"type": "object"}}}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode content = SentUpstream.next(upstream).at("/messages/2/content/0/content");
            assertThat(content.findValuesAsText("text")).containsExactly("exit code: 1", "stderr: No such file");
        }
    }

    @Test
    void givenAToolResultOfOneText_whenClaudeIsAsked_thenItStaysAString() throws Exception {
        upstream.enqueue(AnthropicFake.message("ok", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "haiku", "\"a.txt\"");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(SentUpstream.next(upstream).at("/messages/2/content/0/content").asText()).isEqualTo("a.txt");
        }
    }

    @Test
    void givenAToolResultOfTwoTextBlocks_whenGeminiIsAsked_thenItGetsThemALineApart() throws Exception {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"candidates": [{"content": {"role": "model", "parts": [{"text": "The file is missing."}]},
                   "finishReason": "STOP", "index": 0}],
                 "usageMetadata": {"promptTokenCount": 30, "candidatesTokenCount": 5, "totalTokenCount": 35},
                 "modelVersion": "gemini-2.5-flash", "responseId": "r1"}""").build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "flash", """
                    [{"type": "text", "text": "exit code: 1"}, {"type": "text", "text": "stderr: No such file"}]""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode response = SentUpstream.next(upstream).at("/contents/2/parts/0/functionResponse/response");
            assertThat(response.path("result").asText()).isEqualTo("exit code: 1\nstderr: No such file");
        }
    }
}
