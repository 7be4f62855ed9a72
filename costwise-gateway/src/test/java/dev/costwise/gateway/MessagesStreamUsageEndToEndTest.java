package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The usage of a {@code /v1/messages} stream, as Anthropic's SDKs read it: {@code message_start} gives the message's
 * first usage, and each {@code message_delta}'s usage, cumulative, replaces its {@code output_tokens} and, when
 * present, its {@code input_tokens}, {@code cache_creation_input_tokens} and {@code cache_read_input_tokens}
 * (https://docs.claude.com/en/docs/build-with-claude/streaming; the Python SDK's {@code accumulate_event} in
 * {@code anthropic/lib/streaming/_messages.py}), so {@code stream.get_final_message().usage} is that sum. The
 * upstreams: Anthropic, whose {@code message_start} counts the prompt and its cache reads and writes; Gemini, whose
 * every chunk carries {@code usageMetadata}
 * (https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent); and OpenAI, which reports usage
 * only in a last chunk (https://platform.openai.com/docs/api-reference/chat-streaming).
 */
class MessagesStreamUsageEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: claude, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, base_url: %1$s}
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: AIza-test,
                     price: {input: "0.30", output: "2.50"}}
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s/v1,
                     price: {input: "1", output: "2"}}
                defaults:
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private static MockResponse sse(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body).build();
    }

    private static List<Map.Entry<String, JsonNode>> streamed(TestGateway gw, String model) {
        return TestGateway.events(gw.post("/v1/messages", """
                {"model": "%s", "max_tokens": 100, "stream": true,
                 "messages": [{"role": "user", "content": "How do I reset it?"}]}""".formatted(model),
                "x-api-key", MASTER, "anthropic-version", "2023-06-01").body());
    }

    /** @return the {@code usage} of {@code message_start}'s message */
    private static JsonNode startUsage(List<Map.Entry<String, JsonNode>> events) {
        assertThat(events.getFirst().getKey()).isEqualTo("message_start");
        return events.getFirst().getValue().at("/message/usage");
    }

    /** @return the final message's usage as the Anthropic SDKs accumulate it from the events */
    private static JsonNode sdkFinalUsage(List<Map.Entry<String, JsonNode>> events) {
        ObjectNode usage = startUsage(events).deepCopy();
        for (Map.Entry<String, JsonNode> e : events) {
            if (e.getKey().equals("message_delta")) {
                JsonNode delta = e.getValue().get("usage");
                usage.set("output_tokens", delta.get("output_tokens"));
                for (String field : List.of("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")) {
                    if (delta.hasNonNull(field)) {
                        usage.set(field, delta.get(field));
                    }
                }
            }
        }
        return usage;
    }

    /** Anthropic's usage, its cache writes all of the 5-minute lifetime (Anthropic's default). */
    private static JsonNode usage(long input, long cacheWrites, long cacheReads, long output) {
        return TestGateway.json("""
                {"input_tokens": %d, "cache_creation_input_tokens": %d, "cache_read_input_tokens": %d,
                 "cache_creation": {"ephemeral_5m_input_tokens": %d, "ephemeral_1h_input_tokens": 0},
                 "output_tokens": %d}""".formatted(input, cacheWrites, cacheReads, cacheWrites, output));
    }

    private static String anthropicEvent(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }

    @Test
    void givenAnAnthropicModel_whenStreamed_thenMessageStartCarriesItsPromptAndTheFinalMessageTheWholeUsage() {
        upstream.enqueue(sse(anthropicEvent("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":"
                + "\"msg_up\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":"
                + "\"claude-haiku-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":40,"
                + "\"cache_creation_input_tokens\":300,\"cache_read_input_tokens\":2000,\"output_tokens\":1}}}")
                + anthropicEvent("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + anthropicEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hold the button.\"}}")
                + anthropicEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + anthropicEvent("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":12}}")
                + anthropicEvent("message_stop", "{\"type\":\"message_stop\"}")));
        try (TestGateway gw = gateway()) {
            List<Map.Entry<String, JsonNode>> events = streamed(gw, "claude");

            // the prompt, its cache writes and reads, as Anthropic's own message_start counted them; the output
            // comes in message_delta
            assertThat(startUsage(events)).isEqualTo(usage(40, 300, 2000, 0));
            assertThat(sdkFinalUsage(events)).isEqualTo(usage(40, 300, 2000, 12));
        }
    }

    @Test
    void givenAGeminiModel_whenStreamed_thenMessageStartCarriesThePromptItReportedWithItsFirstChunk() {
        upstream.enqueue(sse("""
                data: {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hold"}]}, "index": 0}], \
                "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 1, "totalTokenCount": 1001}, \
                "modelVersion": "gemini-2.5-flash", "responseId": "resp-s1"}

                data: {"candidates": [{"content": {"role": "model", "parts": [{"text": " the button."}]}, \
                "finishReason": "STOP", "index": 0}], \
                "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 5, "totalTokenCount": 1005}, \
                "modelVersion": "gemini-2.5-flash", "responseId": "resp-s1"}

                """));
        try (TestGateway gw = gateway()) {
            List<Map.Entry<String, JsonNode>> events = streamed(gw, "flash");

            assertThat(startUsage(events)).isEqualTo(usage(1000, 0, 0, 0));
            assertThat(sdkFinalUsage(events)).isEqualTo(usage(1000, 0, 0, 5));
        }
    }

    @Test
    void givenAnOpenAiModel_whenStreamed_thenTheFinalMessageTakesItsInputFromMessageDelta() {
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", "Hold", " the", " button."));
        try (TestGateway gw = gateway()) {
            List<Map.Entry<String, JsonNode>> events = streamed(gw, "mini");

            // OpenAI has counted nothing when the stream starts: its usage comes last, in message_delta
            assertThat(startUsage(events)).isEqualTo(usage(0, 0, 0, 0));
            assertThat(sdkFinalUsage(events)).isEqualTo(usage(12, 0, 0, 3));
        }
    }
}
