package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/messages}, Anthropic's Messages API (https://docs.claude.com/en/api/messages, streaming per
 * https://docs.claude.com/en/docs/build-with-claude/streaming, errors per https://docs.claude.com/en/api/errors), in
 * front of an OpenAI-format upstream (MockWebServer speaking https://platform.openai.com/docs/api-reference/chat) and
 * of Anthropic's own API.
 */
class MessagesEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway(String extra) {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - name: fast
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %s
                    price: {input: "1.00", output: "2.00"}
                %s""".formatted(upstream.url("/v1").toString().replaceAll("/$", ""), extra), Map.of("MASTER", MASTER));
    }

    /** The gateway with a native Anthropic model, {@code claude}, on the same fake upstream. */
    private TestGateway gatewayWithClaude() {
        return gateway("""
                  - name: claude
                    provider: anthropic
                    model: claude-haiku-4-5
                    api_key: sk-ant-test
                    base_url: %s
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    private static HttpResponse<String> messages(TestGateway gw, String body) {
        return gw.post("/v1/messages", body, "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    @Test
    void givenAMessagesRequest_whenAnsweredByAnOpenAiModel_thenTheAnswerIsAnAnthropicMessageAndIsLedgered()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Bonjour", 30, 4));
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = messages(gw, """
                    {"model": "fast", "max_tokens": 256, "system": "Answer in French.",
                     "messages": [{"role": "user", "content": "Say hello"}],
                     "stop_sequences": ["END"], "temperature": 0.2, "metadata": {"user_id": "u-42"}}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode message = TestGateway.json(res.body());
            assertThat(message.path("type").asText()).isEqualTo("message");
            assertThat(message.path("role").asText()).isEqualTo("assistant");
            assertThat(message.path("id").asText()).startsWith("msg_");
            assertThat(message.path("content")).isEqualTo(TestGateway.json(
                    "[{\"type\":\"text\",\"text\":\"Bonjour\"}]"));
            assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
            assertThat(message.path("usage")).isEqualTo(TestGateway.json("""
                    {"input_tokens":30,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                     "cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},
                     "output_tokens":4}"""));
            // 30 * $1 + 4 * $2 per 1M tokens
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.000038");
            JsonNode sent = SentUpstream.next(upstream);
            assertThat(sent.path("messages")).isEqualTo(TestGateway.json("""
                    [{"role":"system","content":"Answer in French."},{"role":"user","content":"Say hello"}]"""));
            assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(256); // OpenAI's name
            assertThat(sent.path("stop")).isEqualTo(TestGateway.json("[\"END\"]"));
            assertThat(sent.path("user").asText()).isEqualTo("u-42");
            assertThat(gw.records()).singleElement().satisfies(r -> {
                assertThat(r.cost()).isEqualTo(Money.of("0.000038"));
                assertThat(r.tags()).containsEntry("user", "u-42");
            });
        }
    }

    @Test
    void givenTools_whenTheModelCallsOneAndGetsItsResult_thenToolUseAndToolResultMapBothWays() throws Exception {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion\",\"created\":1741569952,\"model\":"
                        + "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + "null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
                        + "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":"
                        + "\"tool_calls\"}],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":10,"
                        + "\"total_tokens\":60}}")
                .build());
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "18 degrees", 70, 3));
        String tools = """
                "tools": [{"name": "get_weather", "description": "Current weather",
                           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}],
                "tool_choice": {"type": "any", "disable_parallel_tool_use": true}""";
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> first = messages(gw, "{\"model\": \"fast\", \"max_tokens\": 100, " + tools
                    + ", \"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"}]}");
            HttpResponse<String> second = messages(gw, "{\"model\": \"fast\", \"max_tokens\": 100, " + tools
                    + ", \"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"},"
                    + "{\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"Checking.\"},"
                    + "  {\"type\": \"tool_use\", \"id\": \"call_1\", \"name\": \"get_weather\", \"input\": "
                    + "{\"city\": \"Paris\"}}]},"
                    + "{\"role\": \"user\", \"content\": [{\"type\": \"tool_result\", \"tool_use_id\": \"call_1\", "
                    + "\"content\": \"18C\", \"is_error\": false}, "
                    + "{\"type\": \"text\", \"text\": \"In Celsius.\"}]}]}");

            JsonNode call = TestGateway.json(first.body());
            assertThat(call.path("stop_reason").asText()).isEqualTo("tool_use");
            assertThat(call.path("content")).isEqualTo(TestGateway.json("""
                    [{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}}]"""));
            JsonNode firstSent = SentUpstream.next(upstream);
            assertThat(firstSent.path("tools")).isEqualTo(TestGateway.json("""
                    [{"type":"function","function":{"name":"get_weather","description":"Current weather",
                      "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]"""));
            assertThat(firstSent.path("tool_choice").asText()).isEqualTo("required");
            assertThat(firstSent.path("parallel_tool_calls").asBoolean(true)).isFalse();
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
            assertThat(SentUpstream.next(upstream).path("messages")).isEqualTo(TestGateway.json("""
                    [{"role":"user","content":"Weather in Paris?"},
                     {"role":"assistant","content":[{"type":"text","text":"Checking."}],
                      "tool_calls":[{"id":"call_1","type":"function",
                                     "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                     {"role":"tool","tool_call_id":"call_1","content":[{"type":"text","text":"18C"}]},
                     {"role":"user","content":[{"type":"text","text":"In Celsius."}]}]"""));
        }
    }

    @Test
    void givenAStream_whenTheUpstreamStreamsText_thenTheEventsAreAnthropicsAndTheUsageAndCostComeLast() {
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", "Hel", "lo"));
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = messages(gw, """
                    {"model": "fast", "max_tokens": 64, "stream": true,
                     "messages": [{"role": "user", "content": "Say hello"}]}""");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream");
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(res.body());
            assertThat(events).extracting(Map.Entry::getKey).containsExactly("message_start", "content_block_start",
                    "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
                    "message_stop");
            events.forEach(e -> assertThat(e.getValue().path("type").asText()).isEqualTo(e.getKey()));
            assertThat(events.get(0).getValue().at("/message/model").asText()).isEqualTo("fast");
            assertThat(events.get(1).getValue().path("content_block")).isEqualTo(TestGateway.json(
                    "{\"type\":\"text\",\"text\":\"\"}"));
            assertThat(events.get(2).getValue().path("delta")).isEqualTo(TestGateway.json(
                    "{\"type\":\"text_delta\",\"text\":\"Hel\"}"));
            assertThat(events.get(3).getValue().at("/delta/text").asText()).isEqualTo("lo");
            JsonNode delta = events.get(5).getValue();
            assertThat(delta.at("/delta/stop_reason").asText()).isEqualTo("end_turn");
            assertThat(delta.path("usage")).isEqualTo(TestGateway.json("""
                    {"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                     "cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},
                     "output_tokens":2}"""));
            // 12 * $1 + 2 * $2 per 1M tokens
            assertThat(delta.at("/costwise/cost").asText()).isEqualTo("0.000016");
            assertThat(gw.records()).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
                assertThat(r.cost()).isEqualTo(Money.of("0.000016"));
            });
        }
    }

    @Test
    void givenAStreamedToolCall_whenStreamed_thenItIsAToolUseBlockFedByInputJsonDeltas() {
        String head = OpenAiFake.CHUNK_HEAD;
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(head + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
                        + "\"index\":0,\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"lookup\","
                        + "\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
                        + head + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                        + "\"{\\\"q\\\":\"}}]},\"finish_reason\":null}]}\n\n"
                        + head + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                        + "\"\\\"x\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
                        + head + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
                        + head + "[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":8,\"total_tokens\":28}}\n\n"
                        + "data: [DONE]\n\n")
                .build());
        try (TestGateway gw = gateway("")) {
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(messages(gw, """
                    {"model": "fast", "max_tokens": 64, "stream": true,
                     "tools": [{"name": "lookup", "input_schema": {"type": "object"}}],
                     "messages": [{"role": "user", "content": "Look up x"}]}""").body());

            assertThat(events).extracting(Map.Entry::getKey).containsExactly("message_start", "content_block_start",
                    "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
                    "message_stop");
            assertThat(events.get(1).getValue().path("content_block")).isEqualTo(TestGateway.json(
                    "{\"type\":\"tool_use\",\"id\":\"call_9\",\"name\":\"lookup\",\"input\":{}}"));
            assertThat(events.get(2).getValue().at("/delta/partial_json").asText()
                    + events.get(3).getValue().at("/delta/partial_json").asText()).isEqualTo("{\"q\":\"x\"}");
            assertThat(events.get(2).getValue().at("/delta/type").asText()).isEqualTo("input_json_delta");
            assertThat(events.get(5).getValue().at("/delta/stop_reason").asText()).isEqualTo("tool_use");
        }
    }

    @Test
    void givenAStreamThatBreaksAfterItsFirstChunk_whenStreamed_thenItEndsWithAnErrorEventAndThePartIsLedgered() {
        String head = OpenAiFake.CHUNK_HEAD;
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(head + "[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n"
                        + "data: {\"choices\": [oops\n\n")
                .build());
        try (TestGateway gw = gateway("")) {
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(messages(gw, """
                    {"model": "fast", "max_tokens": 64, "stream": true,
                     "messages": [{"role": "user", "content": "Say hello"}]}""").body());

            assertThat(events).extracting(Map.Entry::getKey).containsExactly("message_start", "content_block_start",
                    "content_block_delta", "error");
            assertThat(events.get(3).getValue().at("/error/type").asText()).isEqualTo("api_error");
            assertThat(gw.records()).singleElement().satisfies(r -> assertThat(r.outcome())
                    .isEqualTo(Outcome.FAILED));
        }
    }

    @Test
    void givenAnAnthropicStreamOverloadedMidWay_whenStreamedThroughMessages_thenTheErrorEventKeepsItsType() {
        // https://docs.claude.com/en/docs/build-with-claude/streaming#error-events
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body("""
                        event: message_start
                        data: {"type":"message_start","message":{"id":"msg_up","type":"message","role":"assistant",\
                        "content":[],"model":"claude-haiku-4-5","stop_reason":null,\
                        "usage":{"input_tokens":10,"output_tokens":1}}}

                        event: content_block_start
                        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                        event: content_block_delta
                        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}

                        event: error
                        data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

                        """).build());
        try (TestGateway gw = gatewayWithClaude()) {
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(messages(gw, """
                    {"model": "claude", "max_tokens": 64, "stream": true,
                     "messages": [{"role": "user", "content": "Say hello"}]}""").body());

            assertThat(events.getLast().getKey()).isEqualTo("error");
            assertThat(events.getLast().getValue().at("/error/type").asText()).isEqualTo("overloaded_error");
        }
    }

    @Test
    void givenStructuredOutputsForClaude_whenSentThroughMessages_thenClaudeGetsThemNativelyAndTheJsonComesBack()
            throws Exception {
        // https://platform.claude.com/docs/en/build-with-claude/structured-outputs: output_config.format and a tool's
        // strict, both generally available on Claude Haiku 4.5; the answer's text is the JSON
        upstream.enqueue(AnthropicFake.message("{\\\"city\\\":\\\"Paris\\\"}", "end_turn", "null"));
        String schema = "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}},"
                + " \"required\": [\"city\"], \"additionalProperties\": false}";
        try (TestGateway gw = gatewayWithClaude()) {
            HttpResponse<String> res = messages(gw, """
                    {"model": "claude", "max_tokens": 64,
                     "messages": [{"role": "user", "content": "Where is the Louvre?"}],
                     "tools": [{"name": "lookup", "input_schema": %1$s, "strict": true}],
                     "output_config": {"format": {"type": "json_schema", "schema": %1$s}}}""".formatted(schema));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(TestGateway.json(TestGateway.json(res.body()).at("/content/0/text").asText()))
                    .isEqualTo(TestGateway.json("{\"city\":\"Paris\"}"));
            JsonNode sent = SentUpstream.next(upstream);
            assertThat(sent.path("output_config")).isEqualTo(TestGateway.json(
                    "{\"format\": {\"type\": \"json_schema\", \"schema\": " + schema + "}}"));
            assertThat(sent.at("/tools/0/strict").asBoolean()).isTrue();
            assertThat(sent.has("system")).as("no JSON instruction beside the native format").isFalse();
        }
    }

    @Test
    void givenBadRequests_whenSent_thenEachIsAnAnthropicErrorNamingTheProblemAndNothingIsCalled() {
        try (TestGateway gw = gateway("")) {
            assertError(messages(gw, "{\"model\": \"fast\", \"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"hi\"}]}"), 400, "invalid_request_error", "max_tokens: is required");
            assertError(messages(gw, "{\"model\": \"fast\", \"max_tokens\": 10, \"messages\": [{\"role\": \"user\", "
                    + "\"content\": [{\"type\": \"document\", \"source\": {}}]}]}"), 400, "invalid_request_error",
                    "messages[0].content[0].type: unsupported block type 'document'");
            assertError(messages(gw, "{\"model\": \"fast\", \"max_tokens\": 10, \"tools\": [{\"type\": "
                    + "\"web_search_20250305\", \"name\": \"web_search\"}], \"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"hi\"}]}"), 400, "invalid_request_error", "tools[0].type: server tool");
            assertError(messages(gw, "{\"model\": \"fast\", \"max_tokens\": 10, \"temperature\": 1.5, \"messages\": "
                    + "[{\"role\": \"user\", \"content\": \"hi\"}]}"), 400, "invalid_request_error",
                    "temperature: expected a number from 0 to 1");
            assertError(messages(gw, "{\"model\": \"fast\", \"max_tokens\": 10, \"messages\": [{\"role\": \"user\", "
                    + "\"content\": [{\"type\": \"text\", \"text\": \"x\", "
                    + "\"cache_control\": {\"type\": \"ephemeral\", \"ttl\": \"2h\"}}]}]}"), 400,
                    "invalid_request_error", "messages[0].content[0].cache_control.ttl");
            assertError(messages(gw, "{\"model\": \"nope\", \"max_tokens\": 10, \"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"hi\"}]}"), 404, "not_found_error", "'nope' does not exist");
            assertError(gw.post("/v1/messages", "{\"model\": \"fast\", \"max_tokens\": 10, \"messages\": []}",
                    "x-api-key", "wrong-key"), 401, "authentication_error", "unknown or revoked API key");
            assertError(messages(gw, "{\"model\": \"fast\", \"max_tokens\": 10, \"metadata\": {\"user_id\": 42}, "
                    + "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"), 400, "invalid_request_error",
                    "metadata.user_id: expected a string");
            assertError(messages(gw, "{\"model\": \"fast\", \"max_tokens\": 10, \"metadata\": "
                    + "{\"user_id\": \"(none)\"}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"), 400,
                    "invalid_request_error",
                    "metadata.user_id: the end user cannot be '(none)'");
            assertError(messages(gw, "{\"model\": \"fast\", \"max_tokens\": 10, \"mcp_servers\": [{\"type\": \"url\", "
                    + "\"url\": \"https://mcp.example.com\", \"name\": \"x\"}], \"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"hi\"}]}"), 400, "invalid_request_error", "mcp_servers: runs on Anthropic's own");
            assertError(messages(gw, "{\"model\": \"fast\", \"max_tokens\": 10, \"output_config\": {\"format\": "
                    + "{\"type\": \"xml\"}}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"), 400,
                    "invalid_request_error", "output_config.format.type: expected json_schema");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    /** A Messages answer from claude-haiku-4-5 with {@code text}, its usage, and {@code extra} top-level fields. */
    private static MockResponse claudeAnswer(String text, int input, int output, String extra) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
                 "content": [{"type": "text", "text": "%s"}], "stop_reason": "end_turn", "stop_sequence": null,
                 "usage": {"input_tokens": %d, "output_tokens": %d}%s}""".formatted(text, input, output, extra))
                .build();
    }

    @Test
    void givenAFailedToolsResult_whenSentOn_thenAnthropicGetsIsErrorAndAnOpenAiModelOnlyTheText() throws Exception {
        upstream.enqueue(claudeAnswer("I cannot read it.", 30, 6, ""));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "I cannot read it.", 30, 6));
        String ask = """
                {"model": "%s", "max_tokens": 100,
                 "tools": [{"name": "read", "input_schema": {"type": "object"}}],
                 "messages": [{"role": "user", "content": "Read /etc/shadow"},
                   {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "read",
                     "input": {"path": "/etc/shadow"}}]},
                   {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                     "content": "permission denied", "is_error": true}]}]}""";
        try (TestGateway gw = gatewayWithClaude()) {
            assertThat(messages(gw, ask.formatted("claude")).statusCode()).isEqualTo(200);
            assertThat(messages(gw, ask.formatted("fast")).statusCode()).isEqualTo(200);

            JsonNode toAnthropic = SentUpstream.next(upstream);
            JsonNode toOpenAi = SentUpstream.next(upstream);
            // https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use: is_error on tool_result
            assertThat(toAnthropic.at("/messages/2/content/0/is_error").asBoolean()).isTrue();
            assertThat(toAnthropic.at("/messages/2/content/0/content").asText()).isEqualTo("permission denied");
            assertThat(toOpenAi.at("/messages/2")).isEqualTo(TestGateway.json(
                    "{\"role\":\"tool\",\"tool_call_id\":\"toolu_1\",\"content\":[{\"type\":\"text\","
                            + "\"text\":\"permission denied\"}]}"));
        }
    }

    @Test
    void givenContextEditing_whenSentToAnAnthropicModelAndToAnOpenAiOne_thenOnlyAnthropicGetsItWithItsBetaHeader()
            throws Exception {
        // https://platform.claude.com/docs/en/build-with-claude/context-editing
        upstream.enqueue(claudeAnswer("Done.", 12, 2, ", \"context_management\": {\"applied_edits\": []}"));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Done.", 12, 2));
        String edits = "{\"edits\": [{\"type\": \"clear_tool_uses_20250919\", "
                + "\"trigger\": {\"type\": \"input_tokens\", \"value\": 30000}}]}";
        String ask = "{\"model\": \"%s\", \"max_tokens\": 50, \"context_management\": %s, "
                + "\"messages\": [{\"role\": \"user\", \"content\": \"Tidy the repo\"}]}";
        try (TestGateway gw = gatewayWithClaude()) {
            assertThat(messages(gw, ask.formatted("claude", edits)).statusCode()).isEqualTo(200);
            assertThat(messages(gw, ask.formatted("fast", edits)).statusCode()).isEqualTo(200);

            RecordedRequest toAnthropic = upstream.takeRequest(5, TimeUnit.SECONDS);
            assertThat(toAnthropic.getHeaders().get("anthropic-beta")).isEqualTo("context-management-2025-06-27");
            assertThat(TestGateway.json(toAnthropic.getBody().utf8()).get("context_management"))
                    .isEqualTo(TestGateway.json(edits));
            assertThat(SentUpstream.next(upstream).has("context_management"))
                    .as("OpenAI refuses unknown fields").isFalse();
            assertError(messages(gw, ask.formatted("claude", "{\"edits\": [{\"type\": \"compact_20260112\"}]}")),
                    400, "invalid_request_error", "context_management.edits[0].type: 'compact_20260112' is not "
                            + "supported");
            assertThat(upstream.getRequestCount()).isEqualTo(2);
        }
    }

    @Test
    void givenTopK_whenSentToAnAnthropicModelAndToAnOpenAiOne_thenAnthropicSamplesWithItAndOpenAiNeverSeesIt()
            throws Exception {
        upstream.enqueue(claudeAnswer("Blue.", 12, 2, ""));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Blue.", 12, 2));
        String ask = "{\"model\": \"%s\", \"max_tokens\": 50, \"top_k\": 40, "
                + "\"messages\": [{\"role\": \"user\", \"content\": \"Colour of the sky?\"}]}";
        try (TestGateway gw = gatewayWithClaude()) {
            assertThat(messages(gw, ask.formatted("claude")).statusCode()).isEqualTo(200);
            assertThat(messages(gw, ask.formatted("fast")).statusCode()).isEqualTo(200);

            assertThat(SentUpstream.next(upstream).path("top_k").asInt()).as("Anthropic's own top_k").isEqualTo(40);
            assertThat(SentUpstream.next(upstream).has("top_k")).as("OpenAI refuses unknown fields").isFalse();
            assertError(messages(gw, ask.formatted("claude").replace("40", "0")), 400, "invalid_request_error",
                    "top_k: expected a whole number from 1 to 2147483647, was 0");
            assertThat(upstream.getRequestCount()).isEqualTo(2);
        }
    }

    @Test
    void givenFieldsTheGatewayLeavesOut_whenSent_thenTheRequestIsServedWithoutThem() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 10, 1));
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = messages(gw, """
                    {"model": "fast", "max_tokens": 2048,
                     "thinking": {"type": "enabled", "budget_tokens": 1024},
                     "context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]},
                     "messages": [{"role": "user", "content": "hi"},
                       {"role": "assistant", "content": [{"type": "thinking", "thinking": "...", "signature": "s"},
                                                         {"type": "text", "text": "hello"}]},
                       {"role": "user", "content": "again"}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode sent = SentUpstream.next(upstream);
            assertThat(sent.has("thinking") || sent.has("context_management")).isFalse();
            assertThat(sent.at("/messages/1/content")).isEqualTo(TestGateway.json(
                    "[{\"type\":\"text\",\"text\":\"hello\"}]"));
        }
    }

    @Test
    void givenAnAnthropicModel_whenStreamedThroughMessages_thenItsEventsTextAndCacheUsageComeBackWhole() {
        // https://docs.claude.com/en/docs/build-with-claude/streaming: the upstream's own stream, cache counts in
        // message_start and the output count in message_delta
        String[][] events = {
            {"message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_up\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-haiku-4-5\",\"stop_reason\":null,"
                    + "\"usage\":{\"input_tokens\":40,\"cache_creation_input_tokens\":300,"
                    + "\"cache_read_input_tokens\":2000,\"output_tokens\":1}}}"},
            {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                    + "{\"type\":\"text\",\"text\":\"\"}}"},
            {"ping", "{\"type\": \"ping\"}"},
            {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                    + "\"text_delta\",\"text\":\"Hold the \"}}"},
            {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                    + "\"text_delta\",\"text\":\"button.\"}}"},
            {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"},
            {"message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":12}}"},
            {"message_stop", "{\"type\":\"message_stop\"}"},
        };
        StringBuilder sse = new StringBuilder();
        for (String[] e : events) {
            sse.append("event: ").append(e[0]).append("\ndata: ").append(e[1]).append("\n\n");
        }
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse.toString()).build());
        try (TestGateway gw = gatewayWithClaude()) {
            List<Map.Entry<String, JsonNode>> out = TestGateway.events(messages(gw, """
                    {"model": "claude", "max_tokens": 100, "stream": true,
                     "messages": [{"role": "user", "content": "How do I reset it?"}]}""").body());

            assertThat(out).extracting(Map.Entry::getKey).containsExactly("message_start", "content_block_start",
                    "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
                    "message_stop");
            assertThat(out.get(2).getValue().at("/delta/text").asText()
                    + out.get(3).getValue().at("/delta/text").asText()).isEqualTo("Hold the button.");
            assertThat(out.get(5).getValue().path("usage")).isEqualTo(TestGateway.json("""
                    {"input_tokens":40,"cache_creation_input_tokens":300,"cache_read_input_tokens":2000,
                     "cache_creation":{"ephemeral_5m_input_tokens":300,"ephemeral_1h_input_tokens":0},
                     "output_tokens":12}"""));
            // 40 * $1 + 300 * $1.25 (five-minute write) + 2000 * $0.10 (read) + 12 * $5 per 1M tokens
            assertThat(out.get(5).getValue().at("/costwise/cost").asText()).isEqualTo("0.000675");
            assertThat(gw.records()).extracting(CostRecord::cost).containsExactly(Money.of("0.000675"));
        }
    }

    @Test
    void givenCountTokens_whenAsked_thenAnthropicModelsCountExactlyUpstreamAndOthersGetTheEstimateMarkedAsSuch()
            throws Exception {
        // https://docs.claude.com/en/api/messages-count-tokens
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"input_tokens\":2095}").build());
        upstream.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
                        + "\"tools.0.input_schema: Field required\"}}").build());
        try (TestGateway gw = gatewayWithClaude()) {
            String prompt = "\"system\": \"Be brief.\", "
                    + "\"messages\": [{\"role\": \"user\", \"content\": \"Say hello\"}]}";
            HttpResponse<String> exact = gw.post("/v1/messages/count_tokens", "{\"model\": \"claude\", " + prompt,
                    "x-api-key", MASTER);
            HttpResponse<String> estimated = gw.post("/v1/messages/count_tokens", "{\"model\": \"fast\", " + prompt,
                    "x-api-key", MASTER);
            HttpResponse<String> refused = gw.post("/v1/messages/count_tokens", "{\"model\": \"claude\", " + prompt,
                    "x-api-key", MASTER);

            assertThat(TestGateway.json(exact.body())).isEqualTo(TestGateway.json("{\"input_tokens\":2095}"));
            assertThat(exact.headers().firstValue("x-costwise-estimated")).hasValue("false");
            RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
            assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1/messages/count_tokens");
            assertThat(TestGateway.json(sent.getBody().utf8())).isEqualTo(TestGateway.json("""
                    {"model":"claude-haiku-4-5","system":"Be brief.",
                     "messages":[{"role":"user","content":[{"type":"text","text":"Say hello"}]}]}"""));
            // "Be brief.\nSay hello": 19 ASCII characters, 5 tokens; 4 per message, 3 for the reply's priming
            assertThat(TestGateway.json(estimated.body()).path("input_tokens").asLong()).isEqualTo(16);
            assertThat(estimated.headers().firstValue("x-costwise-estimated")).hasValue("true");
            assertError(refused, 400, "invalid_request_error", "Field required");
            assertThat(upstream.getRequestCount()).as("the estimate called nothing").isEqualTo(2);
            assertThat(gw.records()).as("counting bills nothing").isEmpty();
        }
    }

    @Test
    void givenAnAnthropicClient_whenItListsModels_thenTheListAndItsErrorsAreInAnthropicsShape() {
        try (TestGateway gw = gateway("")) {
            JsonNode list = TestGateway.json(gw.get("/v1/models", "x-api-key", MASTER, "anthropic-version",
                    "2023-06-01").body());
            JsonNode openAi = TestGateway.json(gw.get("/v1/models", "x-api-key", MASTER).body());
            HttpResponse<String> one = gw.get("/v1/models/fast", "x-api-key", MASTER, "anthropic-version",
                    "2023-06-01");

            // https://docs.claude.com/en/api/models-list
            assertThat(list.path("data")).contains(TestGateway.json("""
                    {"type":"model","id":"fast","display_name":"fast","created_at":"1970-01-01T00:00:00Z"}"""));
            assertThat(list.path("has_more").asBoolean(true)).isFalse();
            assertThat(list.path("first_id").asText()).isEqualTo(list.at("/data/0/id").asText());
            assertThat(list.has("object")).isFalse();
            assertThat(openAi.path("object").asText()).as("x-api-key is a key on every endpoint").isEqualTo("list");
            assertThat(TestGateway.json(one.body()).path("type").asText()).isEqualTo("model");
            assertError(gw.get("/v1/models/nope", "x-api-key", MASTER, "anthropic-version", "2023-06-01"), 404,
                    "not_found_error", "'nope' does not exist");
            assertError(gw.get("/v1/models", "anthropic-version", "2023-06-01"), 401, "authentication_error",
                    "missing API key");
        }
    }

    private static void assertError(HttpResponse<String> res, int status, String type, String message) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
        JsonNode body = TestGateway.json(res.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.at("/error/type").asText()).isEqualTo(type);
        assertThat(body.at("/error/message").asText()).contains(message);
    }

    @Test
    void givenAnExhaustedBudget_whenAMessageIsSent_thenA429RateLimitErrorSaysSoWithRetryAfter() {
        try (TestGateway gw = gateway("""
                budgets:
                  - {name: daily, scope: global, window: day, limit: "0.0001", on_exhausted: reject}
                """)) {
            HttpResponse<String> res = messages(gw, "{\"model\": \"fast\", \"max_tokens\": 1000, \"messages\": "
                    + "[{\"role\": \"user\", \"content\": \"hi\"}]}");

            assertError(res, 429, "rate_limit_error", "budget 'daily'");
            assertThat(res.headers().firstValue("retry-after")).isPresent();
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAnAnthropicModel_whenCalledThroughMessages_thenCacheBreakpointsAndCacheUsageSurviveBothTranslations()
            throws Exception {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"msg_up\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"Hold the button.\"}],"
                        + "\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":40,\"cache_creation_input_tokens\":0,"
                        + "\"cache_read_input_tokens\":2000,\"output_tokens\":10}}")
                .build());
        try (TestGateway gw = gatewayWithClaude()) {
            HttpResponse<String> res = messages(gw, """
                    {"model": "claude", "max_tokens": 100,
                     "system": [{"type": "text", "text": "You answer from the manual.",
                                 "cache_control": {"type": "ephemeral"}}],
                     "messages": [{"role": "user", "content": "How do I reset it?"}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(SentUpstream.next(upstream).path("system")).isEqualTo(TestGateway.json("""
                    [{"type":"text","text":"You answer from the manual.","cache_control":{"type":"ephemeral"}}]"""));
            assertThat(TestGateway.json(res.body()).path("usage")).isEqualTo(TestGateway.json("""
                    {"input_tokens":40,"cache_creation_input_tokens":0,"cache_read_input_tokens":2000,
                     "cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},
                     "output_tokens":10}"""));
            // 40 * $1 + 2000 * $0.10 (cache read) + 10 * $5 per 1M tokens
            assertThat(gw.records()).extracting(CostRecord::cost).containsExactly(Money.of("0.00029"));
            JsonNode spend = TestGateway.json(gw.get("/v1/spend", "x-api-key", MASTER).body());
            assertThat(spend.at("/by_model/claude/input_tokens").asLong()).isEqualTo(2040);
            assertThat(spend.at("/by_model/claude/cached_input_tokens").asLong()).isEqualTo(2000);
            assertThat(spend.at("/by_model/claude/cache_write_tokens").asLong()).isZero();
        }
    }
}
