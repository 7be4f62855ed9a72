package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** What {@code GET /metrics} shows after the gateway answered requests, well and with errors. */
class GatewayMetricsEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - name: m1
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %1$s
                    price: {input: "1.00", output: "1.00"}
                    circuit_breaker: off
                  - name: odd
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %1$s
                    price: {input: "1.234567", output: "7.654321"}
                    circuit_breaker: off
                defaults:
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1"), Map.of("MASTER", MASTER));
    }

    @Test
    void givenErrorsTheGatewayAnswersItself_whenScraped_thenEachIsCountedByStatusCodeAndBoundedModel() {
        String auth = "Bearer " + MASTER;
        try (TestGateway gw = gateway()) {
            String before = gw.get("/metrics").body();
            for (int i = 0; i < 10; i++) {
                assertThat(gw.post("/v1/chat/completions", TestGateway.chat("m1", "q"), "Authorization",
                        "Bearer wrong-key").statusCode()).isEqualTo(401);
                assertThat(gw.post("/v1/chat/completions", "{\"model\":\"m1\",\"messages\":[{\"role\":\"boss\","
                        + "\"content\":\"x\"}]}", "Authorization", auth).statusCode()).isEqualTo(400);
                assertThat(gw.post("/v1/chat/completions", "{\"model\":\"m1\",\"messa", "Authorization", auth)
                        .statusCode()).isEqualTo(400);
            }
            for (int i = 0; i < 15; i++) {
                assertThat(gw.post("/v1/chat/completions", TestGateway.chat("made-up-" + i, "q"), "Authorization",
                        auth).statusCode()).isEqualTo(404);
                assertThat(gw.post("/v1/embeddings", "{\"model\":\"made-up-" + i + "\",\"input\":\"hi\"}",
                        "Authorization", auth).statusCode()).isEqualTo(404);
            }
            assertThat(gw.post("/v1/chat/completions", "{\"model\":\"m1\",\"messages\":[]}", "Authorization", auth)
                    .statusCode()).isEqualTo(400);
            assertThat(gw.get("/v1/no-such-thing", "Authorization", auth).statusCode()).isEqualTo(404);
            upstream.enqueue(OpenAiFake.error(500, "server_error", null, "boom"));
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("m1", "q"), "Authorization", auth)
                    .statusCode()).isEqualTo(502);

            String metrics = gw.get("/metrics").body();
            assertThat(before).doesNotContain("costwise_errors_total");
            assertThat(metrics)
                    .contains("costwise_errors_total{code=\"invalid_api_key\",model=\"other\",status=\"401\"} 10.0\n")
                    .contains("costwise_errors_total{code=\"invalid_value\",model=\"m1\",status=\"400\"} 11.0\n")
                    .contains("costwise_errors_total{code=\"invalid_json\",model=\"other\",status=\"400\"} 10.0\n")
                    .contains("costwise_errors_total{code=\"model_not_found\",model=\"other\",status=\"404\"} 30.0\n")
                    .contains("costwise_errors_total{code=\"not_found\",model=\"other\",status=\"404\"} 1.0\n")
                    .contains("costwise_errors_total{code=\"upstream_error\",model=\"m1\",status=\"502\"} 1.0\n")
                    .contains("costwise_requests_total{model=\"m1\",outcome=\"failed\"} 1.0\n")
                    .as("no made-up name becomes a label").doesNotContain("made-up-");
        }
    }

    @Test
    void givenAStreamThatFailsAfterItsFirstChunk_whenScraped_thenTheFailureIsCountedByKindAndAsAnError() {
        // two words, then the stream ends without [DONE]: the caller has been sent the words, then an error event
        String words = OpenAiFake.streamText("gpt-4o-mini", "Hello", " world");
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(words.substring(0, words.indexOf("\n\n", words.indexOf("world")) + 2)).build());
        try (TestGateway gw = gateway()) {
            String streamed = gw.post("/v1/chat/completions", "{\"model\":\"m1\",\"stream\":true,\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"q\"}]}", "Authorization", "Bearer " + MASTER).body();

            assertThat(streamed).contains("\"code\":\"upstream_unreachable\"");
            assertThat(gw.get("/metrics").body())
                    .contains("costwise_upstream_failures_total{kind=\"connection\",model=\"m1\"} 1.0\n")
                    .as("counted as the answer the same failure before the first chunk gets")
                    .contains("costwise_errors_total{code=\"upstream_unreachable\",model=\"m1\",status=\"502\"} 1.0\n")
                    .contains("costwise_requests_total{model=\"m1\",outcome=\"failed\"} 1.0\n");
        }
    }

    @Test
    void givenAGatewayThatJustStarted_whenScraped_thenCountersOfRareEventsAreShownAtZero() {
        try (TestGateway gw = gateway()) {
            String metrics = gw.get("/metrics").body();

            // a dashboard or an alert on them reads 0 before the first one, not "no data"
            assertThat(metrics).contains("costwise_ledger_failures_total{model=\"other\"} 0.0\n")
                    .contains("costwise_retries_refused_total{model=\"m1\"} 0.0\n")
                    .contains("costwise_retries_refused_total{model=\"odd\"} 0.0\n")
                    .contains("costwise_cache_saved_dollars_total{model=\"m1\"} 0.0\n");
        }
    }

    @Test
    void givenSuccesses_whenScraped_thenCostIsExactAndEveryMeterIsDescribed() {
        String auth = "Bearer " + MASTER;
        try (TestGateway gw = gateway()) {
            for (int i = 0; i < 12; i++) {
                upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 4200, 0));
                assertThat(gw.post("/v1/chat/completions", TestGateway.chat("m1", "q" + i), "Authorization", auth)
                        .statusCode()).isEqualTo(200);
            }
            gw.post("/v1/chat/completions", "{oops", "Authorization", auth);

            String metrics = gw.get("/metrics").body();
            assertThat(metrics).contains("costwise_cost_dollars_total{model=\"m1\"} 0.0504\n");
            List<String> help = metrics.lines().filter(l -> l.startsWith("# HELP costwise_")).toList();
            assertThat(help).isNotEmpty().allSatisfy(l -> assertThat(l).matches("# HELP costwise_\\w+ \\S.*"));
            assertThat(help).anySatisfy(l -> assertThat(l).startsWith("# HELP costwise_errors_total "))
                    .anySatisfy(l -> assertThat(l).startsWith("# HELP costwise_requests_total "))
                    .anySatisfy(l -> assertThat(l).startsWith("# HELP costwise_request_duration_seconds "));
        }
    }

    @Test
    void givenCostsBelowANanoDollar_whenScraped_thenTheCostIsTheLedgersExactSum() {
        try (TestGateway gw = gateway()) {
            for (int i = 0; i < 11; i++) {
                // 50 × 1.234567 + 100 × 7.654321 per million tokens = $0.00082716045
                upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 50, 100));
                assertThat(gw.post("/v1/chat/completions", TestGateway.chat("odd", "q" + i), "Authorization",
                        "Bearer " + MASTER).statusCode()).isEqualTo(200);
            }

            assertThat(gw.get("/metrics").body())
                    .as("11 × $0.00082716045, not 11 × $0.000827160")
                    .contains("costwise_cost_dollars_total{model=\"odd\"} 0.00909876495\n");
        }
    }
}
