package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
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

    /** {@link #INTERLEAVED_TURN} as Anthropic streams it: thinking and signature deltas, text, the tool's input. */
    private static MockResponse interleavedStream() {
        List<String> events = new ArrayList<>(List.of("message_start", """
                {"type": "message_start", "message": {"id": "msg_01B", "type": "message", "role": "assistant",
                 "content": [], "model": "claude-sonnet-4-5", "stop_reason": null, "stop_sequence": null,
                 "usage": {"input_tokens": 40, "output_tokens": 1}}}"""));
        block(events, 0, "{\"type\": \"thinking\", \"thinking\": \"\", \"signature\": \"\"}",
                "{\"type\": \"thinking_delta\", \"thinking\": \"First, \"}",
                "{\"type\": \"thinking_delta\", \"thinking\": \"the plan.\"}",
                "{\"type\": \"signature_delta\", \"signature\": \"sig-A\"}");
        block(events, 1, "{\"type\": \"text\", \"text\": \"\"}",
                "{\"type\": \"text_delta\", \"text\": \"Paragraph one.\"}");
        block(events, 2, "{\"type\": \"thinking\", \"thinking\": \"\", \"signature\": \"\"}",
                "{\"type\": \"thinking_delta\", \"thinking\": \"Now the tool.\"}",
                "{\"type\": \"signature_delta\", \"signature\": \"sig-B\"}");
        block(events, 3, "{\"type\": \"tool_use\", \"id\": \"toolu_01\", \"name\": \"weather\", \"input\": {}}",
                "{\"type\": \"input_json_delta\", \"partial_json\": \"{\\\"city\\\":\"}",
                "{\"type\": \"input_json_delta\", \"partial_json\": \"\\\"Paris\\\"}\"}");
        events.addAll(List.of("message_delta", """
                {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null},
                 "usage": {"output_tokens": 12}}""", "message_stop", "{\"type\": \"message_stop\"}"));
        return oneLineEvents(events.toArray(String[]::new));
    }

    /** Adds a content block's events: its start, its deltas, its stop. */
    private static void block(List<String> events, int index, String start, String... deltas) {
        events.addAll(List.of("content_block_start", "{\"type\": \"content_block_start\", \"index\": " + index
                + ", \"content_block\": " + start + "}"));
        for (String delta : deltas) {
            events.addAll(List.of("content_block_delta", "{\"type\": \"content_block_delta\", \"index\": "
                    + index + ", \"delta\": " + delta + "}"));
        }
        events.addAll(List.of("content_block_stop", "{\"type\": \"content_block_stop\", \"index\": " + index
                + "}"));
    }

    /** {@link AnthropicFake#events} with each event's data on one line, as SSE needs it. */
    private static MockResponse oneLineEvents(String... typeAndData) {
        String[] out = typeAndData.clone();
        for (int i = 1; i < out.length; i += 2) {
            out[i] = out[i].replace("\n", " ");
        }
        return AnthropicFake.events(out);
    }

    /** What Anthropic answers a call the test does not expect: a request it refuses, so the test fails at once. */
    private static MockResponse unexpectedCall() {
        return new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json").body("""
                {"type": "error", "error": {"type": "invalid_request_error", "message": "unexpected call"}}""")
                .build();
    }

    private static final String CHAT_THINKING_ASK = """
            {"model": "claude", "max_tokens": 8000, "reasoning_effort": "low",
             "tools": [{"type": "function", "function": {"name": "weather", "parameters": {}}}],
             "messages": [{"role": "user", "content": "Weather in Paris?"}]""";

    /** A completion without what differs from one call to the next: its id and time. */
    private static JsonNode withoutIdAndTime(String body) {
        ObjectNode answer = (ObjectNode) TestGateway.json(body);
        answer.remove(List.of("id", "created"));
        return answer;
    }

    @Test
    void givenAStreamedInterleavedThinkingTurn_whenAskedAgain_thenItIsAHitStoredAsTheWholeAnswerIs() {
        upstream.enqueue(anthropic(INTERLEAVED_TURN, "tool_use", null));
        upstream.enqueue(interleavedStream());
        upstream.enqueue(unexpectedCall());
        upstream.enqueue(unexpectedCall());
        String auth = "Bearer " + MASTER;
        try (TestGateway gw = gateway(); TestGateway other = gateway()) {
            // the same answer unstreamed, from a gateway of its own: what the cache holds for a whole miss
            String unstreamed = other.post("/v1/chat/completions", CHAT_THINKING_ASK + "}", "Authorization", auth)
                    .body();
            HttpResponse<String> miss = gw.post("/v1/chat/completions", CHAT_THINKING_ASK + ", \"stream\": true}",
                    "Authorization", auth);
            HttpResponse<String> wholeHit = gw.post("/v1/chat/completions", CHAT_THINKING_ASK + "}",
                    "Authorization", auth);
            HttpResponse<String> streamedHit = gw.post("/v1/chat/completions",
                    CHAT_THINKING_ASK + ", \"stream\": true}", "Authorization", auth);

            assertThat(miss.headers().firstValue("x-costwise-cache")).hasValue("miss");
            assertThat(wholeHit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(streamedHit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(upstream.getRequestCount()).isEqualTo(2); // the other gateway's, and the streamed miss
            assertThat(withoutIdAndTime(wholeHit.body())).isEqualTo(withoutIdAndTime(unstreamed));
            JsonNode message = TestGateway.json(wholeHit.body()).at("/choices/0/message");
            assertThat(message.path("thinking_blocks")).isEqualTo(TestGateway.json("""
                    [{"type": "thinking", "thinking": "First, the plan.", "signature": "sig-A"},
                     {"type": "thinking", "thinking": "Now the tool.", "signature": "sig-B"}]"""));
            assertThat(message.path("block_order")).isEqualTo(TestGateway.json("""
                    ["thinking", {"type": "text", "text": "Paragraph one."}, "thinking", "tool_call"]"""));
            List<JsonNode> streamedBlocks = TestGateway.dataChunks(streamedHit.body()).stream()
                    .flatMap(c -> c.path("choices").path(0).path("delta").path("thinking_blocks").valueStream())
                    .map(b -> (JsonNode) ((ObjectNode) b.deepCopy()).without("index")).toList();
            assertThat(streamedBlocks).containsExactlyElementsOf(message.path("thinking_blocks").valueStream()
                    .toList());
        }
    }

    @Test
    void givenAStreamedInterleavedThinkingTurnOnMessages_whenAskedAgain_thenBothHitsGiveItsBlocksInTheirOrder() {
        upstream.enqueue(interleavedStream());
        upstream.enqueue(unexpectedCall());
        upstream.enqueue(unexpectedCall());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> miss = messages(gw, THINKING_ASK + ", \"stream\": true}");
            HttpResponse<String> whole = messages(gw, THINKING_ASK + "}");
            HttpResponse<String> streamed = messages(gw, THINKING_ASK + ", \"stream\": true}");

            assertThat(miss.headers().firstValue("x-costwise-cache")).hasValue("miss");
            assertThat(streamedContent(miss.body())).isEqualTo(TestGateway.json(INTERLEAVED_TURN));
            assertThat(whole.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(streamed.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            assertThat(TestGateway.json(whole.body()).path("content")).isEqualTo(TestGateway.json(INTERLEAVED_TURN));
            assertThat(TestGateway.json(whole.body()).path("stop_reason").asText()).isEqualTo("tool_use");
            assertThat(streamedContent(streamed.body())).isEqualTo(TestGateway.json(INTERLEAVED_TURN));
        }
    }
}
