package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A pipeline's {@code timeout} is, for a stream, the longest wait between chunks, for the native Anthropic and Gemini
 * adapters as for an OpenAI-format provider: an answer that keeps streaming for longer than the timeout is relayed
 * whole, and only a stall longer than it fails the attempt as a timeout. Streams are in Anthropic's documented SSE
 * events (https://docs.claude.com/en/docs/build-with-claude/streaming) and Gemini's
 * {@code streamGenerateContent?alt=sse} chunks (https://ai.google.dev/api/generate-content).
 */
class NativeStreamTimeoutEndToEndTest {
    private static final int WORDS = 25;

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway(String provider, String model) {
        return TestGateway.of("""
                models:
                  - {name: native, provider: %s, model: %s, base_url: %s, api_key: sk-test,
                     price: {input: "1.00", output: "2.00"}}
                pipelines:
                  native:
                    retry: {max_retries: 0}
                    timeout: 1s
                    cache: {enabled: false}
                """.formatted(provider, model, TestGateway.baseUrl(upstream)));
    }

    private static String ask() {
        return "{\"model\":\"native\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private static String anthropicStream() {
        StringBuilder sse = new StringBuilder(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":"
                + "\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":"
                + "\"claude-sonnet-4-5\",\"stop_reason\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}"))
                .append(event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
        for (int i = 0; i < WORDS; i++) {
            sse.append(event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"w" + i + " \"}}"));
        }
        return sse.append(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"))
                .append(event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                        + "\"usage\":{\"output_tokens\":" + (2 * WORDS) + "}}"))
                .append(event("message_stop", "{\"type\":\"message_stop\"}")).toString();
    }

    private static String geminiStream() {
        StringBuilder sse = new StringBuilder();
        for (int i = 0; i < WORDS; i++) {
            String finish = i == WORDS - 1 ? ", \"finishReason\": \"STOP\"" : "";
            sse.append("data: {\"candidates\": [{\"content\": {\"role\": \"model\", \"parts\": [{\"text\": \"w")
                    .append(i).append(" \"}]}").append(finish).append(", \"index\": 0}], \"usageMetadata\": ")
                    .append("{\"promptTokenCount\": 9, \"candidatesTokenCount\": ").append(2 * (i + 1))
                    .append(", \"totalTokenCount\": ").append(9 + 2 * (i + 1))
                    .append("}, \"modelVersion\": \"gemini-2.5-flash\", \"responseId\": \"r1\"}\n\n");
        }
        return sse.toString();
    }

    private static String event(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }

    /** Sends {@code body} in {@code parts} pieces, 100 ms apart: 2.5 s in all for 25 pieces. */
    private static MockResponse trickling(String body, int parts) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body)
                .throttleBody(body.length() / parts + 1, 100, TimeUnit.MILLISECONDS).build();
    }

    /** Sends {@code body} up to {@code through} at once, the rest 4 s later. */
    private static MockResponse stallingAfter(String body, String through) {
        int opening = body.indexOf("\n\n", body.indexOf(through)) + 2;
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body)
                .throttleBody(opening, 4, TimeUnit.SECONDS).build();
    }

    private static String text(List<JsonNode> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> c.path("choices").forEach(ch -> text.append(ch.at("/delta/content").asText(""))));
        return text.toString();
    }

    private static String expectedText() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < WORDS; i++) {
            text.append('w').append(i).append(' ');
        }
        return text.toString();
    }

    private static void assertWholeAnswer(TestGateway gw) {
        List<JsonNode> chunks = TestGateway.dataChunks(gw.post("/v1/chat/completions", ask()).body());

        assertThat(chunks).noneMatch(c -> c.has("error"));
        assertThat(text(chunks)).isEqualTo(expectedText());
        assertThat(gw.records()).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.SUCCESS);
    }

    private static void assertTimedOutAfterFirstWord(TestGateway gw) {
        List<JsonNode> chunks = TestGateway.dataChunks(gw.post("/v1/chat/completions", ask()).body());

        assertThat(text(chunks)).isEqualTo("w0 ");
        assertThat(chunks.getLast().at("/error/code").asText()).isEqualTo("upstream_timeout");
        assertThat(chunks.getLast().at("/error/message").asText()).contains("read timed out after");
        CostRecord row = gw.records().getFirst();
        assertThat(row.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(row.errorKind()).hasValue("timeout");
    }

    @Test
    void givenAnAnthropicStreamThatKeepsComingPastTheTimeout_whenStreamed_thenItIsRelayedWhole() {
        String body = anthropicStream();
        upstream.enqueue(trickling(body, WORDS));
        try (TestGateway gw = gateway("anthropic", "claude-sonnet-4-5")) {
            assertWholeAnswer(gw);
        }
    }

    @Test
    void givenAGeminiStreamThatKeepsComingPastTheTimeout_whenStreamed_thenItIsRelayedWhole() {
        upstream.enqueue(trickling(geminiStream(), WORDS));
        try (TestGateway gw = gateway("gemini", "gemini-2.5-flash")) {
            assertWholeAnswer(gw);
        }
    }

    @Test
    void givenAStreamThatKeepsComingPastTheRequestDeadline_whenStreamed_thenTheDeadlineEndsIt() {
        upstream.enqueue(trickling(anthropicStream(), WORDS));
        String yaml = "server: {request_timeout: 1500ms}\n";
        try (TestGateway gw = TestGateway.of(yaml + """
                models:
                  - {name: native, provider: anthropic, model: claude-sonnet-4-5, base_url: %s, api_key: sk-test,
                     price: {input: "1.00", output: "2.00"}}
                pipelines:
                  native: {retry: {max_retries: 0}, timeout: 1s, cache: {enabled: false}}
                """.formatted(TestGateway.baseUrl(upstream)))) {
            List<JsonNode> chunks = TestGateway.dataChunks(gw.post("/v1/chat/completions", ask()).body());

            assertThat(text(chunks)).startsWith("w0 ").isNotEqualTo(expectedText());
            assertThat(chunks.getLast().at("/error/code").asText()).isEqualTo("upstream_timeout");
            assertThat(gw.records().getFirst().errorKind()).hasValue("timeout");
        }
    }

    @Test
    void givenAnAnthropicStreamThatStallsLongerThanTheTimeout_whenStreamed_thenTheAttemptTimesOut() {
        String body = anthropicStream();
        upstream.enqueue(stallingAfter(body, "w0 "));
        try (TestGateway gw = gateway("anthropic", "claude-sonnet-4-5")) {
            assertTimedOutAfterFirstWord(gw);
        }
    }

    @Test
    void givenAGeminiStreamThatStallsLongerThanTheTimeout_whenStreamed_thenTheAttemptTimesOut() {
        String body = geminiStream();
        upstream.enqueue(stallingAfter(body, "w0 "));
        try (TestGateway gw = gateway("gemini", "gemini-2.5-flash")) {
            assertTimedOutAfterFirstWord(gw);
        }
    }
}
