package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.StringJoiner;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's embeddings take token ids as well as text (https://platform.openai.com/docs/api-reference/embeddings: an
 * array of integers, or an array of such arrays), and bill each id as one token. A hard budget reserves them so, before
 * the call: a batch of token arrays is refused up front like the same batch as text, never let through at $0.
 */
class EmbeddingTokenArraysEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    /** text-embedding-3-small at the bundled catalog's $0.02 per 1M tokens, under a global budget of {@code limit}. */
    private TestGateway gateway(String limit) {
        return TestGateway.of("""
                models:
                  - {name: text-embedding-3-small, provider: openai, base_url: %s}
                budgets:
                  - {name: emb-global, scope: global, window: day, limit: "%s"}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1", limit));
    }

    /** {@code arrays} token arrays of {@code length} ids each. */
    private static String tokenArrays(int arrays, int length) {
        StringJoiner all = new StringJoiner(",", "[", "]");
        for (int a = 0; a < arrays; a++) {
            StringJoiner ids = new StringJoiner(",", "[", "]");
            for (int i = 0; i < length; i++) {
                ids.add(Integer.toString(1000 + i));
            }
            all.add(ids.toString());
        }
        return all.toString();
    }

    private static String embeddings(String input) {
        return "{\"model\":\"text-embedding-3-small\",\"input\":" + input + ",\"dimensions\":2}";
    }

    @Test
    void givenABudgetOf500Tokens_whenTenThousandTokenIdsAreSent_thenRefusedBeforeAnyCallWithTheExactWorstCase() {
        upstream.enqueue(OpenAiFake.embeddings("", 10_000));
        try (TestGateway gw = gateway("0.00001")) {
            HttpResponse<String> res = gw.post("/v1/embeddings", embeddings(tokenArrays(25, 400)));

            assertThat(res.statusCode()).isEqualTo(429);
            JsonNode error = TestGateway.json(res.body()).get("error");
            // 10,000 ids × $0.02 per 1M: counted exactly, not estimated
            assertThat(error.get("worst_case").asText()).isEqualTo("0.0002");
            assertThat(error.get("message").asText())
                    .contains("(text-embedding-3-small, about 10,000 input tokens)")
                    .contains("; send fewer or shorter inputs, or retry after it resets at")
                    .doesNotContain("max_tokens");
            assertThat(upstream.getRequestCount()).as("nothing sent upstream").isZero();
        }
    }

    @Test
    void givenOneTokenArray_whenSent_thenEachIdIsOneTokenWhateverItsDigits() {
        // three ids at $0.02 per 1M is $0.00000006, more than the limit of $0.00000005
        try (TestGateway gw = gateway("0.00000005")) {
            HttpResponse<String> res = gw.post("/v1/embeddings", embeddings("[100000,100001,100002]"));

            assertThat(res.statusCode()).isEqualTo(429);
            assertThat(TestGateway.json(res.body()).at("/error/worst_case").asText()).isEqualTo("0.00000006");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }
}
