package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Tool calls through the gateway to a Claude model, Anthropic faked as documented:
 * https://docs.claude.com/en/docs/build-with-claude/streaming (a tool without parameters streams one empty
 * {@code input_json_delta}) and https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use.
 */
class AnthropicToolCallsEndToEndTest {

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - name: claude
                    provider: anthropic
                    model: claude-sonnet-4-5
                    api_key: sk-ant-test
                    base_url: %s
                    price: {input: "3.00", output: "15.00"}
                  - name: gpt
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %s/v1
                    price: {input: "0.15", output: "0.60"}
                """.formatted(TestGateway.baseUrl(upstream), TestGateway.baseUrl(upstream)));
    }

    private static MockResponse anthropicStream(String[]... events) {
        StringBuilder sse = new StringBuilder();
        for (String[] e : events) {
            sse.append("event: ").append(e[0]).append("\ndata: ").append(e[1]).append("\n\n");
        }
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse.toString()).build();
    }

    @Test
    void givenAStreamedCallOfAToolWithoutParameters_whenStreamedAsChatCompletions_thenItsArgumentsParseAsJson() {
        upstream.enqueue(anthropicStream(
                new String[] {"message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_e\","
                        + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\","
                        + "\"stop_reason\":null,\"usage\":{\"input_tokens\":60,\"output_tokens\":1}}}"},
                new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01E\",\"name\":\"get_time\","
                        + "\"input\":{}}}"},
                new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}"},
                new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"},
                new String[] {"message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}"},
                new String[] {"message_stop", "{\"type\":\"message_stop\"}"}));
        String ask = """
                {"model": "claude", "stream": true, "messages": [{"role": "user", "content": "What time is it?"}],
                 "tools": [{"type": "function", "function": {"name": "get_time",
                            "parameters": {"type": "object", "properties": {}}}}]}""";
        try (TestGateway gw = gateway()) {
            String body = gw.post("/v1/chat/completions", ask).body();

            StringBuilder arguments = new StringBuilder();
            List<String> finishes = new ArrayList<>();
            for (String line : body.split("\n")) {
                if (!line.startsWith("data: {")) {
                    continue;
                }
                JsonNode chunk = TestGateway.json(line.substring(6));
                for (JsonNode choice : chunk.path("choices")) {
                    choice.at("/delta/tool_calls").forEach(
                            c -> arguments.append(c.at("/function/arguments").asText("")));
                    if (choice.hasNonNull("finish_reason")) {
                        finishes.add(choice.get("finish_reason").asText());
                    }
                }
            }
            assertThat(arguments.toString()).isEqualTo("{}");
            assertThat(TestGateway.json(arguments.toString()).isObject()).isTrue();
            assertThat(finishes).containsExactly("tool_calls");
        }
    }

    private static final String TOOL = "{\"type\": \"function\", \"function\": {\"name\": \"get_time\", "
            + "\"parameters\": {\"type\": \"object\", \"properties\": {}}}}";

    private static MockResponse anthropicAnswer() {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "msg_p", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [{"type": "tool_use", "id": "toolu_01P", "name": "get_time", "input": {}}],
                 "stop_reason": "tool_use", "stop_sequence": null,
                 "usage": {"input_tokens": 60, "output_tokens": 15}}""").build();
    }

    private JsonNode sentUpstream() throws InterruptedException {
        RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent).isNotNull();
        return TestGateway.json(sent.getBody().utf8());
    }

    @Test
    void givenParallelToolCallsOff_whenSentToClaudeFromEachEndpoint_thenAnthropicIsAskedForOneToolUse()
            throws Exception {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(anthropicAnswer());
        }
        try (TestGateway gw = gateway()) {
            assertThat(gw.post("/v1/chat/completions", """
                    {"model": "claude", "parallel_tool_calls": false, "tools": [%s],
                     "messages": [{"role": "user", "content": "What time is it?"}]}""".formatted(TOOL))
                    .statusCode()).isEqualTo(200);
            assertThat(sentUpstream().get("tool_choice")).isEqualTo(TestGateway.json(
                    "{\"type\": \"auto\", \"disable_parallel_tool_use\": true}"));

            assertThat(gw.post("/v1/responses", """
                    {"model": "claude", "parallel_tool_calls": false, "tool_choice": "required", "input": "Time?",
                     "tools": [{"type": "function", "name": "get_time", "parameters": {"type": "object"}}]}""")
                    .statusCode()).isEqualTo(200);
            assertThat(sentUpstream().get("tool_choice")).isEqualTo(TestGateway.json(
                    "{\"type\": \"any\", \"disable_parallel_tool_use\": true}"));

            assertThat(gw.post("/v1/messages", """
                    {"model": "claude", "max_tokens": 100, "messages": [{"role": "user", "content": "Time?"}],
                     "tool_choice": {"type": "tool", "name": "get_time", "disable_parallel_tool_use": true},
                     "tools": [{"name": "get_time", "input_schema": {"type": "object"}}]}""",
                    "anthropic-version", "2023-06-01").statusCode()).isEqualTo(200);
            assertThat(sentUpstream().get("tool_choice")).isEqualTo(TestGateway.json(
                    "{\"type\": \"tool\", \"name\": \"get_time\", \"disable_parallel_tool_use\": true}"));
        }
    }

    @Test
    void givenParallelToolCallsOff_whenSentToAnOpenAiModel_thenItIsPassedOnAsGiven() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "It is noon.", 20, 5));
        try (TestGateway gw = gateway()) {
            assertThat(gw.post("/v1/chat/completions", """
                    {"model": "gpt", "parallel_tool_calls": false, "tools": [%s],
                     "messages": [{"role": "user", "content": "What time is it?"}]}""".formatted(TOOL))
                    .statusCode()).isEqualTo(200);

            JsonNode sent = sentUpstream();
            assertThat(sent.get("parallel_tool_calls")).isEqualTo(TestGateway.json("false"));
            assertThat(sent.has("tool_choice")).isFalse();
        }
    }
}
