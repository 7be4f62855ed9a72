package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A Gemini stream that fails part-way is ledgered with the usage Gemini had already reported: every chunk of
 * {@code streamGenerateContent?alt=sse} carries {@code usageMetadata}
 * (https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent), so the prompt Gemini bills is
 * known from the first chunk on, and the gateway's own estimate of the prompt is not what is billed.
 */
class GeminiStreamFailuresEndToEndTest {

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    /** The first chunk: a little text, 1,000 prompt tokens and one output token reported. */
    private static final String FIRST_CHUNK = """
            data: {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hel"}]}, "index": 0}], \
            "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 1, "totalTokenCount": 1001}, \
            "modelVersion": "gemini-2.5-flash", "responseId": "resp-s1"}

            """;

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %s, api_key: AIza-test,
                     price: {input: "0.30", output: "2.50"}}
                defaults:
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    private static MockResponse sse(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body).build();
    }

    private static String ask() {
        return "{\"model\":\"flash\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
    }

    /** The one ledger row: failed, billed on the 1,000 prompt tokens and one output token Gemini reported. */
    private static void assertBilledAsReported(TestGateway gw) {
        CostRecord row = gw.records().getFirst();
        assertThat(gw.records()).hasSize(1);
        assertThat(row.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(row.usage()).isEqualTo(new Usage(1000, 0, 0, 1, 0, false));
        assertThat(row.cost()).isEqualTo(Money.of("0.0003025")); // 1,000 x $0.30/M + 1 x $2.50/M
    }

    @Test
    void givenAnErrorInTheStreamAfterAChunkWithUsage_whenStreamed_thenTheLedgerBillsTheReportedUsage() {
        upstream.enqueue(sse(FIRST_CHUNK + """
                data: {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}

                """));
        try (TestGateway gw = gateway()) {
            List<JsonNode> chunks = TestGateway.dataChunks(gw.post("/v1/chat/completions", ask()).body());

            assertThat(chunks.getLast().at("/error/code").asText()).isEqualTo("upstream_overloaded");
            assertBilledAsReported(gw);
        }
    }

    @Test
    void givenAStreamThatEndsWithoutAFinishReason_whenStreamed_thenTheLedgerBillsTheReportedUsage() {
        upstream.enqueue(sse(FIRST_CHUNK));
        try (TestGateway gw = gateway()) {
            List<JsonNode> chunks = TestGateway.dataChunks(gw.post("/v1/chat/completions", ask()).body());

            assertThat(chunks.getLast().at("/error/code").asText()).isEqualTo("upstream_unreachable");
            assertBilledAsReported(gw);
        }
    }

    @Test
    void givenAStreamWhoseToolCallFailsBeforeAnyOutput_whenTheRetryAnswers_thenTheFailureIsBilledItsReportedUsage() {
        upstream.enqueue(sse("""
                data: {"candidates": [{"content": {}, "finishReason": "MALFORMED_FUNCTION_CALL", "index": 0}], \
                "usageMetadata": {"promptTokenCount": 9056, "totalTokenCount": 9056}, \
                "modelVersion": "gemini-2.5-flash", "responseId": "resp-f1"}

                """));
        upstream.enqueue(sse("""
                data: {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hello"}]}, \
                "finishReason": "STOP", "index": 0}], \
                "usageMetadata": {"promptTokenCount": 9056, "candidatesTokenCount": 2, "totalTokenCount": 9058}, \
                "modelVersion": "gemini-2.5-flash", "responseId": "resp-f2"}

                """));
        try (TestGateway gw = gateway()) {
            List<JsonNode> chunks = TestGateway.dataChunks(gw.post("/v1/chat/completions", "{\"model\":\"flash\","
                    + "\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}").body());

            List<CostRecord> rows = gw.records();
            assertThat(rows).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
            Money failed = Money.of("0.0027168"); // 9,056 x $0.30/M, read ahead before the caller got anything
            assertThat(rows.getFirst().cost()).isEqualTo(failed);
            Money answered = Money.of("0.0027218"); // and 2 x $2.50/M
            assertThat(rows.get(1).cost()).isEqualTo(answered);
            assertThat(Money.of(chunks.getLast().at("/costwise/cost").asText())).isEqualTo(failed.plus(answered));
        }
    }
}
