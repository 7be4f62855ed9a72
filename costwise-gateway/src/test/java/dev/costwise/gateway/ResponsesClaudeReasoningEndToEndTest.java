package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's Responses API in front of a Claude model that reasons and calls tools: its signed thinking blocks come back
 * as {@code reasoning} items and go back to Anthropic, unchanged and in order, when the tool loop continues, through
 * a stored response ({@code previous_response_id}) or items a client that stores nothing sends back. Anthropic refuses
 * a tool turn that lost them
 * (https://docs.claude.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks). Anthropic's API
 * is a MockWebServer.
 */
class ResponsesClaudeReasoningEndToEndTest {
    private static final String MASTER = "master-secret-123";
    /** Interleaved thinking: thinking, text, thinking, then a tool call. */
    private static final String INTERLEAVED = """
            [{"type": "thinking", "thinking": "First, the plan.", "signature": "sig-A"},
             {"type": "text", "text": "Let me look."},
             {"type": "thinking", "thinking": "Now the tool.", "signature": "sig-B"},
             {"type": "tool_use", "id": "toolu_01", "name": "weather", "input": {"city": "Paris"}}]""";
    private static final String ASK = """
            {"model": "claude", "reasoning": {"effort": "low"}, "input": "Weather in Paris?",
             "tools": [{"type": "function", "name": "weather", "parameters": {"type": "object"}}]""";
    private static final String TOOL_OUTPUT = """
            {"type": "function_call_output", "call_id": "toolu_01", "output": "18C"}""";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - name: claude
                    provider: anthropic
                    model: claude-haiku-4-5
                    api_key: sk-ant-test
                    base_url: %s
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> responses(TestGateway gw, String body) {
        return gw.post("/v1/responses", body, "Authorization", "Bearer " + MASTER);
    }

    private static MockResponse anthropic(String content, String stopReason) {
        return AnthropicFake.blocks(content, stopReason, "null", "{\"input_tokens\": 400, \"output_tokens\": 80}");
    }

    /** Claude's streamed tool turn: a signed thinking block, a redacted one, then the tool call. */
    private static MockResponse anthropicStreamedToolTurn() {
        return AnthropicFake.events(
                "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-haiku-4-5\",\"stop_reason\":null,"
                        + "\"usage\":{\"input_tokens\":400,\"output_tokens\":1}}}",
                "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"thinking\",\"thinking\":\"\"}}",
                "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                        + "\"thinking_delta\",\"thinking\":\"Call the \"}}",
                "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                        + "\"thinking_delta\",\"thinking\":\"tool.\"}}",
                "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                        + "\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
                "content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                        + "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3\"}}",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}",
                "content_block_start", "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"weather\",\"input\":{}}}",
                "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":"
                        + "\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Paris\\\"}\"}}",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}",
                "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":80}}",
                "message_stop", "{\"type\":\"message_stop\"}");
    }

    @Test
    void givenAnInterleavedThinkingToolTurn_whenContinuedWithPreviousResponseId_thenClaudeGetsItsBlocksBackInOrder()
            throws Exception {
        upstream.enqueue(anthropic(INTERLEAVED, "tool_use"));
        upstream.enqueue(anthropic("[{\"type\": \"text\", \"text\": \"18 degrees.\"}]", "end_turn"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> first = responses(gw, ASK + "}");
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            JsonNode response = TestGateway.json(first.body());
            assertThat(SentUpstream.next(upstream).path("thinking").path("type").asText()).isEqualTo("enabled");

            HttpResponse<String> second = responses(gw, "{\"model\": \"claude\", \"reasoning\": {\"effort\": "
                    + "\"low\"}, \"previous_response_id\": \"" + response.path("id").asText() + "\", \"input\": ["
                    + TOOL_OUTPUT + "]}");
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
            JsonNode sent = SentUpstream.next(upstream);

            assertThat(response.path("output").valueStream().map(i -> i.path("type").asText()).toList())
                    .containsExactly("reasoning", "message", "reasoning", "function_call");
            assertThat(response.at("/output/0/summary/0/text").asText()).isEqualTo("First, the plan.");
            assertThat(sent.at("/messages/1/role").asText()).isEqualTo("assistant");
            assertThat(sent.at("/messages/1/content")).isEqualTo(TestGateway.json(INTERLEAVED));
            assertThat(sent.at("/messages/2/content/0/type").asText()).isEqualTo("tool_result");
        }
    }

    @Test
    void givenAStreamedThinkingToolTurn_whenContinuedWithPreviousResponseId_thenClaudeGetsItsSignedBlocksBack()
            throws Exception {
        upstream.enqueue(anthropicStreamedToolTurn());
        upstream.enqueue(anthropic("[{\"type\": \"text\", \"text\": \"18 degrees.\"}]", "end_turn"));
        try (TestGateway gw = gateway()) {
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(responses(gw, ASK
                    + ", \"stream\": true}").body());
            SentUpstream.next(upstream);
            JsonNode completed = events.getLast().getValue().path("response");

            HttpResponse<String> second = responses(gw, "{\"model\": \"claude\", \"reasoning\": {\"effort\": "
                    + "\"low\"}, \"previous_response_id\": \"" + completed.path("id").asText() + "\", \"input\": ["
                    + TOOL_OUTPUT + "]}");
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);

            assertThat(events.getLast().getKey()).isEqualTo("response.completed");
            assertThat(completed.path("output").valueStream().map(i -> i.path("type").asText()).toList())
                    .containsExactly("reasoning", "reasoning", "function_call");
            assertThat(completed.at("/output/0/summary/0/text").asText()).isEqualTo("Call the tool.");
            assertThat(SentUpstream.next(upstream).at("/messages/1/content")).isEqualTo(TestGateway.json("""
                    [{"type": "thinking", "thinking": "Call the tool.", "signature": "EqQBCgIYAhIM"},
                     {"type": "redacted_thinking", "data": "EmwKAhgBEgy3"},
                     {"type": "tool_use", "id": "toolu_01", "name": "weather", "input": {"city": "Paris"}}]"""));
        }
    }

    @Test
    void givenStoreFalse_whenTheClientSendsTheOutputItemsBack_thenClaudeGetsItsSignedBlocksBack() throws Exception {
        upstream.enqueue(anthropic(INTERLEAVED, "tool_use"));
        upstream.enqueue(anthropic("[{\"type\": \"text\", \"text\": \"18 degrees.\"}]", "end_turn"));
        try (TestGateway gw = gateway()) {
            JsonNode response = TestGateway.json(responses(gw, ASK + ", \"store\": false}").body());
            SentUpstream.next(upstream);
            ArrayNode input = TestGateway.JSON.createArrayNode();
            input.addObject().put("role", "user").put("content", "Weather in Paris?");
            input.addAll((ArrayNode) response.path("output")).add(TestGateway.json(TOOL_OUTPUT));

            HttpResponse<String> second = responses(gw, "{\"model\": \"claude\", \"reasoning\": {\"effort\": "
                    + "\"low\"}, \"store\": false, \"input\": " + input + "}");
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);

            assertThat(SentUpstream.next(upstream).at("/messages/1/content")).isEqualTo(TestGateway.json(INTERLEAVED));
        }
    }
}
