package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A request's integer fields are read strictly: a number that does not fit the field's range is refused naming the
 * field, not read modulo 2^64. Read that way, a {@code max_tokens} of 2^64 + 5 reserved 5 tokens against a hard budget
 * while the upstream was sent the huge number, and a server that clamps it (as self-hosted ones do) answered at
 * length: one request spent five times the hard limit. The upstream speaks OpenAI's chat format
 * (https://platform.openai.com/docs/api-reference/chat/create).
 */
class IntegerFieldRangesEndToEndTest {
    private static final String TWO_TO_64_PLUS_5 = "18446744073709551621";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    /** $10 per million output tokens under a hard budget of $0.10: 10,000 output tokens at most. */
    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: selfhosted, provider: openai-compatible, model: honour, base_url: %s/v1,
                     price: {input: "10", output: "10"}, max_output_tokens: 100}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                budgets:
                  - {name: global, scope: global, window: day, limit: "0.10", on_exhausted: reject}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/v1/chat/completions | \"max_tokens\": 18446744073709551621 | max_tokens",
        "/v1/chat/completions | \"max_tokens\": 4294967296 | max_tokens",
        "/v1/chat/completions | \"stream\": true, \"max_tokens\": 18446744073709551621 | max_tokens",
        "/v1/chat/completions | \"max_completion_tokens\": 18446744073709551621 | max_completion_tokens",
        "/v1/chat/completions | \"n\": 18446744073709551617 | n",
        "/v1/chat/completions | \"n\": 129 | n",
        "/v1/chat/completions | \"top_k\": 18446744073709551617 | top_k",
        "/v1/chat/completions | \"top_logprobs\": 18446744073709551617, \"logprobs\": true | top_logprobs",
        "/v1/messages | \"max_tokens\": 18446744073709551621 | max_tokens",
        "/v1/messages | \"max_tokens\": 50, \"thinking\": {\"type\": \"enabled\", "
                + "\"budget_tokens\": 18446744073709552640} | thinking.budget_tokens",
        "/v1/responses | \"max_output_tokens\": 18446744073709551621 | max_output_tokens",
    })
    void givenAnIntegerBeyondItsFieldsRange_whenSent_thenRefusedNamingTheFieldAndNothingIsCalled(String path,
            String fields, String field) {
        String content = path.equals("/v1/responses") ? "\"input\": \"hi\""
                : "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post(path, "{\"model\": \"selfhosted\", " + fields + ", " + content + "}",
                    "anthropic-version", "2023-06-01");

            assertThat(res.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(res.body()).path("error");
            assertThat(error.path("message").asText()).startsWith(field + ": expected a whole number from ");
            if (!path.equals("/v1/messages")) { // Anthropic's error shape has no param
                assertThat(error.path("param").asText()).isEqualTo(field);
            }
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenTheLargestMaxTokens_whenSent_thenTheBudgetReservesItAndRefusesWhatItCouldNotPayFor() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\": \"selfhosted\", "
                    + "\"max_tokens\": 2147483647, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

            assertThat(res.statusCode()).isEqualTo(429);
            assertThat(res.body()).contains("budget 'global'");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAMaxTokensThatFits_whenSent_thenRouteExplainReservesAndTheUpstreamGetsTheSameNumber() throws Exception {
        upstream.enqueue(OpenAiFake.completion("honour", "ok", 5, 2));
        String body = "{\"model\": \"selfhosted\", \"max_tokens\": 5000, "
                + "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
        try (TestGateway gw = gateway()) {
            JsonNode explained = TestGateway.json(gw.post("/v1/route/explain", body).body());
            HttpResponse<String> res = gw.post("/v1/chat/completions", body);

            assertThat(explained.path("max_output_tokens").asLong()).isEqualTo(5000);
            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode sent = TestGateway.json(upstream.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
            assertThat(sent.path("max_tokens").toString()).isEqualTo("5000");
        }
    }
}
