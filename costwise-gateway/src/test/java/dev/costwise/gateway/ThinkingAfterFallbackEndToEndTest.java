package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A Claude call with thinking on whose last assistant turn calls tools without a thinking block, as a turn another
 * provider answered after a fallback does: Anthropic refuses it ("When {@code thinking} is enabled, a final
 * {@code assistant} message must start with a thinking block"), a 400 no fallback follows, so the gateway sends that
 * call without thinking, from every endpoint that reaches Anthropic. A turn that starts with its signed thinking
 * keeps it. Anthropic is faked in its Messages format (https://docs.claude.com/en/api/messages).
 */
class ThinkingAfterFallbackEndToEndTest {

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, api_key: sk-ant-test, base_url: %s,
                     price: {input: "3.00", output: "15.00"}}
                defaults:
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    private static MockResponse answer() {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "msg_a", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [{"type": "text", "text": "It is sunny."}], "stop_reason": "end_turn",
                 "stop_sequence": null, "usage": {"input_tokens": 120, "output_tokens": 6}}""").build();
    }

    private static void assertServed(HttpResponse<String> res) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    }

    @Test
    void givenAToolCallTurnWithoutThinking_whenContinuedWithReasoningFromEachEndpoint_thenClaudeIsAskedWithoutIt()
            throws Exception {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(answer());
        }
        try (TestGateway gw = gateway()) {
            assertServed(gw.post("/v1/chat/completions", """
                    {"model": "claude", "max_tokens": 4000, "reasoning_effort": "low",
                     "tools": [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}],
                     "messages": [{"role": "user", "content": "Weather in Paris?"},
                       {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                        "function": {"name": "weather", "arguments": "{\\"city\\":\\"Paris\\"}"}}]},
                       {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}]}"""));
            assertServed(gw.post("/v1/messages", """
                    {"model": "claude", "max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": 2000},
                     "tools": [{"name": "weather", "input_schema": {"type": "object"}}],
                     "messages": [{"role": "user", "content": "Weather in Paris?"},
                       {"role": "assistant", "content": [{"type": "tool_use", "id": "call_1", "name": "weather",
                                                          "input": {"city": "Paris"}}]},
                       {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_1",
                                                     "content": "sunny"}]}]}"""));
            assertServed(gw.post("/v1/responses", """
                    {"model": "claude", "max_output_tokens": 4000, "reasoning": {"effort": "low"}, "store": false,
                     "tools": [{"type": "function", "name": "weather", "parameters": {"type": "object"}}],
                     "input": [{"role": "user", "content": "Weather in Paris?"},
                       {"type": "function_call", "call_id": "call_1", "name": "weather",
                        "arguments": "{\\"city\\":\\"Paris\\"}"},
                       {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}]}"""));

            for (int i = 0; i < 3; i++) {
                JsonNode sent = SentUpstream.next(upstream);
                assertThat(sent.has("thinking")).as("call %d: %s", i, sent).isFalse();
                assertThat(sent.at("/messages/1/content/0/type").asText()).isEqualTo("tool_use");
            }
        }
    }

    @Test
    void givenAToolCallTurnStartingWithItsThinking_whenContinuedWithThinking_thenClaudeIsAskedWithIt()
            throws Exception {
        upstream.enqueue(answer());
        try (TestGateway gw = gateway()) {
            assertServed(gw.post("/v1/messages", """
                    {"model": "claude", "max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": 2000},
                     "tools": [{"name": "weather", "input_schema": {"type": "object"}}],
                     "messages": [{"role": "user", "content": "Weather in Paris?"},
                       {"role": "assistant", "content": [
                         {"type": "thinking", "thinking": "Look it up.", "signature": "EqQBCgIYAhIM"},
                         {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Paris"}}]},
                       {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                                     "content": "sunny"}]}]}"""));

            JsonNode sent = SentUpstream.next(upstream);
            assertThat(sent.path("thinking")).isEqualTo(TestGateway.json(
                    "{\"type\": \"enabled\", \"budget_tokens\": 2000}"));
            assertThat(sent.at("/messages/1/content/0/type").asText()).isEqualTo("thinking");
        }
    }
}
