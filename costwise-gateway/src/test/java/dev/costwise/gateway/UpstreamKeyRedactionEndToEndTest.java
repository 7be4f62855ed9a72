package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** A provider that quotes the key it refused must not hand it to the gateway's callers, whatever the key's format. */
class UpstreamKeyRedactionEndToEndTest {
    private static final String KEY = "weird_token_LEAKYKEY_no_prefix";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                models:
                  - name: selfhosted
                    provider: openai-compatible
                    model: task-runner-v2
                    api_key: ${KEY}
                    base_url: %s
                    price: {input: "1.00", output: "1.00"}
                    circuit_breaker: off
                defaults:
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("KEY", KEY));
    }

    @Test
    void givenAnAnswerQuotingTheKey_whenRelayed_thenTheKeyIsRedactedAndModelNamesStayReadable() {
        upstream.enqueue(OpenAiFake.error(400, "invalid_request_error", "invalid_api_key",
                "Incorrect API key provided: " + KEY + " for model task-runner-v2"));
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body("data: {\"error\":{\"message\":\"key " + KEY + " was revoked\","
                        + "\"type\":\"invalid_request_error\"}}\n\n").build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> plain = gw.post("/v1/chat/completions", TestGateway.chat("selfhosted", "q"));
            HttpResponse<String> streamed = gw.post("/v1/chat/completions", "{\"model\":\"selfhosted\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");

            assertThat(plain.statusCode()).isEqualTo(400);
            assertThat(plain.body()).doesNotContain("LEAKYKEY").contains("[redacted]").contains("task-runner-v2");
            assertThat(streamed.body()).doesNotContain("LEAKYKEY").contains("[redacted]");
        }
    }
}
