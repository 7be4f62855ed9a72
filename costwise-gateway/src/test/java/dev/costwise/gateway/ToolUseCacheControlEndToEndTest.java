package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A prompt-cache breakpoint on an assistant turn's {@code tool_use} block, where an agent puts it when the last block
 * of the conversation is a tool call: Anthropic's Messages API takes {@code cache_control} on {@code tool_use} blocks
 * (https://docs.claude.com/en/docs/build-with-claude/prompt-caching), so it reaches Anthropic models on that block,
 * and providers that cache on their own (OpenAI) get the request without it. A thinking block takes no
 * {@code cache_control} at Anthropic, so one that carries it is a 400 naming it, before any call. The upstreams are
 * MockWebServers speaking Anthropic's Messages API and OpenAI's chat API.
 */
class ToolUseCacheControlEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: haiku, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, base_url: %1$s}
                  - {name: mini, provider: openai, model: gpt-4.1-mini, base_url: %1$s/v1}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> messages(TestGateway gw, String model, String assistantBlocks) {
        return gw.post("/v1/messages", """
                {"model": "%s", "max_tokens": 100,
                 "tools": [{"name": "Bash", "input_schema": {"type": "object"}}],
                 "messages": [{"role": "user", "content": "List the files"},
                   {"role": "assistant", "content": %s},
                   {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01",
                     "content": "a.txt"}]}]}""".formatted(model, assistantBlocks),
                "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    @Test
    void givenABreakpointOnAToolUseBlock_whenClaudeIsAsked_thenItReachesAnthropicOnThatBlock() throws Exception {
        upstream.enqueue(AnthropicFake.message("One file: a.txt.", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "haiku", """
                    [{"type": "text", "text": "Running ls."}, {"type": "tool_use", "id": "toolu_01", "name": "Bash",
                      "input": {"cmd": "ls"}, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode assistant = SentUpstream.next(upstream).at("/messages/1/content");
            assertThat(assistant.at("/0/cache_control").isMissingNode()).isTrue();
            assertThat(assistant.at("/1/type").asText()).isEqualTo("tool_use");
            assertThat(assistant.at("/1/cache_control/type").asText()).isEqualTo("ephemeral");
            assertThat(assistant.at("/1/cache_control/ttl").asText()).isEqualTo("1h");
        }
    }

    @Test
    void givenABreakpointOnAChatToolCall_whenClaudeIsAsked_thenItReachesAnthropicOnTheToolUse() throws Exception {
        upstream.enqueue(AnthropicFake.message("One file: a.txt.", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "haiku", "messages": [{"role": "user", "content": "List the files"},
                      {"role": "assistant", "content": null, "tool_calls": [{"id": "toolu_01", "type": "function",
                        "function": {"name": "Bash", "arguments": "{}"}, "cache_control": {"type": "ephemeral"}}]},
                      {"role": "tool", "tool_call_id": "toolu_01", "content": "a.txt"}],
                     "tools": [{"type": "function", "function": {"name": "Bash",
                       "parameters": {"type": "object"}}}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(SentUpstream.next(upstream).at("/messages/1/content/0/cache_control/type").asText())
                    .isEqualTo("ephemeral");
        }
    }

    @Test
    void givenABreakpointOnAToolUseBlock_whenAnOpenAiModelIsAsked_thenItIsLeftOut() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4.1-mini", "One file: a.txt.", 30, 5));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "mini", """
                    [{"type": "tool_use", "id": "toolu_01", "name": "Bash", "input": {"cmd": "ls"},
                      "cache_control": {"type": "ephemeral"}}]""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode sent = SentUpstream.next(upstream);
            assertThat(sent.at("/messages/1/tool_calls/0/function/name").asText()).isEqualTo("Bash");
            assertThat(sent.toString()).doesNotContain("cache_control");
        }
    }

    @Test
    void givenABreakpointOnAThinkingBlock_whenSent_thenA400NamesItAndNothingIsCalled() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "haiku", """
                    [{"type": "thinking", "thinking": "I should list.", "signature": "sig",
                      "cache_control": {"type": "ephemeral"}},
                     {"type": "tool_use", "id": "toolu_01", "name": "Bash", "input": {"cmd": "ls"}}]""");

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                    .startsWith("messages[1].content[0].cache_control: Anthropic takes no cache_control on a "
                            + "thinking block");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }
}
