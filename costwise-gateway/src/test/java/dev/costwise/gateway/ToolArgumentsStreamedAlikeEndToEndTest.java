package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An OpenAI-format model may write tool-call arguments that are not a JSON object ({@code [1, 2]}, a string), which
 * Anthropic's {@code tool_use.input} must be. A {@code /v1/messages} client gets the same {@code input} streamed or not
 * ({@code {"_raw_arguments": text}}), so it can send the turn back either way; arguments that are an object still
 * stream as they come. The upstream is a MockWebServer speaking OpenAI's chat API
 * (https://platform.openai.com/docs/api-reference/chat-streaming: tool-call argument deltas).
 */
class ToolArgumentsStreamedAlikeEndToEndTest {
    private static final String MASTER = "master-secret-123";
    private static final String HEAD = OpenAiFake.CHUNK_HEAD;

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: mini, provider: openai, model: gpt-4.1-mini, base_url: %s/v1}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private static MockResponse streamedCall(String... fragments) {
        StringBuilder sse = new StringBuilder(HEAD).append("[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                + "\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n");
        for (String f : fragments) {
            sse.append(HEAD).append("[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                    + "{\"arguments\":").append(TestGateway.JSON.getNodeFactory().textNode(f))
                    .append("}}]},\"finish_reason\":null}]}\n\n");
        }
        sse.append(HEAD).append("[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n")
                .append(HEAD).append("[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":5,"
                        + "\"total_tokens\":25}}\n\n")
                .append("data: [DONE]\n\n");
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse.toString()).build();
    }

    private static MockResponse wholeCall(String arguments) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": [
                   {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": %s}}]},
                   "finish_reason": "tool_calls"}],
                 "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}}"""
                .formatted(TestGateway.JSON.getNodeFactory().textNode(arguments))).build();
    }

    private static HttpResponse<String> messages(TestGateway gw, boolean stream) {
        return gw.post("/v1/messages", """
                {"model": "mini", "max_tokens": 50, "stream": %s,
                 "tools": [{"name": "f", "input_schema": {"type": "object"}}],
                 "messages": [{"role": "user", "content": "Call f"}]}""".formatted(stream),
                "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    private static List<String> inputDeltas(HttpResponse<String> res) {
        return TestGateway.events(res.body()).stream().map(Map.Entry::getValue)
                .filter(e -> "input_json_delta".equals(e.at("/delta/type").asText()))
                .map(e -> e.at("/delta/partial_json").asText()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"str\""})
    void givenArgumentsThatAreNoObject_whenStreamedOrNot_thenTheClientGetsTheSameInput(String arguments)
            throws Exception {
        upstream.enqueue(wholeCall(arguments));
        upstream.enqueue(streamedCall(arguments.substring(0, 2), arguments.substring(2)));
        try (TestGateway gw = gateway()) {
            JsonNode whole = TestGateway.json(messages(gw, false).body()).at("/content/0/input");
            String streamed = String.join("", inputDeltas(messages(gw, true)));

            assertThat(whole.path("_raw_arguments").asText()).isEqualTo(arguments);
            assertThat(TestGateway.json(streamed)).isEqualTo(whole);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {" {\"path\": ", "{\"path\": "})
    void givenArgumentsThatAreAnObject_whenStreamed_thenTheyStreamAsTheyCome(String first) {
        upstream.enqueue(streamedCall(first, "\"/tmp/a\"}"));
        try (TestGateway gw = gateway()) {
            List<String> deltas = inputDeltas(messages(gw, true));

            assertThat(deltas).containsExactly(first, "\"/tmp/a\"}");
            assertThat(TestGateway.json(deltas.stream().collect(Collectors.joining())).path("path").asText())
                    .isEqualTo("/tmp/a");
        }
    }
}
