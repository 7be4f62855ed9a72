package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * An Anthropic stream that reports its prompt's usage in {@code message_start} and then fails with an {@code error}
 * event before any text (https://docs.claude.com/en/docs/build-with-claude/streaming#error-events) is billed that
 * usage, and measured against the baseline as any billed attempt is; the error the caller gets says what it cost
 * ({@code x-costwise-cost} and the {@code costwise} object of a stream's error event).
 */
class BilledFailureBeforeOutputEndToEndTest {
    private static final String MASTER = "master-secret-123";
    /** message_start's usage: 20 × $1/M + 1 × $5/M. */
    private static final Money BILLED = Money.of("0.000025");

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    /** Claude Haiku 4.5 and Sonnet 4.5; {@code measured} is Haiku measured against Sonnet; no cache, no retries. */
    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: haiku, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, base_url: %1$s,
                     price: {input: "1", output: "5"}}
                  - {name: sonnet, provider: anthropic, model: claude-sonnet-4-6, api_key: sk-ant-test,
                     base_url: %1$s, price: {input: "3", output: "15"}}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                pipelines:
                  measured:
                    default_route: haiku
                    baseline: sonnet
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    /** message_start with usage, then Anthropic's overloaded error event, before any content block. */
    static MockResponse overloadedAfterMessageStart() {
        return AnthropicFake.events(
                "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-haiku-4-5\","
                        + "\"stop_reason\":null,\"stop_sequence\":null,"
                        + "\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}",
                "error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    }

    private static String streamed(String model) {
        return "{\"model\": \"" + model + "\", \"stream\": true,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}";
    }

    @Test
    void givenAFailureBeforeTheFirstOutput_whenNoBaselineIsConfigured_thenItsBaselineIsItsCostAndSavesNothing() {
        upstream.enqueue(overloadedAfterMessageStart());
        try (TestGateway gw = gateway()) {
            int status = gw.post("/v1/chat/completions", streamed("haiku"), "Authorization", "Bearer " + MASTER)
                    .statusCode();

            assertThat(status).isEqualTo(503);
            CostRecord row = gw.records().getFirst();
            assertThat(row.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(row.cost()).isEqualTo(BILLED);
            assertThat(row.baselineCost()).as("as a failure mid-stream is measured").isEqualTo(BILLED);
            JsonNode spend = TestGateway.json(gw.get("/v1/spend", "Authorization", "Bearer " + MASTER).body());
            assertThat(Money.of(spend.at("/total/savings").asText()).isZero()).as(spend.toString()).isTrue();
        }
    }

    @Test
    void givenAFailureBeforeTheFirstOutput_whenThePipelineHasABaseline_thenItsBaselineIsItsTokensOnThatModel() {
        upstream.enqueue(overloadedAfterMessageStart());
        try (TestGateway gw = gateway()) {
            gw.post("/v1/chat/completions", streamed("measured"), "Authorization", "Bearer " + MASTER);

            CostRecord row = gw.records().getFirst();
            assertThat(row.cost()).isEqualTo(BILLED);
            // 20 × $3/M + 1 × $15/M
            assertThat(row.baselineCost()).isEqualTo(Money.of("0.000075"));
        }
    }

    @Test
    void givenAFailureBeforeTheFirstOutput_whenTheChatStreamEndsInAnError_thenTheErrorSaysWhatItCost() {
        upstream.enqueue(overloadedAfterMessageStart());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", streamed("haiku"),
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(503);
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue(BILLED.toString());
            JsonNode body = TestGateway.json(res.body());
            assertThat(body.at("/error/code").asText()).isEqualTo("upstream_overloaded");
            JsonNode costwise = TestGateway.json("""
                    {"cost": "%s", "cache": "bypass", "model_used": "haiku", "route": "default"}""".formatted(BILLED));
            assertThat(body.get("costwise")).isEqualTo(costwise);
            // the OpenAI SDKs raise the error object alone: it carries the cost too
            assertThat(body.at("/error/costwise")).isEqualTo(costwise);
        }
    }

    @Test
    void givenAFailureBeforeTheFirstOutput_whenAMessagesStreamEndsInAnError_thenItsAnthropicErrorSaysWhatItCost() {
        upstream.enqueue(overloadedAfterMessageStart());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/messages", """
                    {"model": "haiku", "max_tokens": 64, "stream": true,
                     "messages": [{"role": "user", "content": "q"}]}""",
                    "x-api-key", MASTER, "anthropic-version", "2023-06-01");

            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue(BILLED.toString());
            JsonNode body = TestGateway.json(res.body());
            assertThat(body.at("/error/type").asText()).isEqualTo("overloaded_error");
            assertThat(body.at("/costwise/cost").asText()).isEqualTo(BILLED.toString());
            assertThat(body.at("/costwise/model_used").asText()).isEqualTo("haiku");
        }
    }

    @Test
    void givenAFailureItsProviderDidNotBill_whenTheRequestEndsInAnError_thenTheErrorClaimsNoCost() {
        upstream.enqueue(new MockResponse.Builder().code(529).addHeader("Content-Type", "application/json")
                .body("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}")
                .build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", streamed("haiku"),
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(503);
            assertThat(res.headers().firstValue("x-costwise-cost")).isEmpty();
            assertThat(TestGateway.json(res.body()).has("costwise")).isFalse();
        }
    }
}
