package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A stream that fails after it started tells the client what the request cost, as a finished stream's usage chunk
 * does: the event that ends it carries the {@code costwise} object (every attempt billed so far, this one's partial
 * usage included) and the usage its provider reported before it broke, on {@code /v1/chat/completions} (beside the
 * {@code error}), {@code /v1/messages} (Anthropic's {@code error} event) and {@code /v1/responses} (the
 * {@code response.failed} response). The providers are OpenRouter, whose error event carries the usage of the
 * generation it failed ({@link OpenRouterFake}), and OpenAI, which reports usage only at
 * the end of a stream (https://platform.openai.com/docs/api-reference/chat-streaming).
 */
class MidStreamFailureCostEndToEndTest {
    private static final String MASTER = "master-secret-123";
    /** The first model's failure before any output: 1,000 × $0.15/M + 200 × $0.60/M. */
    private static final Money FIRST = Money.of("0.00027");
    /** The fallback's failure mid-stream: 1,000 × $0.05/M + 50 × $0.08/M. */
    private static final Money SECOND = Money.of("0.000054");

    @StartStop
    final MockWebServer first = new MockWebServer();
    @StartStop
    final MockWebServer second = new MockWebServer();

    /** Two OpenRouter models, the second the first's fallback, and an OpenAI one; no cache, no retries. */
    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: first, provider: openrouter, model: openai/gpt-4o-mini, api_key_env: TEST_KEY,
                     base_url: %1$s/api/v1, price: {input: "0.15", output: "0.60"}}
                  - {name: second, provider: openrouter, model: meta-llama/llama-3.1-8b-instruct,
                     api_key_env: TEST_KEY, base_url: %2$s/api/v1, price: {input: "0.05", output: "0.08"}}
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %2$s/v1,
                     price: {input: "1", output: "2"}}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                pipelines:
                  first:
                    fallbacks: [second]
                """.formatted(TestGateway.baseUrl(first), TestGateway.baseUrl(second)),
                Map.of("MASTER", MASTER, "TEST_KEY", "sk-upstream-secret"));
    }

    /** The first model fails billed before its first output; its fallback fails billed after two chunks. */
    private void bothFailBilled() {
        first.enqueue(OpenRouterFake.streamFailing(1000, 200));
        second.enqueue(OpenRouterFake.streamFailing(1000, 50, "Hel", "lo"));
    }

    /** @return the last of a stream's named events: its type and its data */
    private static Map.Entry<String, JsonNode> lastEvent(String sse) {
        return TestGateway.events(sse).getLast();
    }

    /** The ledger's two failed rows, whose costs are what the request cost. */
    private static void assertLedgered(TestGateway gw) {
        assertThat(gw.records()).extracting(r -> r.usedModel() + " " + r.outcome() + " " + r.errorKind().orElse("-"))
                .containsExactly("first FAILED server_error", "second FAILED server_error");
        assertThat(gw.records()).extracting(CostRecord::cost).containsExactly(FIRST, SECOND);
    }

    @Test
    void givenAChatStreamThatFailsMidWay_whenStreamed_thenItsErrorEventCarriesTheUsageAndTheCostOfEveryAttempt() {
        bothFailBilled();
        try (TestGateway gw = gateway()) {
            String sse = gw.post("/v1/chat/completions", """
                    {"model": "first", "stream": true, "messages": [{"role": "user", "content": "q"}]}""",
                    "Authorization", "Bearer " + MASTER).body();

            List<JsonNode> chunks = TestGateway.dataChunks(sse);
            assertThat(sse).endsWith("data: [DONE]\n\n");
            JsonNode last = chunks.getLast();
            assertThat(last.at("/error/code").asText()).isEqualTo("upstream_error");
            assertThat(last.at("/usage/prompt_tokens").asLong()).isEqualTo(1000);
            assertThat(last.at("/usage/completion_tokens").asLong()).isEqualTo(50);
            assertThat(last.at("/usage/total_tokens").asLong()).isEqualTo(1050);
            assertThat(last.get("costwise")).isEqualTo(TestGateway.json("""
                    {"cost": "%s", "cache": "bypass", "model_used": "second", "route": "default"}"""
                    .formatted(FIRST.plus(SECOND))));
            // the OpenAI SDKs raise the error object alone: it carries the cost too
            assertThat(last.at("/error/costwise")).isEqualTo(last.get("costwise"));
            assertLedgered(gw);
        }
    }

    @Test
    void givenAMessagesStreamThatFailsMidWay_whenStreamed_thenItsErrorEventCarriesTheUsageAndTheCost() {
        bothFailBilled();
        try (TestGateway gw = gateway()) {
            Map.Entry<String, JsonNode> last = lastEvent(gw.post("/v1/messages", """
                    {"model": "first", "max_tokens": 64, "stream": true,
                     "messages": [{"role": "user", "content": "q"}]}""",
                    "x-api-key", MASTER, "anthropic-version", "2023-06-01").body());

            assertThat(last.getKey()).isEqualTo("error");
            JsonNode error = last.getValue();
            assertThat(error.at("/error/type").asText()).isEqualTo("api_error");
            assertThat(error.get("usage")).isEqualTo(TestGateway.json("""
                    {"input_tokens": 1000, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                     "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
                     "output_tokens": 50}"""));
            assertThat(error.at("/costwise/cost").asText()).isEqualTo(FIRST.plus(SECOND).toString());
            assertThat(error.at("/costwise/model_used").asText()).isEqualTo("second");
            assertLedgered(gw);
        }
    }

    @Test
    void givenAResponsesStreamThatFailsMidWay_whenStreamed_thenItsFailedResponseCarriesTheUsageAndTheCost() {
        bothFailBilled();
        try (TestGateway gw = gateway()) {
            Map.Entry<String, JsonNode> last = lastEvent(gw.post("/v1/responses", """
                    {"model": "first", "stream": true, "input": "q"}""", "Authorization", "Bearer " + MASTER).body());

            assertThat(last.getKey()).isEqualTo("response.failed");
            JsonNode response = last.getValue().get("response");
            assertThat(response.path("status").asText()).isEqualTo("failed");
            assertThat(response.at("/error/code").asText()).isEqualTo("upstream_error");
            assertThat(response.at("/output/0/content/0/text").asText()).isEqualTo("Hello");
            // the Responses usage shape (https://platform.openai.com/docs/api-reference/responses/object#usage)
            assertThat(response.get("usage")).isEqualTo(TestGateway.json("""
                    {"input_tokens": 1000, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 50,
                     "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 1050}"""));
            assertThat(response.at("/costwise/cost").asText()).isEqualTo(FIRST.plus(SECOND).toString());
            assertLedgered(gw);
        }
    }

    @Test
    void givenAStreamThatBreaksBeforeItsProviderReportedUsage_whenStreamed_thenItsErrorEventCarriesTheEstimate() {
        // OpenAI reports usage only in the last chunk: the connection drops after one content chunk
        second.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(OpenAiFake.CHUNK_HEAD + "[{\"index\":0,\"delta\":{\"content\":\"Hel\"},"
                        + "\"finish_reason\":null}]}\n\n")
                .build());
        try (TestGateway gw = gateway()) {
            String sse = gw.post("/v1/chat/completions", """
                    {"model": "mini", "stream": true, "messages": [{"role": "user", "content": "q"}]}""",
                    "Authorization", "Bearer " + MASTER).body();

            JsonNode last = TestGateway.dataChunks(sse).getLast();
            assertThat(last.at("/error/code").asText()).isEqualTo("upstream_unreachable");
            assertThat(last.has("usage")).as("no usage was reported").isFalse();
            CostRecord row = gw.records().getFirst();
            assertThat(row.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(row.usage().estimated()).isTrue();
            assertThat(row.cost().isZero()).isFalse();
            assertThat(last.get("costwise")).isEqualTo(TestGateway.json("""
                    {"cost": "%s", "cache": "bypass", "model_used": "mini", "route": "default", "estimated": true}"""
                    .formatted(row.cost())));
        }
    }
}
