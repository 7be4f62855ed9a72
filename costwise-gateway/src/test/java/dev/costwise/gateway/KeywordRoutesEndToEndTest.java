package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

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
}
