package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * US-only inference through the gateway: a caller's {@code inference_geo} reaches Anthropic models (and no other
 * provider), and the answer's {@code usage.inference_geo} bills every token at 1.1× on the models Anthropic charges it
 * on. The upstreams are MockWebServers speaking Anthropic's Messages API
 * (https://platform.claude.com/docs/en/manage-claude/data-residency: the request's {@code inference_geo}, the usage's
 * {@code inference_geo}) and OpenAI's chat API.
 */
class AnthropicInferenceGeoEndToEndTest {
    private static final String MASTER = "master-secret-123";
    /** Opus 4.6 per 1M: 1000 × $5 + 2000 × $6.25 + 4000 × $0.50 + 500 × $25 = 32,000 µ$; × 1.1 = 35,200 µ$. */
    private static final Money US_COST = Money.of("0.0352");
    private static final String USAGE = "\"input_tokens\":1000,\"cache_creation_input_tokens\":2000,"
            + "\"cache_read_input_tokens\":4000";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: opus, provider: anthropic, model: claude-opus-4-6, api_key: sk-ant-test, base_url: %1$s}
                  - {name: priced-opus, provider: anthropic, model: claude-opus-4-6, api_key: sk-ant-test,
                     base_url: %1$s, price: {input: "5", output: "25"}}
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s/v1}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private void anthropicAnswers(String geo) {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-opus-4-6\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null,\"usage\":{" + USAGE + ",\"output_tokens\":500,"
                        + "\"inference_geo\":\"" + geo + "\"}}")
                .build());
    }

    private static HttpResponse<String> messages(TestGateway gw, String model, String extra) {
        return gw.post("/v1/messages", "{\"model\": \"" + model + "\", \"max_tokens\": 1000" + extra
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"Summarise the filing\"}]}",
                "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    private JsonNode sentUpstream() throws InterruptedException {
        RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent).isNotNull();
        return TestGateway.json(sent.getBody().utf8());
    }

    @Test
    void givenUsOnlyInferenceOnMessages_whenOpus46Answers_thenItRunsInTheUsAndIsBilledAt1point1Times()
            throws Exception {
        anthropicAnswers("us");
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "opus", ", \"inference_geo\": \"us\"");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(sentUpstream().path("inference_geo").asText()).isEqualTo("us");
            assertThat(TestGateway.json(res.body()).at("/usage/inference_geo").asText()).isEqualTo("us");
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue(US_COST.toString());
            assertThat(gw.records()).singleElement().satisfies(r -> {
                assertThat(r.cost()).isEqualTo(US_COST);
                assertThat(r.usage().inferenceGeo()).contains("us");
            });
        }
    }

    @Test
    void givenUsOnlyInferenceStreamedOnMessages_whenMessageStartNamesIt_thenTheStreamIsBilledAt1point1Times() {
        upstream.enqueue(AnthropicFake.okStream("claude-opus-4-6", USAGE + ",\"output_tokens\":1,"
                + "\"inference_geo\":\"us\"", "\"output_tokens\":500"));
        try (TestGateway gw = gateway()) {
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(
                    messages(gw, "opus", ", \"stream\": true, \"inference_geo\": \"us\"").body());

            JsonNode delta = events.stream().filter(e -> e.getKey().equals("message_delta")).findFirst()
                    .orElseThrow().getValue();
            assertThat(delta.at("/usage/inference_geo").asText()).isEqualTo("us");
            assertThat(Money.of(delta.at("/costwise/cost").asText())).isEqualTo(US_COST);
            assertThat(gw.records()).extracting(CostRecord::cost).containsExactly(US_COST);
        }
    }

    @Test
    void givenAConfiguredPrice_whenUsOnlyInferenceAnswers_thenTheCatalogsMultiplierStillApplies() {
        anthropicAnswers("us");
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "priced-opus", "inference_geo": "us",
                     "messages": [{"role": "user", "content": "Summarise the filing"}]}""",
                    "Authorization", "Bearer " + MASTER);

            // the configured $5 / $25 and Anthropic's cache multipliers of it (0.1×, 1.25×), then × 1.1
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue(US_COST.toString());
        }
    }

    @Test
    void givenInferenceGeo_whenTheModelIsNotAnthropics_thenItIsNotSent() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 20, 1));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "mini", "inference_geo": "us",
                     "messages": [{"role": "user", "content": "Summarise the filing"}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(sentUpstream().has("inference_geo")).isFalse();
            assertThat(gw.records()).singleElement().satisfies(r -> assertThat(r.usage().inferenceGeo())
                    .isEqualTo(Optional.empty()));
        }
    }

    @Test
    void givenAnInferenceGeoThatIsNotAName_whenSent_thenA400NamesTheFieldAndNothingIsCalled() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "opus", ", \"inference_geo\": 1");

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(res.body()).contains("inference_geo");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }
}
