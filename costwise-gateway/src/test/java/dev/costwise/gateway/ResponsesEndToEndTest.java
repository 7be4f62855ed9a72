package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
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
 * {@code POST /v1/responses}, OpenAI's Responses API (https://platform.openai.com/docs/api-reference/responses and
 * its streaming events, https://platform.openai.com/docs/api-reference/responses-streaming), in front of an upstream
 * speaking chat completions (MockWebServer, https://platform.openai.com/docs/api-reference/chat).
 */
class ResponsesEndToEndTest {

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - name: fast
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %s
                    price: {input: "1.00", output: "2.00"}
                """.formatted(upstream.url("/v1").toString().replaceAll("/$", "")));
    }

    private JsonNode sentUpstream() throws InterruptedException {
        RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent).isNotNull();
        return TestGateway.json(sent.getBody().utf8());
    }

    private static MockResponse toolCallAnswer(String finishReason) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion\",\"created\":1741569952,\"model\":"
                        + "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + "null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
                        + "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":\""
                        + finishReason + "\"}],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":10,"
                        + "\"total_tokens\":60}}")
                .build();
    }

    @Test
    void givenInstructionsAndInput_whenAnswered_thenTheAnswerIsAResponseWithAnOutputTextAndIsBilled()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Bonjour", 30, 4));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/responses", """
                    {"model": "fast", "instructions": "Answer in French.", "input": "Say hello",
                     "max_output_tokens": 64, "temperature": 0.3, "user": "u-7", "store": true}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode response = TestGateway.json(res.body());
            assertThat(response.path("object").asText()).isEqualTo("response");
            assertThat(response.path("id").asText()).startsWith("resp_");
            assertThat(response.path("status").asText()).isEqualTo("completed");
            assertThat(response.path("store").asBoolean(false)).as("stored, as asked").isTrue();
            assertThat(response.path("output")).hasSize(1);
            JsonNode item = response.at("/output/0");
            assertThat(item.path("type").asText()).isEqualTo("message");
            assertThat(item.path("role").asText()).isEqualTo("assistant");
            assertThat(item.path("content")).isEqualTo(TestGateway.json(
                    "[{\"type\":\"output_text\",\"text\":\"Bonjour\",\"annotations\":[]}]"));
            assertThat(response.path("usage")).isEqualTo(TestGateway.json("""
                    {"input_tokens":30,"input_tokens_details":{"cached_tokens":0},"output_tokens":4,
                     "output_tokens_details":{"reasoning_tokens":0},"total_tokens":34}"""));
            assertThat(response.path("instructions").asText()).isEqualTo("Answer in French.");
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.000038");
            JsonNode sent = sentUpstream();
            assertThat(sent.path("messages")).isEqualTo(TestGateway.json("""
                    [{"role":"system","content":"Answer in French."},{"role":"user","content":"Say hello"}]"""));
            assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(64); // OpenAI's name
            assertThat(sent.path("user").asText()).isEqualTo("u-7");
            assertThat(gw.records()).singleElement().satisfies(r -> assertThat(r.cost())
                    .isEqualTo(Money.of("0.000038")));
        }
    }

    @Test
    void givenFunctionTools_whenTheModelCallsOneAndGetsItsOutput_thenFunctionCallItemsMapBothWays()
            throws Exception {
        upstream.enqueue(toolCallAnswer("tool_calls"));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "18 degrees", 70, 3));
        String tools = """
                "tools": [{"type": "function", "name": "get_weather", "description": "Current weather",
                           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                           "strict": true}],
                "tool_choice": "required\"""";
        try (TestGateway gw = gateway()) {
            JsonNode call = TestGateway.json(gw.post("/v1/responses", "{\"model\": \"fast\", " + tools
                    + ", \"input\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"}]}").body());
            HttpResponse<String> second = gw.post("/v1/responses", "{\"model\": \"fast\", " + tools
                    + ", \"input\": [{\"role\": \"user\", \"content\": [{\"type\": \"input_text\", \"text\": "
                    + "\"Weather in Paris?\"}]},"
                    + "{\"type\": \"reasoning\", \"id\": \"rs_1\", \"summary\": []},"
                    + "{\"type\": \"function_call\", \"call_id\": \"call_1\", \"name\": \"get_weather\", "
                    + "\"arguments\": \"{\\\"city\\\":\\\"Paris\\\"}\"},"
                    + "{\"type\": \"function_call_output\", \"call_id\": \"call_1\", \"output\": \"18C\"}]}");

            assertThat(call.path("output")).isEqualTo(TestGateway.json("""
                    [{"type":"function_call","id":"fc_call_1","call_id":"call_1","name":"get_weather",
                      "arguments":"{\\"city\\":\\"Paris\\"}","status":"completed"}]"""));
            JsonNode firstSent = sentUpstream();
            assertThat(firstSent.path("tools")).isEqualTo(TestGateway.json("""
                    [{"type":"function","function":{"name":"get_weather","description":"Current weather",
                      "parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}}]"""));
            assertThat(firstSent.path("tool_choice").asText()).isEqualTo("required");
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
            assertThat(sentUpstream().path("messages")).isEqualTo(TestGateway.json("""
                    [{"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},
                     {"role":"assistant","content":null,
                      "tool_calls":[{"id":"call_1","type":"function",
                                     "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                     {"role":"tool","tool_call_id":"call_1","content":"18C"}]"""));
        }
    }

    @Test
    void givenAJsonSchemaFormatAndAnAnswerCutByTheLimit_whenAnswered_thenTheFormatGoesUpAndTheResponseIsIncomplete()
            throws Exception {
        upstream.enqueue(toolCallAnswer("length"));
        try (TestGateway gw = gateway()) {
            JsonNode response = TestGateway.json(gw.post("/v1/responses", """
                    {"model": "fast", "input": "List cities", "max_output_tokens": 10,
                     "text": {"format": {"type": "json_schema", "name": "cities", "strict": true,
                                         "schema": {"type": "object"}}}}""").body());

            assertThat(response.path("status").asText()).isEqualTo("incomplete");
            assertThat(response.at("/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
            assertThat(sentUpstream().path("response_format")).isEqualTo(TestGateway.json("""
                    {"type":"json_schema",
                     "json_schema":{"name":"cities","schema":{"type":"object"},"strict":true}}"""));
        }
    }

    @Test
    void givenAStream_whenTextStreams_thenTheEventsAreTheResponsesApisInSequenceAndTheUsageAndCostComeLast() {
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", "Hel", "lo"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/responses", """
                    {"model": "fast", "input": "Say hello", "stream": true}""");

            List<Map.Entry<String, JsonNode>> events = TestGateway.events(res.body());
            assertThat(events).extracting(Map.Entry::getKey).containsExactly("response.created",
                    "response.in_progress", "response.output_item.added", "response.content_part.added",
                    "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
                    "response.content_part.done", "response.output_item.done", "response.completed");
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).getValue().path("type").asText()).isEqualTo(events.get(i).getKey());
                assertThat(events.get(i).getValue().path("sequence_number").asInt()).isEqualTo(i);
            }
            assertThat(events.get(0).getValue().at("/response/status").asText()).isEqualTo("in_progress");
            assertThat(events.get(4).getValue().path("delta").asText()).isEqualTo("Hel");
            assertThat(events.get(6).getValue().path("text").asText()).isEqualTo("Hello");
            JsonNode done = events.get(9).getValue().path("response");
            assertThat(done.path("status").asText()).isEqualTo("completed");
            assertThat(done.at("/output/0/content/0/text").asText()).isEqualTo("Hello");
            assertThat(done.at("/usage/input_tokens").asInt()).isEqualTo(12);
            assertThat(done.at("/usage/output_tokens").asInt()).isEqualTo(2);
            // 12 * $1 + 2 * $2 per 1M tokens
            assertThat(done.at("/costwise/cost").asText()).isEqualTo("0.000016");
            assertThat(gw.records()).singleElement().satisfies(r -> assertThat(r.cost())
                    .isEqualTo(Money.of("0.000016")));
        }
    }

    @Test
    void givenAStreamCutAfterSomeText_whenStreamed_thenResponseFailedHoldsThePartialItemAsIncomplete() {
        String whole = OpenAiFake.streamText("gpt-4o-mini", "Hel", "lo");
        String cut = whole.substring(0, whole.indexOf("lo\""));
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(cut.substring(0, cut.lastIndexOf("data: "))).build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/responses", """
                    {"model": "fast", "input": "Say hello", "stream": true}""");

            List<Map.Entry<String, JsonNode>> events = TestGateway.events(res.body());
            assertThat(events.getLast().getKey()).isEqualTo("response.failed");
            JsonNode failed = events.getLast().getValue().path("response");
            assertThat(failed.path("status").asText()).isEqualTo("failed");
            assertThat(failed.path("output")).singleElement().satisfies(item -> {
                assertThat(item.path("type").asText()).isEqualTo("message");
                assertThat(item.path("status").asText()).isEqualTo("incomplete");
                assertThat(item.at("/content/0/text").asText()).isEqualTo("Hel");
            });
        }
    }

    @Test
    void givenAStreamedToolCall_whenStreamed_thenItIsAFunctionCallItemFedByArgumentDeltas() {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(OpenAiFake.CHUNK_HEAD + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
                        + "\"tool_calls\":[{"
                        + "\"index\":0,\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"lookup\","
                        + "\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
                        + OpenAiFake.CHUNK_HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                        + "{\"arguments\":\"{\\\"q\\\":\"}}]},\"finish_reason\":null}]}\n\n"
                        + OpenAiFake.CHUNK_HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                        + "{\"arguments\":\"\\\"x\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
                        + OpenAiFake.CHUNK_HEAD + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
                        + OpenAiFake.CHUNK_HEAD + "[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":8,"
                        + "\"total_tokens\":28}}\n\ndata: [DONE]\n\n")
                .build());
        try (TestGateway gw = gateway()) {
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(gw.post("/v1/responses", """
                    {"model": "fast", "stream": true, "input": "Look up x",
                     "tools": [{"type": "function", "name": "lookup", "parameters": {"type": "object"}}]}""")
                    .body());

            assertThat(events).extracting(Map.Entry::getKey).containsExactly("response.created",
                    "response.in_progress", "response.output_item.added", "response.function_call_arguments.delta",
                    "response.function_call_arguments.delta", "response.function_call_arguments.done",
                    "response.output_item.done", "response.completed");
            assertThat(events.get(2).getValue().path("item")).isEqualTo(TestGateway.json("""
                    {"type":"function_call","id":"fc_call_9","call_id":"call_9","name":"lookup","arguments":"",
                     "status":"in_progress"}"""));
            assertThat(events.get(5).getValue().path("arguments").asText()).isEqualTo("{\"q\":\"x\"}");
            assertThat(events.get(7).getValue().at("/response/output/0/arguments").asText())
                    .isEqualTo("{\"q\":\"x\"}");
        }
    }

    @Test
    void givenWhatTheGatewayCannotServe_whenSent_thenA400InOpenAisShapeNamesTheFieldAndNothingIsCalled() {
        try (TestGateway gw = gateway()) {
            assertError(gw.post("/v1/responses", "{\"model\": \"fast\", \"input\": \"hi\", "
                    + "\"previous_response_id\": \"resp_1\"}"), "previous_response_id", "no stored response 'resp_1'");
            assertError(gw.post("/v1/responses", "{\"model\": \"fast\", \"input\": \"hi\", "
                    + "\"tools\": [{\"type\": \"web_search\"}]}"), "tools[0].type", "built-in tool 'web_search'");
            assertError(gw.post("/v1/responses", "{\"model\": \"fast\", \"input\": [{\"type\": \"input_file\", "
                    + "\"file_id\": \"f\"}]}"), "input[0].type", "unsupported item type 'input_file'");
            assertError(gw.post("/v1/responses", "{\"model\": \"fast\", \"input\": \"hi\", \"max_output_tokens\": 0}"),
                    "max_output_tokens", "expected a whole number from 1 to 2147483647, was 0");
            assertError(gw.post("/v1/responses", "{\"model\": \"fast\"}"), "input", "is required");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    private static void assertError(HttpResponse<String> res, String param, String message) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
        JsonNode error = TestGateway.json(res.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("message").asText()).contains(param + ": ").contains(message);
    }
}
