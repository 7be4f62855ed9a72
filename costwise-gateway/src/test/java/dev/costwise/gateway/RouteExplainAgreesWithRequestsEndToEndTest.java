package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/route/explain} tells what the same chat request gets, budgets included: a downgrade with no room
 * either is the 429 the request gets, and the output limit shown is that of the model explain names.
 */
class RouteExplainAgreesWithRequestsEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    /** premium ($100 per 1M tokens) under a $0.01 budget that downgrades to mini, at {@code miniPrice} per 1M. */
    private TestGateway gateway(String miniPrice) {
        String base = upstream.url("/v1").toString().replaceAll("/$", "");
        return new TestGateway("""
                models:
                  - name: premium
                    provider: openai
                    base_url: %1$s
                    price: {input: "100.00", output: "100.00"}
                    max_output_tokens: 4000
                  - name: mini
                    provider: openai
                    base_url: %1$s
                    price: {input: "%2$s", output: "%2$s"}
                    max_output_tokens: 50
                  - name: narrow
                    provider: openai
                    base_url: %1$s
                    price: {input: "0", output: "0"}
                    context_window: 100
                    max_output_tokens: 4000
                  - name: wide
                    provider: openai
                    base_url: %1$s
                    price: {input: "0", output: "0"}
                    max_output_tokens: 300
                pipelines:
                  narrow:
                    context_window_fallback: wide
                budgets:
                  - {name: monthly, limit: "0.01", on_exhausted: downgrade, downgrade_to: mini}
                """.formatted(base, miniPrice), Map.of());
    }

    private static String ask(String model, String extra) {
        return "{\"model\":\"" + model + "\"" + extra + ",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
    }

    @Test
    void givenADowngradeTheBudgetHasNoRoomForEither_whenExplained_thenExplainShowsTheRefusalTheRequestGets() {
        try (TestGateway gw = gateway("20.00")) { // mini's worst case at 1,000 tokens: about $0.02
            String body = ask("premium", ",\"max_tokens\":1000");
            JsonNode explained = TestGateway.json(gw.post("/v1/route/explain", body).body());
            HttpResponse<String> res = gw.post("/v1/chat/completions", body);

            assertThat(res.statusCode()).as(res.body()).isEqualTo(429);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(explained.path("route").asText()).isEqualTo("downgrade:monthly");
            assertThat(explained.path("model").asText()).isEqualTo("mini");
            JsonNode refused = explained.path("refused");
            assertThat(refused.path("status").asInt()).isEqualTo(429);
            assertThat(refused.path("code").asText()).isEqualTo(error.path("code").asText())
                    .isEqualTo("budget_exceeded");
            assertThat(refused.path("message").asText()).isEqualTo(error.path("message").asText());
            assertThat(refused.path("worst_case").asText()).isEqualTo(error.path("worst_case").asText())
                    .isEqualTo(explained.path("estimated_max_cost").asText());
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenADowngradeWithRoom_whenExplained_thenNothingIsRefusedAndTheOutputLimitIsTheDowngradeModels()
            throws InterruptedException {
        upstream.enqueue(OpenAiFake.completion("mini", "answer", 1, 1));
        try (TestGateway gw = gateway("1.00")) {
            JsonNode explained = TestGateway.json(gw.post("/v1/route/explain", ask("premium", "")).body());
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask("premium", ""));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(explained.has("refused")).isFalse();
            assertThat(explained.path("model").asText()).isEqualTo("mini")
                    .isEqualTo(res.headers().firstValue("x-costwise-model-used").orElseThrow());
            assertThat(explained.path("max_output_tokens").asInt()).as("mini's limit, not premium's").isEqualTo(50);
            assertThat(upstream.takeRequest().getBody().utf8()).contains("\"max_completion_tokens\":50");
        }
    }

    @Test
    void givenAPromptTooLongForItsModel_whenExplained_thenTheOutputLimitIsTheLargerModelsItGoesTo() {
        try (TestGateway gw = gateway("1.00")) {
            String tooLong = "{\"model\":\"narrow\",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + "word ".repeat(200) + "\"}]}"; // about 250 tokens, narrow's window is 100
            JsonNode explained = TestGateway.json(gw.post("/v1/route/explain", tooLong).body());

            assertThat(explained.at("/context_window/skipped").asText()).isEqualTo("narrow");
            assertThat(explained.path("model").asText()).isEqualTo("wide");
            assertThat(explained.path("max_output_tokens").asInt()).as("wide's limit, not narrow's").isEqualTo(300);
        }
    }
}
