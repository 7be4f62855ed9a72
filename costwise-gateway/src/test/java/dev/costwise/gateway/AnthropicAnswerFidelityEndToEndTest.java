package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A Claude answer reaches a Messages client as Claude gave it, whether it comes from Anthropic or from the cache,
 * streamed or not: its signed thinking blocks in their place (which Anthropic needs back with a tool's result), its
 * stop reason and stop sequence, and its usage with the cache writes split by lifetime.
 * Anthropic's API is a MockWebServer speaking https://docs.claude.com/en/api/messages.
 */
class AnthropicAnswerFidelityEndToEndTest {
    private static final String MASTER = "master-secret-123";

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

    /** A Messages request; {@code headers} (name, value...) come after the key and version. */
    private static HttpResponse<String> messages(TestGateway gw, String body, String... headers) {
        String[] all = new String[4 + headers.length];
        System.arraycopy(new String[] {"x-api-key", MASTER, "anthropic-version", "2023-06-01"}, 0, all, 0, 4);
        System.arraycopy(headers, 0, all, 4, headers.length);
        return gw.post("/v1/messages", body, all);
    }

    private static final String USAGE = "{\"input_tokens\": 40, \"output_tokens\": 12}";

    /** Anthropic's non-streamed answer with these content blocks, stop reason and stop sequence. */
    private static MockResponse anthropic(String content, String stopReason, String stopSequence) {
        return AnthropicFake.blocks(content, stopReason, stopSequence == null ? "null" : "\"" + stopSequence + "\"",
                USAGE);
    }

    /** The {@code message_delta} event of a streamed answer. */
    private static JsonNode messageDelta(String sse) {
        return TestGateway.events(sse).stream().filter(e -> e.getKey().equals("message_delta"))
                .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("no message_delta: " + sse));
    }

    @Test
    void givenAnAnswerThatStoppedOnAStopSequence_whenItIsAStreamedCacheHit_thenItsStopReasonAndSequenceComeBack() {
        upstream.enqueue(anthropic("[{\"type\": \"text\", \"text\": \"step 1 done\"}]", "stop_sequence", "</step>"));
        String ask = """
                {"model": "claude", "max_tokens": 100, "stop_sequences": ["</step>"],
                 "messages": [{"role": "user", "content": "Do step 1"}]""";
        try (TestGateway gw = gateway()) {
            JsonNode miss = TestGateway.json(messages(gw, ask + "}").body());
            HttpResponse<String> hit = messages(gw, ask + ", \"stream\": true}");

            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(miss.path("stop_reason").asText()).isEqualTo("stop_sequence");
            JsonNode delta = messageDelta(hit.body()).path("delta");
            assertThat(delta.path("stop_reason").asText()).isEqualTo("stop_sequence");
            assertThat(delta.path("stop_sequence").asText()).isEqualTo("</step>");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void givenClaudeStoppedAsItsContextWindowFilled_whenAnswered_thenMessagesClientsAreToldSoAndChatClientsLength() {
        String text = "[{\"type\": \"text\", \"text\": \"Partial\"}]";
        upstream.enqueue(anthropic(text, "model_context_window_exceeded", null));
        upstream.enqueue(AnthropicFake.stream("Partial", "model_context_window_exceeded", "null"));
        upstream.enqueue(anthropic(text, "model_context_window_exceeded", null));
        String ask = """
                {"model": "claude", "max_tokens": 100, "messages": [{"role": "user", "content": "Go on"}]""";
        try (TestGateway gw = gateway()) {
            JsonNode whole = TestGateway.json(messages(gw, ask + "}").body());
            String hit = messages(gw, ask + ", \"stream\": true}").body();
            String live = messages(gw, ask + ", \"stream\": true}", "Cache-Control", "no-cache").body();
            JsonNode chat = TestGateway.json(gw.post("/v1/chat/completions", """
                    {"model": "claude", "max_tokens": 100, "messages": [{"role": "user", "content": "Go on!"}]}""",
                    "Authorization", "Bearer " + MASTER).body());

            assertThat(whole.path("stop_reason").asText()).isEqualTo("model_context_window_exceeded");
            assertThat(messageDelta(hit).at("/delta/stop_reason").asText()).isEqualTo("model_context_window_exceeded");
            assertThat(messageDelta(live).at("/delta/stop_reason").asText())
                    .isEqualTo("model_context_window_exceeded");
            assertThat(chat.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        }
    }

    @Test
    void givenCacheWritesOfBothLifetimes_whenAnsweredWhole_thenTheUsageSplitsThemAsAnthropicDoes() {
        upstream.enqueue(AnthropicFake.blocks("[{\"type\": \"text\", \"text\": \"ok\"}]", "end_turn", "null", """
                {"input_tokens": 10, "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 500,
                 "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
                 "output_tokens": 12}"""));
        try (TestGateway gw = gateway()) {
            JsonNode usage = TestGateway.json(messages(gw, """
                    {"model": "claude", "max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}]}""")
                    .body()).path("usage");

            assertThat(usage.path("input_tokens").asLong()).isEqualTo(10);
            assertThat(usage.path("cache_creation_input_tokens").asLong()).isEqualTo(3000);
            assertThat(usage.path("cache_read_input_tokens").asLong()).isEqualTo(500);
            assertThat(usage.path("cache_creation")).isEqualTo(TestGateway.json("""
                    {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000}"""));
        }
    }

    private static final String THINKING_TOOL_TURN = """
            [{"type": "thinking", "thinking": "Call the tool.", "signature": "EqQBCgIYAhIM1gbcDa9G"},
             {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
             {"type": "tool_use", "id": "toolu_01", "name": "weather", "input": {"city": "Paris"}}]""";
    private static final String INTERLEAVED_TURN = """
            [{"type": "thinking", "thinking": "First, the plan.", "signature": "sig-A"},
             {"type": "text", "text": "Paragraph one."},
             {"type": "thinking", "thinking": "Now the tool.", "signature": "sig-B"},
             {"type": "tool_use", "id": "toolu_01", "name": "weather", "input": {"city": "Paris"}}]""";
    private static final String THINKING_ASK = """
            {"model": "claude", "max_tokens": 8000, "thinking": {"type": "enabled", "budget_tokens": 2048},
             "tools": [{"name": "weather", "input_schema": {"type": "object"}}],
             "messages": [{"role": "user", "content": "Weather in Paris?"}]""";

    /** The content of a streamed message as Anthropic's SDKs build it from the events. */
    private static JsonNode streamedContent(String sse) {
        ArrayNode content = TestGateway.JSON.createArrayNode();
        StringBuilder input = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : TestGateway.events(sse)) {
            JsonNode data = e.getValue();
            switch (e.getKey()) {
                case "content_block_start" -> content.add(data.get("content_block").deepCopy());
                case "content_block_delta" -> {
                    ObjectNode block = (ObjectNode) content.get(data.path("index").asInt());
                    JsonNode delta = data.get("delta");
                    switch (delta.path("type").asText()) {
                        case "thinking_delta" -> block.put("thinking", block.path("thinking").asText()
                                + delta.path("thinking").asText());
                        case "signature_delta" -> block.put("signature", delta.path("signature").asText());
                        case "text_delta" -> block.put("text", block.path("text").asText()
                                + delta.path("text").asText());
                        case "input_json_delta" -> input.append(delta.path("partial_json").asText());
                        default -> throw new AssertionError("unexpected delta " + delta);
                    }
                }
                case "content_block_stop" -> {
                    ObjectNode block = (ObjectNode) content.get(data.path("index").asInt());
                    if (block.path("type").asText().equals("tool_use") && !input.isEmpty()) {
                        block.set("input", TestGateway.json(input.toString()));
                        input.setLength(0);
                    }
                }
                default -> { }
            }
        }
        return content;
    }

    @Test
    void givenAThinkingToolTurn_whenItIsAStreamedCacheHit_thenItsSignedBlocksComeBackAsTheWholeHitHasThem() {
        upstream.enqueue(anthropic(THINKING_TOOL_TURN, "tool_use", null));
        try (TestGateway gw = gateway()) {
            JsonNode whole = TestGateway.json(messages(gw, THINKING_ASK + "}").body());
            HttpResponse<String> hit = messages(gw, THINKING_ASK + ", \"stream\": true}");

            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(whole.path("content")).isEqualTo(TestGateway.json(THINKING_TOOL_TURN));
            assertThat(streamedContent(hit.body())).isEqualTo(TestGateway.json(THINKING_TOOL_TURN));
            assertThat(messageDelta(hit.body()).at("/delta/stop_reason").asText()).isEqualTo("tool_use");
        }
    }

    @Test
    void givenAnInterleavedThinkingTurn_whenItIsAStreamedCacheHit_thenItsBlocksComeBackInTheirOrder() {
        upstream.enqueue(anthropic(INTERLEAVED_TURN, "tool_use", null));
        try (TestGateway gw = gateway()) {
            messages(gw, THINKING_ASK + "}");
            HttpResponse<String> hit = messages(gw, THINKING_ASK + ", \"stream\": true}");

            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(streamedContent(hit.body())).isEqualTo(TestGateway.json(INTERLEAVED_TURN));
        }
    }

    @Test
    void givenAThinkingToolTurn_whenItIsAStreamedCacheHitOnChatCompletions_thenTheThinkingBlocksComeBack() {
        upstream.enqueue(anthropic(THINKING_TOOL_TURN, "tool_use", null));
        String ask = """
                {"model": "claude", "max_tokens": 8000, "reasoning_effort": "low",
                 "tools": [{"type": "function", "function": {"name": "weather", "parameters": {}}}],
                 "messages": [{"role": "user", "content": "Weather in Paris?"}]""";
        try (TestGateway gw = gateway()) {
            JsonNode whole = TestGateway.json(gw.post("/v1/chat/completions", ask + "}", "Authorization",
                    "Bearer " + MASTER).body()).at("/choices/0/message");
            HttpResponse<String> hit = gw.post("/v1/chat/completions", ask + ", \"stream\": true}",
                    "Authorization", "Bearer " + MASTER);

            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            List<JsonNode> blocks = TestGateway.dataChunks(hit.body()).stream()
                    .flatMap(c -> c.path("choices").path(0).path("delta").path("thinking_blocks").valueStream())
                    .toList();
            assertThat(blocks).hasSize(2);
            assertThat(blocks.get(0).path("signature").asText()).isEqualTo("EqQBCgIYAhIM1gbcDa9G");
            assertThat(blocks.get(1).path("data").asText()).isEqualTo("EmwKAhgBEgy3va3pzix/LafPsn4a");
            assertThat(whole.path("thinking_blocks")).hasSize(2);
            assertThat(TestGateway.dataChunks(hit.body()).getFirst().at("/choices/0/delta/reasoning_content")
                    .asText()).isEqualTo("Call the tool.");
        }
    }
}
