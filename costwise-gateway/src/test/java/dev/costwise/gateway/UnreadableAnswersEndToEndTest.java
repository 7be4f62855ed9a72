package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * An upstream that answers 200 with something that is not JSON (a proxy's HTML page, an answer cut short) fails as
 * {@code upstream_malformed} with the same plain words through the native Anthropic and Gemini adapters as through the
 * OpenAI pass-through, never the JSON parser's internals.
 */
class UnreadableAnswersEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream);
        return TestGateway.of("""
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, base_url: %s, api_key: sk-test}
                  - {name: gem, provider: gemini, model: gemini-2.5-flash, base_url: %s, api_key: AIza-test}
                  - {name: oa, provider: openai, model: gpt-4o-mini, base_url: %s/v1, api_key: sk-test}
                defaults:
                  retry: {max_retries: 0}
                  cache: {enabled: false}
                """.formatted(base, base, base));
    }

    private static MockResponse html() {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/html; charset=utf-8")
                .body("<html><body><h1>502 Bad Gateway</h1></body></html>").build();
    }

    private static JsonNode error(TestGateway gw, String model) {
        HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat(model, "hi"));
        assertThat(res.statusCode()).isEqualTo(502);
        return TestGateway.json(res.body()).path("error");
    }

    @Test
    void givenAnHtmlPageForAnAnswer_whenAskedOfEachKindOfProvider_thenEachSaysItIsNotJson() {
        try (TestGateway gw = gateway()) {
            for (String[] model : new String[][] {{"claude", "anthropic"}, {"gem", "gemini"}, {"oa", "openai"}}) {
                upstream.enqueue(html());

                JsonNode error = error(gw, model[0]);

                assertThat(error.path("code").asText()).isEqualTo("upstream_malformed");
                assertThat(error.path("message").asText()).as(model[0])
                        .contains(model[1] + " " + model[0] + ": malformed response: answer is not JSON (text/html) "
                                + "(HTTP 200)")
                        .doesNotContain("Exception", "Source", "Unexpected character");
            }
        }
    }

    @Test
    void givenAnAnswerCutShort_whenAskedOfANativeAdapter_thenItSaysItIsNotJson() {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"candidates\": [{\"content\": {\"role\": \"model\"").build());
        try (TestGateway gw = gateway()) {
            assertThat(error(gw, "gem").path("message").asText())
                    .contains("gemini gem: malformed response: answer is not JSON (HTTP 200)")
                    .doesNotContain("JsonEOFException", "end-of-input");
        }
    }
}
