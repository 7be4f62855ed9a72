package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.cost.CostRecord;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A Claude stream that keeps to its {@code max_tokens} is relayed whole, whatever its characters would be estimated at:
 * the gateway's output-limit guard counts one token per chunk or the provider's own count, never a local estimate of
 * the text, and a finished stream is billed the usage Anthropic reported. Anthropic is faked in its streaming format
 * (https://docs.claude.com/en/docs/build-with-claude/streaming): an agent writing a file through a tool, 4,400
 * characters of indented code as JSON in 40-character {@code input_json_delta} events, 900 output tokens reported
 * under a {@code max_tokens} of 1,000.
 */
class AnthropicStreamWithinLimitEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CODE = ("class Store:\n    def get(self, key):\n        if key in self._cache:\n"
            + "            return self._cache[key]\n").repeat(40);
    private static final String INPUT = JSON.createObjectNode().put("path", "store.py").put("content", CODE)
            .toString();

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: claude, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, base_url: %s,
                     price: {input: "1.00", output: "5.00"}}
                defaults:
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    private static MockResponse toolUseStream() {
        StringBuilder sse = new StringBuilder();
        event(sse, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_w\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-haiku-4-5\",\"stop_reason\":null,"
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":80,\"output_tokens\":1}}}");
        event(sse, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_01W\",\"name\":\"write_file\",\"input\":{}}}");
        int chunks = 0;
        for (int at = 0; at < INPUT.length(); at += 40) {
            ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
            delta.putObject("delta").put("type", "input_json_delta")
                    .put("partial_json", INPUT.substring(at, Math.min(INPUT.length(), at + 40)));
            event(sse, "content_block_delta", delta.toString());
            chunks++;
        }
        assertThat(chunks).isBetween(100, 120);
        event(sse, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        event(sse, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":900}}");
        event(sse, "message_stop", "{\"type\":\"message_stop\"}");
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse.toString()).build();
    }

    private static void event(StringBuilder sse, String name, String data) {
        sse.append("event: ").append(name).append("\ndata: ").append(data).append("\n\n");
    }

    private static List<JsonNode> dataOf(String body) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: {")) {
                events.add(TestGateway.json(line.substring(6)));
            }
        }
        return events;
    }

    private static void assertBilledAsReported(TestGateway gw) {
        CostRecord row = gw.records().getLast();
        assertThat(row.usage().outputTokens()).isEqualTo(900);
        assertThat(row.usage().estimated()).isFalse();
    }

    @Test
    void givenAClaudeToolCallWithinMaxTokens_whenStreamedOnMessages_thenItArrivesWholeAndIsBilledAsReported() {
        upstream.enqueue(toolUseStream());
        try (TestGateway gw = gateway()) {
            String body = gw.post("/v1/messages", """
                    {"model": "claude", "max_tokens": 1000, "stream": true,
                     "tools": [{"name": "write_file", "input_schema": {"type": "object"}}],
                     "messages": [{"role": "user", "content": "Write store.py"}]}""").body();

            StringBuilder input = new StringBuilder();
            String stopReason = "";
            long output = -1;
            for (JsonNode e : dataOf(body)) {
                input.append(e.at("/delta/partial_json").asText(""));
                if (e.path("type").asText().equals("message_delta")) {
                    stopReason = e.at("/delta/stop_reason").asText();
                    output = e.at("/usage/output_tokens").asLong();
                }
            }
            assertThat(stopReason).isEqualTo("tool_use");
            assertThat(TestGateway.json(input.toString()).path("content").asText()).isEqualTo(CODE);
            assertThat(output).isEqualTo(900);
            assertBilledAsReported(gw);
        }
    }

    @Test
    void givenAClaudeToolCallWithinMaxTokens_whenStreamedAsChatCompletions_thenItsArgumentsAreWholeJson() {
        upstream.enqueue(toolUseStream());
        try (TestGateway gw = gateway()) {
            String body = gw.post("/v1/chat/completions", """
                    {"model": "claude", "max_tokens": 1000, "stream": true, "stream_options": {"include_usage": true},
                     "tools": [{"type": "function", "function": {"name": "write_file",
                                "parameters": {"type": "object"}}}],
                     "messages": [{"role": "user", "content": "Write store.py"}]}""").body();

            StringBuilder arguments = new StringBuilder();
            List<String> finishes = new ArrayList<>();
            long completionTokens = -1;
            for (JsonNode chunk : dataOf(body)) {
                for (JsonNode choice : chunk.path("choices")) {
                    choice.at("/delta/tool_calls").forEach(
                            c -> arguments.append(c.at("/function/arguments").asText("")));
                    if (choice.hasNonNull("finish_reason")) {
                        finishes.add(choice.get("finish_reason").asText());
                    }
                }
                if (chunk.path("usage").isObject()) {
                    completionTokens = chunk.at("/usage/completion_tokens").asLong();
                }
            }
            assertThat(finishes).containsExactly("tool_calls");
            assertThat(TestGateway.json(arguments.toString()).path("content").asText()).isEqualTo(CODE);
            assertThat(completionTokens).isEqualTo(900);
            assertBilledAsReported(gw);
        }
    }
}
