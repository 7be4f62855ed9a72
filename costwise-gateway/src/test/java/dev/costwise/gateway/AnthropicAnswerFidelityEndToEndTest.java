package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A Claude answer reaches a Messages client as Claude gave it, whether it comes from Anthropic or from the cache,
 * streamed or not: its stop reason and stop sequence. Anthropic's API is a MockWebServer speaking
 * https://docs.claude.com/en/api/messages.
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

    private static HttpResponse<String> messages(TestGateway gw, String body) {
        return gw.post("/v1/messages", body, "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    /** Anthropic's non-streamed answer with these content blocks, stop reason and stop sequence. */
    private static MockResponse anthropic(String content, String stopReason, String stopSequence) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
                 "content": %s, "stop_reason": "%s", "stop_sequence": %s,
                 "usage": {"input_tokens": 40, "output_tokens": 12}}""".formatted(content, stopReason,
                stopSequence == null ? "null" : "\"" + stopSequence + "\"")).build();
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
}
