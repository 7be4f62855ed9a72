package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A streamed answer with tool calls, a refusal or several choices is cached whole and served again, streamed or not,
 * as the provider gave it. OpenAI is faked as its stream is documented
 * (https://platform.openai.com/docs/api-reference/chat-streaming: a call's id, type and name in its first delta, its
 * arguments in pieces, each choice under its own index) and Anthropic as
 * https://docs.claude.com/en/docs/build-with-claude/streaming ({@code tool_use} blocks and {@code input_json_delta}).
 */
class StreamedToolCallsCacheEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    /**
     * Answers every call: a streamed one with {@code stream}, any other with {@code whole}; so a request the cache
     * fails to answer is answered at once, and the test fails on its assertions rather than on a timeout.
     */
    private void answer(Supplier<MockResponse> stream, Supplier<MockResponse> whole) {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return TestGateway.json(request.getBody().utf8()).path("stream").asBoolean() ? stream.get()
                        : whole.get();
            }
        });
    }

    private void answer(Supplier<MockResponse> stream) {
        answer(stream, () -> OpenAiFake.completion("gpt-4o-mini", "not from the cache", 40, 5));
    }

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - name: gpt
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %1$s/v1
                    price: {input: "1.00", output: "2.00"}
                  - name: claude
                    provider: anthropic
                    model: claude-sonnet-4-5
                    api_key: sk-ant-test
                    base_url: %1$s
                    price: {input: "3.00", output: "15.00"}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    private static final String TOOLS = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}},"
            + "{\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"parameters\":{\"type\":\"object\"}}}]";

    private static String ask(String prompt, boolean stream, String more) {
        return "{\"model\":\"gpt\"" + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
                + more + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    /** One {@code data:} event of OpenAI's stream holding {@code choice}. */
    private static String chunk(JsonNode choice) {
        ObjectNode c = TestGateway.JSON.createObjectNode().put("id", "chatcmpl-t1")
                .put("object", "chat.completion.chunk").put("created", 1741569952).put("model", "gpt-4o-mini")
                .put("system_fingerprint", "fp_1");
        c.putArray("choices").add(choice);
        c.putNull("usage");
        return "data: " + c + "\n\n";
    }

    private static ObjectNode choice(int index, ObjectNode delta, String finish) {
        ObjectNode choice = TestGateway.JSON.createObjectNode().put("index", index);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        return finish == null ? choice.putNull("finish_reason") : choice.put("finish_reason", finish);
    }

    private static ObjectNode delta() {
        return TestGateway.JSON.createObjectNode();
    }

    /** A tool call's delta: its first names it ({@code id} and {@code name} not null), later ones only add text. */
    private static ObjectNode call(int index, String id, String name, String arguments) {
        ObjectNode delta = delta();
        ObjectNode call = delta.putArray("tool_calls").addObject().put("index", index);
        if (id != null) {
            call.put("id", id).put("type", "function");
        }
        ObjectNode function = call.putObject("function");
        if (name != null) {
            function.put("name", name);
        }
        function.put("arguments", arguments);
        return delta;
    }

    private static MockResponse sse(List<String> events, int completionTokens) {
        StringBuilder body = new StringBuilder();
        events.forEach(body::append);
        body.append("data: {\"id\":\"chatcmpl-t1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":"
                + completionTokens + ",\"total_tokens\":" + (40 + completionTokens) + "}}\n\ndata: [DONE]\n\n");
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(body.toString()).build();
    }

    /** Two parallel calls as OpenAI streams them: content null, each call's arguments split over several chunks. */
    private static MockResponse toolCallStream() {
        ObjectNode first = call(0, "call_W", "get_weather", "");
        first.put("role", "assistant").putNull("content").putNull("refusal");
        return sse(List.of(
                chunk(choice(0, first, null)),
                chunk(choice(0, call(0, null, null, "{\"ci"), null)),
                chunk(choice(0, call(0, null, null, "ty\": \"Par"), null)),
                chunk(choice(0, call(0, null, null, "is\"}"), null)),
                chunk(choice(0, call(1, "call_T", "get_time", ""), null)),
                chunk(choice(0, call(1, null, null, "{}"), null)),
                chunk(choice(0, delta(), "tool_calls"))), 30);
    }

    /** The tool calls of an OpenAI stream, per choice: {@code id type name arguments}, arguments joined. */
    private static Map<Integer, List<String>> streamedCalls(String sse) {
        Map<Integer, Map<Integer, String[]>> calls = new TreeMap<>();
        for (JsonNode chunk : TestGateway.dataChunks(sse)) {
            for (JsonNode choice : chunk.path("choices")) {
                for (JsonNode call : choice.at("/delta/tool_calls")) {
                    String[] c = calls.computeIfAbsent(choice.path("index").asInt(), i -> new TreeMap<>())
                            .computeIfAbsent(call.path("index").asInt(), i -> new String[] {"", "", "", ""});
                    c[0] += call.path("id").asText("");
                    c[1] += call.path("type").asText("");
                    c[2] += call.at("/function/name").asText("");
                    c[3] += call.at("/function/arguments").asText("");
                }
            }
        }
        Map<Integer, List<String>> out = new TreeMap<>();
        calls.forEach((choice, byIndex) -> out.put(choice, byIndex.values().stream()
                .map(c -> String.join(" ", c)).toList()));
        return out;
    }

    /** The tool calls of a non-streamed answer, per choice, as {@link #streamedCalls} writes them. */
    private static Map<Integer, List<String>> answeredCalls(JsonNode completion) {
        Map<Integer, List<String>> out = new TreeMap<>();
        for (JsonNode choice : completion.path("choices")) {
            List<String> calls = new ArrayList<>();
            choice.at("/message/tool_calls").forEach(c -> calls.add(String.join(" ", c.path("id").asText(),
                    c.path("type").asText(), c.at("/function/name").asText(), c.at("/function/arguments").asText())));
            out.put(choice.path("index").asInt(), calls);
        }
        return out;
    }

    /** Per choice of an OpenAI stream: its text, then {@code |} and its finish reason. */
    private static Map<Integer, String> streamedChoices(String sse) {
        Map<Integer, StringBuilder> text = new TreeMap<>();
        Map<Integer, String> finish = new TreeMap<>();
        for (JsonNode chunk : TestGateway.dataChunks(sse)) {
            for (JsonNode choice : chunk.path("choices")) {
                int index = choice.path("index").asInt();
                text.computeIfAbsent(index, i -> new StringBuilder()).append(choice.at("/delta/content").asText(""));
                if (choice.hasNonNull("finish_reason")) {
                    finish.put(index, choice.get("finish_reason").asText());
                }
            }
        }
        Map<Integer, String> out = new TreeMap<>();
        text.forEach((index, t) -> out.put(index, t + "|" + finish.get(index)));
        return out;
    }

    private static final List<String> CALLS = List.of("call_W function get_weather {\"city\": \"Paris\"}",
            "call_T function get_time {}");

    @Test
    void givenAStreamedAnswerWithToolCalls_whenTheSameStreamIsAskedAgain_thenItIsAFreeHitWithTheSameCalls() {
        answer(StreamedToolCallsCacheEndToEndTest::toolCallStream);
        try (TestGateway gw = gateway()) {
            HttpResponse<String> first = gw.post("/v1/chat/completions", ask("weather?", true, TOOLS));
            HttpResponse<String> second = gw.post("/v1/chat/completions", ask("weather?", true, TOOLS));

            assertThat(first.headers().firstValue("x-costwise-cache")).hasValue("miss");
            assertThat(second.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            assertThat(streamedCalls(first.body())).isEqualTo(Map.of(0, CALLS));
            assertThat(streamedCalls(second.body())).isEqualTo(streamedCalls(first.body()));
            assertThat(streamedChoices(second.body())).isEqualTo(Map.of(0, "|tool_calls"));
            List<CostRecord> rows = gw.records();
            assertThat(rows).extracting(CostRecord::outcome).containsExactly(Outcome.SUCCESS, Outcome.CACHE_HIT);
            assertThat(rows.get(0).cost()).isEqualTo(Money.of("0.0001")); // 40 × $1 + 30 × $2 per 1M
            assertThat(rows.get(1).cost()).isEqualTo(Money.ZERO);
        }
    }

    @Test
    void givenAStreamedAnswerWithToolCalls_whenAskedWithoutStreaming_thenTheHitIsOpenAisNonStreamedAnswer() {
        answer(StreamedToolCallsCacheEndToEndTest::toolCallStream);
        try (TestGateway gw = gateway()) {
            gw.post("/v1/chat/completions", ask("weather?", true, TOOLS));
            HttpResponse<String> answer = gw.post("/v1/chat/completions", ask("weather?", false, TOOLS));

            assertThat(answer.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            JsonNode body = TestGateway.json(answer.body());
            assertThat(answeredCalls(body)).isEqualTo(Map.of(0, CALLS));
            JsonNode choice = body.path("choices").path(0);
            assertThat(choice.at("/message/role").asText()).isEqualTo("assistant");
            assertThat(choice.at("/message/content").isNull()).as("null beside tool calls, as OpenAI answers").isTrue();
            assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
            assertThat(body.path("object").asText()).isEqualTo("chat.completion");
            assertThat(gw.records().get(1).cost()).isEqualTo(Money.ZERO);
        }
    }

    /** Two choices interleaved as OpenAI streams {@code n: 2}: one answers in text, the other calls a tool. */
    private static MockResponse twoChoiceStream() {
        return sse(List.of(
                chunk(choice(0, delta().put("role", "assistant").put("content", ""), null)),
                chunk(choice(1, delta().put("role", "assistant").put("content", ""), null)),
                chunk(choice(0, delta().put("content", "Sunny"), null)),
                chunk(choice(1, call(0, "call_X", "get_weather", "{\"city\""), null)),
                chunk(choice(0, delta().put("content", " in Paris."), null)),
                chunk(choice(1, call(0, null, null, ":\"Paris\"}"), null)),
                chunk(choice(0, delta(), "stop")),
                chunk(choice(1, delta(), "tool_calls"))), 20);
    }

    @Test
    void givenAStreamedAnswerWithTwoChoices_whenAskedAgainStreamedAndNot_thenBothChoicesComeFromTheCache() {
        answer(StreamedToolCallsCacheEndToEndTest::twoChoiceStream);
        try (TestGateway gw = gateway()) {
            HttpResponse<String> first = gw.post("/v1/chat/completions", ask("two?", true, ",\"n\":2" + TOOLS));
            HttpResponse<String> again = gw.post("/v1/chat/completions", ask("two?", true, ",\"n\":2" + TOOLS));
            HttpResponse<String> whole = gw.post("/v1/chat/completions", ask("two?", false, ",\"n\":2" + TOOLS));

            assertThat(again.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(whole.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            Map<Integer, String> choices = Map.of(0, "Sunny in Paris.|stop", 1, "|tool_calls");
            assertThat(streamedChoices(first.body())).isEqualTo(choices);
            assertThat(streamedChoices(again.body())).isEqualTo(choices);
            Map<Integer, List<String>> calls = Map.of(1, List.of("call_X function get_weather {\"city\":\"Paris\"}"));
            assertThat(streamedCalls(again.body())).isEqualTo(calls);
            JsonNode body = TestGateway.json(whole.body());
            assertThat(answeredCalls(body)).isEqualTo(Map.of(0, List.of(), 1, calls.get(1)));
            assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Sunny in Paris.");
            assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(body.at("/choices/1/message/content").isNull()).isTrue();
            assertThat(body.at("/choices/1/finish_reason").asText()).isEqualTo("tool_calls");
            assertThat(gw.records()).extracting(CostRecord::outcome)
                    .containsExactly(Outcome.SUCCESS, Outcome.CACHE_HIT, Outcome.CACHE_HIT);
            assertThat(gw.records().subList(1, 3)).extracting(CostRecord::cost).containsOnly(Money.ZERO);
        }
    }

    @Test
    void givenAStreamedRefusal_whenAskedAgainStreamedAndNot_thenTheRefusalComesFromTheCache() {
        answer(() -> sse(List.of(
                chunk(choice(0, delta().put("role", "assistant").putNull("content").put("refusal", ""), null)),
                chunk(choice(0, delta().put("refusal", "I can't help"), null)),
                chunk(choice(0, delta().put("refusal", " with that."), null)),
                chunk(choice(0, delta(), "stop"))), 5));
        try (TestGateway gw = gateway()) {
            gw.post("/v1/chat/completions", ask("refuse?", true, ""));
            HttpResponse<String> again = gw.post("/v1/chat/completions", ask("refuse?", true, ""));
            HttpResponse<String> whole = gw.post("/v1/chat/completions", ask("refuse?", false, ""));

            assertThat(upstream.getRequestCount()).isEqualTo(1);
            StringBuilder refusal = new StringBuilder();
            TestGateway.dataChunks(again.body()).forEach(c -> c.path("choices")
                    .forEach(choice -> refusal.append(choice.at("/delta/refusal").asText(""))));
            assertThat(refusal.toString()).isEqualTo("I can't help with that.");
            JsonNode message = TestGateway.json(whole.body()).at("/choices/0/message");
            assertThat(message.path("refusal").asText()).isEqualTo("I can't help with that.");
            assertThat(message.path("content").isNull()).isTrue();
        }
    }

    private static String anthropicEvent(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }

    /** Claude's stream: a text block, then a tool_use block whose input comes in two {@code input_json_delta}s. */
    private static MockResponse claudeToolUseStream() {
        String body = anthropicEvent("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_t\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\","
                + "\"stop_reason\":null,\"usage\":{\"input_tokens\":50,\"output_tokens\":1}}}")
                + anthropicEvent("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + anthropicEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me check.\"}}")
                + anthropicEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + anthropicEvent("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,"
                + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01A\",\"name\":\"get_weather\","
                + "\"input\":{}}}")
                + anthropicEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \"}}")
                + anthropicEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Paris\\\"}\"}}")
                + anthropicEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}")
                + anthropicEvent("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                + "\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":25}}")
                + anthropicEvent("message_stop", "{\"type\":\"message_stop\"}");
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body).build();
    }

    /** Claude's answer when not streamed: text only, unlike the stream's, so a request the cache misses shows. */
    private static MockResponse claudeAnswer() {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "msg_w", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [{"type": "text", "text": "not from the cache"}], "stop_reason": "end_turn",
                 "stop_sequence": null, "usage": {"input_tokens": 50, "output_tokens": 5}}""").build();
    }

    /** The content blocks of a Messages stream, in order: {@code text:...} or {@code tool_use:id:name:input}. */
    private static List<String> messageBlocks(String sse) {
        Map<Integer, String> starts = new LinkedHashMap<>();
        Map<Integer, StringBuilder> deltas = new TreeMap<>();
        String stopReason = "";
        for (Map.Entry<String, JsonNode> e : TestGateway.events(sse)) {
            JsonNode data = e.getValue();
            int index = data.path("index").asInt();
            switch (e.getKey()) {
                case "content_block_start" -> {
                    JsonNode block = data.path("content_block");
                    starts.put(index, block.path("type").asText() + (block.has("id") ? ":" + block.path("id")
                            .asText() + ":" + block.path("name").asText() : ""));
                }
                case "content_block_delta" -> deltas.computeIfAbsent(index, i -> new StringBuilder())
                        .append(data.at("/delta/text").asText("")).append(data.at("/delta/partial_json").asText(""));
                case "message_delta" -> stopReason = data.at("/delta/stop_reason").asText();
                default -> { }
            }
        }
        List<String> out = new ArrayList<>();
        starts.forEach((index, start) -> out.add(start + ":" + deltas.getOrDefault(index, new StringBuilder())));
        out.add("stop:" + stopReason);
        return out;
    }

    @Test
    void givenAStreamedToolUseOnMessages_whenAskedAgain_thenTheHitStreamsTheSameToolUseBlock() {
        answer(StreamedToolCallsCacheEndToEndTest::claudeToolUseStream,
                StreamedToolCallsCacheEndToEndTest::claudeAnswer);
        String ask = """
                {"model": "claude", "max_tokens": 200, "stream": true,
                 "messages": [{"role": "user", "content": "Weather in Paris?"}],
                 "tools": [{"name": "get_weather", "input_schema": {"type": "object",
                            "properties": {"city": {"type": "string"}}}}]}""";
        try (TestGateway gw = gateway()) {
            HttpResponse<String> first = gw.post("/v1/messages", ask, "anthropic-version", "2023-06-01");
            HttpResponse<String> second = gw.post("/v1/messages", ask, "anthropic-version", "2023-06-01");
            HttpResponse<String> whole = gw.post("/v1/messages", ask.replace("\"stream\": true,", ""),
                    "anthropic-version", "2023-06-01");

            assertThat(second.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            List<String> blocks = List.of("text:Let me check.",
                    "tool_use:toolu_01A:get_weather:{\"city\": \"Paris\"}", "stop:tool_use");
            assertThat(messageBlocks(first.body())).isEqualTo(blocks);
            assertThat(messageBlocks(second.body())).isEqualTo(blocks);
            assertThat(whole.headers().firstValue("x-costwise-cache")).hasValue("hit");
            JsonNode toolUse = TestGateway.json(whole.body()).path("content").path(1);
            assertThat(toolUse.path("type").asText()).isEqualTo("tool_use");
            assertThat(toolUse.path("id").asText()).isEqualTo("toolu_01A");
            assertThat(toolUse.path("input")).isEqualTo(TestGateway.json("{\"city\":\"Paris\"}"));
            assertThat(gw.records()).extracting(CostRecord::outcome)
                    .containsExactly(Outcome.SUCCESS, Outcome.CACHE_HIT, Outcome.CACHE_HIT);
            assertThat(gw.records().subList(1, 3)).extracting(CostRecord::cost).containsOnly(Money.ZERO);
        }
    }

    /** The function calls a Responses stream finished, in order: {@code call_id name arguments}. */
    private static List<String> responseCalls(String sse) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : TestGateway.events(sse)) {
            JsonNode item = e.getValue().path("item");
            if (e.getKey().equals("response.output_item.done") && item.path("type").asText().equals("function_call")) {
                out.add(String.join(" ", item.path("call_id").asText(), item.path("name").asText(),
                        item.path("arguments").asText()));
            }
        }
        return out;
    }

    @Test
    void givenAStreamedAnswerWithToolCallsOnResponses_whenAskedAgain_thenTheHitStreamsTheSameFunctionCalls() {
        answer(StreamedToolCallsCacheEndToEndTest::toolCallStream);
        String ask = """
                {"model": "gpt", "stream": true, "input": "Weather in Paris?",
                 "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}},
                           {"type": "function", "name": "get_time", "parameters": {"type": "object"}}]}""";
        try (TestGateway gw = gateway()) {
            HttpResponse<String> first = gw.post("/v1/responses", ask);
            HttpResponse<String> second = gw.post("/v1/responses", ask);

            assertThat(second.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            List<String> calls = List.of("call_W get_weather {\"city\": \"Paris\"}", "call_T get_time {}");
            assertThat(responseCalls(first.body())).isEqualTo(calls);
            assertThat(responseCalls(second.body())).isEqualTo(calls);
            assertThat(gw.records()).extracting(CostRecord::cost).containsExactly(Money.of("0.0001"), Money.ZERO);
        }
    }
}
