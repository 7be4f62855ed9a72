package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code x-should-retry: false}, which the official OpenAI and Anthropic SDKs obey before the status and
 * {@code Retry-After}, on the answers an SDK's own retries cannot fix.
 */
class ClientRetryHeadersEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    /** A worst case of a few tokens at $10 per million is far over the $0.000000001 left. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/v1/chat/completions|{\"model\":\"mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "/v1/messages|{\"model\":\"mini\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "/v1/responses|{\"model\":\"mini\",\"input\":\"hi\"}",
        "/v1/embeddings|{\"model\":\"embed\",\"input\":\"hi\"}"})
    void givenABudgetWithNoRoom_whenCalled_thenThe429SaysNotToRetryAutomatically(String path, String body) {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s/v1,
                     price: {input: "10", output: "10"}}
                  - {name: embed, provider: openai, model: text-embedding-3-small, base_url: %1$s/v1,
                     price: {input: "10", output: "0"}}
                budgets:
                  - {name: daily, scope: global, window: day, limit: "0.000000001"}
                """.formatted(TestGateway.baseUrl(upstream)))) {
            HttpResponse<String> res = gw.post(path, body);

            assertThat(res.statusCode()).as(res.body()).isEqualTo(429);
            assertThat(res.body()).as("OpenAI's shape or Anthropic's").contains("budget 'daily'");
            assertThat(res.headers().firstValue("retry-after")).as("still says when it resets").isPresent();
            assertThat(res.headers().firstValue("x-should-retry")).hasValue("false");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }
}
