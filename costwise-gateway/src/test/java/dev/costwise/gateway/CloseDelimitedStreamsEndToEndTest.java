package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Streams whose body ends where the upstream closes the connection: HTTP/1.1 with {@code Connection: close} and
 * neither Content-Length nor Transfer-Encoding (RFC 9112, section 6.3), as proxies that strip chunking send them. The
 * close ends the body; whether the answer is whole is the provider's protocol to say (Gemini: a candidate with a
 * {@code finishReason}, https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent; OpenAI:
 * {@code [DONE]}).
 */
class CloseDelimitedStreamsEndToEndTest {

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream);
        return TestGateway.of("""
                models:
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: AIza-test,
                     price: {input: "0.30", output: "2.50"}}
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %1$s/v1,
                     price: {input: "1.00", output: "2.00"}}
                defaults:
                  cache: {enabled: false}
                """.formatted(base));
    }

    private static MockResponse closeDelimited(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body)
                .removeHeader("Content-Length").setHeader("Connection", "close")
                .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build();
    }

    private static String ask(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Capital of France?\"}]}";
    }

    @Test
    void givenAGeminiStreamEndedByClosingTheConnection_whenStreamed_thenItEndsWithItsUsageAndIsLedgeredAsASuccess() {
        upstream.enqueue(closeDelimited("""
                data: {"candidates": [{"content": {"parts": [{"text": "Paris"}], "role": "model"}, "index": 0}], \
                "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8}, "modelVersion": "gemini-2.5-flash"}

                data: {"candidates": [{"content": {"parts": [{"text": "."}], "role": "model"}, \
                "finishReason": "STOP", "index": 0}], "usageMetadata": {"promptTokenCount": 8, \
                "candidatesTokenCount": 2, "totalTokenCount": 10}, "modelVersion": "gemini-2.5-flash"}

                """));
        try (TestGateway gw = gateway()) {
            String body = gw.post("/v1/chat/completions", ask("flash")).body();

            List<JsonNode> chunks = TestGateway.dataChunks(body);
            assertThat(chunks).noneMatch(c -> c.has("error"));
            assertThat(chunks.getLast().at("/usage/prompt_tokens").asInt()).isEqualTo(8);
            assertThat(chunks.getLast().at("/usage/completion_tokens").asInt()).isEqualTo(2);
            assertThat(body.strip()).endsWith("data: [DONE]");
            assertThat(gw.records()).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.SUCCESS);
        }
    }

    @Test
    void givenAGeminiStreamClosedBeforeAFinishReason_whenStreamed_thenTheErrorSaysSoInPlainWords() {
        upstream.enqueue(closeDelimited("""
                data: {"candidates": [{"content": {"parts": [{"text": "Paris"}], "role": "model"}, "index": 0}], \
                "modelVersion": "gemini-2.5-flash"}

                """));
        try (TestGateway gw = gateway()) {
            List<JsonNode> chunks = TestGateway.dataChunks(gw.post("/v1/chat/completions", ask("flash")).body());

            JsonNode error = chunks.getLast().path("error");
            assertThat(error.path("code").asText()).isEqualTo("upstream_unreachable");
            assertThat(error.path("message").asText()).contains("finishReason").doesNotContain("Exception");
            assertThat(gw.records()).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.FAILED);
        }
    }

    @Test
    void givenAnOpenAiStreamEndedByClosingTheConnection_whenStreamed_thenDoneEndsItAndNoDoneIsTruncation() {
        upstream.enqueue(closeDelimited(OpenAiFake.streamText("gpt-4o-mini", "Paris", ".")));
        String cut = OpenAiFake.streamText("gpt-4o-mini", "Paris", ".");
        // cut after the first output: before it, a cut is a failed attempt that is retried, not an error event
        upstream.enqueue(closeDelimited(cut.substring(0, cut.indexOf("\n\n", cut.indexOf("Paris")) + 2)));
        try (TestGateway gw = gateway()) {
            List<JsonNode> whole = TestGateway.dataChunks(gw.post("/v1/chat/completions", ask("fast")).body());
            List<JsonNode> truncated = TestGateway.dataChunks(gw.post("/v1/chat/completions", ask("fast")).body());

            assertThat(whole).noneMatch(c -> c.has("error"));
            assertThat(whole.getLast().has("usage")).isTrue();
            JsonNode error = truncated.getLast().path("error");
            assertThat(error.path("code").asText()).isEqualTo("upstream_unreachable");
            assertThat(error.path("message").asText()).contains("ended before [DONE]");
            assertThat(gw.records()).extracting(CostRecord::outcome)
                    .containsExactly(Outcome.SUCCESS, Outcome.FAILED);
        }
    }
}
