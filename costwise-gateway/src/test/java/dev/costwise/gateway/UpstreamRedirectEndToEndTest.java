package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A provider's API never redirects a call, and the gateway follows no redirect (the key would go with it): a 3xx is
 * the upstream's fault, whatever the adapter. The caller gets a 502 {@code upstream_error} naming the status and
 * none of the redirect's target, which may carry credentials, and a fallback is tried. The fallback speaks OpenAI's
 * chat format (https://platform.openai.com/docs/api-reference/chat/create).
 */
class UpstreamRedirectEndToEndTest {
    @StartStop
    final MockWebServer redirecting = new MockWebServer();
    @StartStop
    final MockWebServer fallback = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: gpt, provider: openai, model: gpt-4o-mini, api_key: sk-test, base_url: %1$s/v1,
                     price: {input: "1", output: "1"}}
                  - {name: compat, provider: openai-compatible, model: m, base_url: %1$s/v1,
                     price: {input: "1", output: "1"}}
                  - {name: claude, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, base_url: %1$s,
                     price: {input: "1", output: "5"}}
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, api_key: AIza-test, base_url: %1$s,
                     price: {input: "0.30", output: "2.50"}}
                  - {name: gpt-or-ok, provider: openai, model: gpt-4o-mini, api_key: sk-test, base_url: %1$s/v1,
                     price: {input: "1", output: "1"}}
                  - {name: ok, provider: openai-compatible, model: plain, base_url: %2$s/v1,
                     price: {input: "1", output: "1"}}
                pipelines:
                  gpt-or-ok:
                    fallbacks: [ok]
                defaults:
                  retry: {max_retries: 0}
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(redirecting), TestGateway.baseUrl(fallback)));
    }

    private static MockResponse redirect() {
        String target = "https://elsewhere.example/v1/chat/completions?key=LOCATIONSECRET";
        return new MockResponse.Builder().code(307).addHeader("Location", target)
                .addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"moved to " + target + "\",\"type\":\"invalid_request_error\"}}")
                .build();
    }

    private static String ask(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    @ParameterizedTest
    @CsvSource({"gpt, false", "gpt, true", "compat, false", "compat, true", "claude, false", "claude, true",
        "flash, false", "flash, true"})
    void givenARedirect_whenCalled_thenA502NamingTheStatusAndNotItsTarget(String model, boolean stream) {
        redirecting.enqueue(redirect());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask(model, stream));

            assertThat(res.statusCode()).isEqualTo(502);
            JsonNode error = TestGateway.json(res.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("upstream_error");
            assertThat(error.path("message").asText()).contains("redirect (HTTP 307)");
            assertThat(res.body()).doesNotContain("LOCATIONSECRET").doesNotContain("elsewhere");
            assertThat(redirecting.getRequestCount()).as("not followed").isEqualTo(1);
        }
    }

    @ParameterizedTest
    @CsvSource({"false", "true"})
    void givenARedirectWithAFallback_whenCalled_thenTheFallbackAnswers(boolean stream) {
        redirecting.enqueue(redirect());
        fallback.enqueue(stream ? OpenAiFake.stream("plain", "fine") : OpenAiFake.completion("plain", "fine", 3, 1));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask("gpt-or-ok", stream));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("ok");
            assertThat(res.body()).contains("fine");
        }
    }
}
