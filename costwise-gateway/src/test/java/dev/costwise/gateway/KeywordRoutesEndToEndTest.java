package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Route keywords, and the words the rule-based classifier looks for, match where a word starts: "decode" does not take
 * the {@code code} route, "functions" and "debugging" count as their keywords, and a phrase such as "stack trace"
 * still matches. The upstream is a MockWebServer speaking
 * OpenAI's chat completions API.
 */
class KeywordRoutesEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream);
        return TestGateway.of("""
                models:
                  - {name: big, provider: openai, model: gpt-4o, base_url: %s/v1}
                  - {name: small, provider: openai, model: gpt-4o-mini, base_url: %s/v1}
                pipelines:
                  auto:
                    routes:
                      - {name: deep, model: big, when: {complexity: complex}}
                      - {name: code, model: small, when: {keywords: [code, function, stack trace]}}
                      - name: naive
                        model: small
                        when: {keywords: ["na\\u00efve", "\\uff50\\uff41\\uff52\\uff53\\uff45\\uff52"]}
                    default_route: small
                """.formatted(base, base));
    }

    private String routeOf(TestGateway gw, String prompt) {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 10, 2));
        HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto", prompt));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return res.headers().firstValue("x-costwise-route").orElseThrow();
    }

    @Test
    void givenKeywordRoutes_whenAKeywordStartsAWordOrIsInsideOne_thenOnlyTheFirstTakesTheRoute() {
        try (TestGateway gw = gateway()) {
            assertThat(routeOf(gw, "Please decode this base64 string")).isEqualTo("default");
            assertThat(routeOf(gw, "What does a barcode hold?")).isEqualTo("default");

            assertThat(routeOf(gw, "Fix my Code, please.")).isEqualTo("code");
            assertThat(routeOf(gw, "Two functions return null")).as("a keyword's inflection").isEqualTo("code");
            assertThat(routeOf(gw, "Here is the stack trace: NPE at line 3")).isEqualTo("code");
            assertThat(routeOf(gw, "Design a queue for me")).isEqualTo("deep");
            assertThat(routeOf(gw, "Debugging this race is hard")).isEqualTo("deep");
        }
    }

    /**
     * Keyword and text are matched after NFKC normalisation and case folding, with any run of whitespace as one
     * space: text pasted from macOS (NFD), wrapped lines and fullwidth letters take the route they name. The config
     * check's routing tests, route explain and the request agree.
     */
    @Test
    void givenTextInAnotherUnicodeFormOrWithOtherWhitespace_whenRouted_thenItMatchesTheKeywordAsWritten() {
        try (TestGateway gw = gateway()) {
            assertThat(routeOf(gw, "Stack  Trace at line 3")).as("two spaces").isEqualTo("code");
            assertThat(routeOf(gw, "the stack\\ntrace at line 3")).as("a wrapped line").isEqualTo("code");
            assertThat(routeOf(gw, "\\uff23\\uff4f\\uff44\\uff45 review")).as("fullwidth text").isEqualTo("code");
            assertThat(routeOf(gw, "a nai\\u0308ve Bayes model")).as("NFD text").isEqualTo("naive");
            assertThat(routeOf(gw, "my Parser fails")).as("a fullwidth keyword").isEqualTo("naive");
            assertThat(routeOf(gw, "please decode it")).isEqualTo("default");
            JsonNode explained = TestGateway.json(gw.post("/v1/route/explain",
                    TestGateway.chat("auto", "the stack\\ntrace at line 3")).body());
            assertThat(explained.path("route").asText()).isEqualTo("code");
        }
    }
}
