package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.llm.cost.CostRecord;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An OpenAI-compatible answer without a usable {@code usage} is billed the gateway's estimate, never as free. */
class MissingUsageEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private String yaml() {
        return """
                models:
                  - name: compat
                    provider: openai-compatible
                    model: some-model
                    base_url: %s
                    price: {input: "1000.00", output: "1000.00"}
                keys:
                  - id: small
                    key_sha256: %s
                    budget: "0.02"
                    budget_window: day
                defaults:
                  retry: {max_retries: 0}
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1", ConfigLoader.sha256Hex("sk-small"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\"usage\":null,", "\"usage\":{\"prompt_tokens\":-5,\"completion_tokens\":-7},"})
    void givenNoUsableUsage_whenAnswered_thenTheEstimateIsBilledAndTheKeysBudgetStopsTheNextCall(String usage) {
        upstream.enqueue(OpenAiFake.completion("some-model", "Hello there!", usage));
        upstream.enqueue(OpenAiFake.completion("some-model", "Hello there!", usage));
        String body = "{\"model\":\"compat\",\"max_tokens\":5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        try (TestGateway gw = new TestGateway(yaml(), Map.of())) {
            HttpResponse<String> first = gw.post("/v1/chat/completions", body, "Authorization", "Bearer sk-small");

            assertThat(first.statusCode()).isEqualTo(200);
            CostRecord row = gw.records().getFirst();
            assertThat(row.usage().estimated()).isTrue();
            // prompt: (5 + 3) / 4 = 2 text tokens, 4 for the message, 3 for the reply; answer: (12 + 3) / 4 = 3
            assertThat(row.usage().inputTokens()).isEqualTo(9);
            assertThat(row.usage().outputTokens()).isEqualTo(3);
            assertThat(row.cost()).isEqualTo(Money.of("0.012")); // 12 tokens at $0.001
            assertThat(first.headers().firstValue("x-costwise-cost")).hasValue("0.012");

            HttpResponse<String> second = gw.post("/v1/chat/completions", body, "Authorization", "Bearer sk-small");

            assertThat(second.statusCode()).as("$0.008 left, less than the $0.014 worst case").isEqualTo(429);
            assertThat(TestGateway.json(second.body()).at("/error/code").asText()).isEqualTo("budget_exceeded");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }
}
