package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A model whose calls keep failing is skipped for a while: its requests go straight to the fallback, then one request
 * probes it. Upstreams are MockWebServers answering in OpenAI's format; time is a ticker the test moves.
 */
class CircuitBreakerEndToEndTest {
    @StartStop
    final MockWebServer primary = new MockWebServer();
    @StartStop
    final MockWebServer backup = new MockWebServer();

    private final AtomicLong nanos = new AtomicLong();
    private volatile boolean primaryDown = true;

    private String yaml(String circuit, String fallbacks) {
        return """
                models:
                  - name: primary
                    provider: openai
                    model: gpt-4o-mini
                    api_key: sk-up
                    base_url: %s
                    circuit_breaker: %s
                  - name: backup
                    provider: openai-compatible
                    model: llama-3.1-8b
                    base_url: %s
                    price: {input: "0.05", output: "0.08"}
                defaults:
                  retry: {max_retries: 0}
                pipelines:
                  primary:
                    fallbacks: %s
                """.formatted(url(primary), circuit, url(backup), fallbacks);
    }

    private static String url(MockWebServer server) {
        return server.url("/v1").toString().replaceAll("/$", "");
    }

    private TestGateway gateway(String yaml) {
        primary.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return primaryDown ? OpenAiFake.error(500, "server_error", null, "The server had an error")
                        : OpenAiFake.completion("gpt-4o-mini", "primary is back", 5, 5);
            }
        });
        backup.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return OpenAiFake.completion("llama-3.1-8b", "from backup", 5, 5);
            }
        });
        return new TestGateway(yaml, Map.of(), nanos::get);
    }

    private static HttpResponse<String> chat(TestGateway gw, int i) {
        return gw.post("/v1/chat/completions", TestGateway.chat("primary", "q" + i));
    }

    @Test
    void givenPrimaryFailingInARow_whenTheCircuitOpens_thenRequestsSkipItUntilOneProbeFindsItBack() {
        try (TestGateway gw = gateway(yaml("{failures_in_a_row: 2, open_for: 30s}", "[backup]"))) {
            for (int i = 0; i < 2; i++) {
                assertThat(chat(gw, i).headers().firstValue("x-costwise-model-used")).hasValue("backup");
            }
            assertThat(primary.getRequestCount()).isEqualTo(2);

            HttpResponse<String> skipped = chat(gw, 2);

            assertThat(skipped.statusCode()).isEqualTo(200);
            assertThat(skipped.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            assertThat(primary.getRequestCount()).as("the open circuit kept the call away").isEqualTo(2);
            assertThat(gw.records().subList(4, 5)).singleElement().satisfies(r -> {
                assertThat(r.usedModel()).isEqualTo("backup");
                assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
            });
            String metrics = gw.get("/metrics").body();
            assertThat(metrics).contains("costwise_upstream_circuit_state{model=\"primary\"} 2.0")
                    .contains("costwise_upstream_circuit_state{model=\"backup\"} 0.0")
                    .containsPattern("costwise_upstream_skipped_total\\{model=\"primary\"\\} 1.0");

            JsonNode explained = TestGateway.json(gw.post("/v1/route/explain", TestGateway.chat("primary", "q"))
                    .body());
            assertThat(explained.get("circuits").toString())
                    .isEqualTo("{\"primary\":\"open\",\"backup\":\"closed\"}");

            nanos.addAndGet(Duration.ofSeconds(29).toNanos());
            chat(gw, 3);
            assertThat(primary.getRequestCount()).as("still open after 29 s").isEqualTo(2);

            primaryDown = false;
            nanos.addAndGet(Duration.ofSeconds(1).toNanos());
            assertThat(gw.get("/metrics").body()).as("open_for has passed: ready to probe, before any request")
                    .contains("costwise_upstream_circuit_state{model=\"primary\"} 1.0");
            HttpResponse<String> probe = chat(gw, 4);

            assertThat(probe.headers().firstValue("x-costwise-model-used")).hasValue("primary");
            assertThat(chat(gw, 5).headers().firstValue("x-costwise-model-used")).hasValue("primary");
            assertThat(primary.getRequestCount()).isEqualTo(4);
            assertThat(gw.get("/metrics").body()).contains("costwise_upstream_circuit_state{model=\"primary\"} 0.0");
        }
    }

    @Test
    void givenNoFallback_whenTheCircuitIsOpen_then503WithRetryAfterAndNoUpstreamCall() {
        try (TestGateway gw = gateway(yaml("{failures_in_a_row: 1, open_for: 20s}", "[]"))) {
            assertThat(chat(gw, 0).statusCode()).isEqualTo(502);
            nanos.addAndGet(Duration.ofSeconds(5).toNanos());

            HttpResponse<String> refused = chat(gw, 1);

            assertThat(refused.statusCode()).isEqualTo(503);
            JsonNode error = TestGateway.json(refused.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("upstream_circuit_open");
            assertThat(error.get("message").asText()).contains("'primary'").contains("15 s");
            assertThat(refused.headers().firstValue("retry-after")).hasValue("15");
            assertThat(primary.getRequestCount()).isEqualTo(1);
            // the refused request has its row, at $0: nothing was called
            assertThat(gw.records()).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED,
                    Outcome.REJECTED);
            assertThat(gw.records().getLast().errorKind()).hasValue("upstream_circuit_open");
            assertThat(gw.records().getLast().cost()).as("a skipped call bills nothing")
                    .isEqualTo(dev.costwise.core.Money.ZERO);
        }
    }

    @Test
    void givenCallersMistakes_whenTheyRepeat_thenTheCircuitStaysClosed() {
        primary.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return OpenAiFake.error(400, "invalid_request_error", null, "Invalid 'messages'");
            }
        });
        try (TestGateway gw = new TestGateway(yaml("{failures_in_a_row: 1}", "[backup]"), Map.of(), nanos::get)) {
            for (int i = 0; i < 3; i++) {
                assertThat(chat(gw, i).statusCode()).isEqualTo(400);
            }
            assertThat(primary.getRequestCount()).as("every request still reached the model").isEqualTo(3);
        }
    }

    @Test
    void givenCircuitBreakerOff_whenTheModelKeepsFailing_thenEveryRequestStillTriesIt() {
        try (TestGateway gw = gateway(yaml("off", "[backup]"))) {
            for (int i = 0; i < 8; i++) {
                assertThat(chat(gw, i).headers().firstValue("x-costwise-model-used")).hasValue("backup");
            }
            assertThat(primary.getRequestCount()).isEqualTo(8);
            assertThat(gw.get("/metrics").body()).doesNotContain("costwise_upstream_circuit_state{model=\"primary\"}");
        }
    }

    @Test
    void givenTheAutoWorkflowsExecutorFailingInARow_whenItsCircuitOpens_thenTheWorkflowNoLongerCallsIt() {
        try (TestGateway gw = gateway("""
                models:
                  - name: gpt-4o-mini
                    provider: openai
                    api_key: sk-up
                    base_url: %s
                    circuit_breaker: {failures_in_a_row: 2, open_for: 30s}
                  - {name: gpt-4o, provider: sim}
                defaults:
                  retry: {max_retries: 0}
                pipelines:
                  auto:
                    workflow: true
                    routes:
                      - {name: executor, model: gpt-4o-mini}
                    default_route: gpt-4o
                """.formatted(url(primary)))) {
            for (int i = 0; i < 2; i++) {
                assertThat(gw.post("/v1/chat/completions", TestGateway.chat("auto", "What is 2+" + i + "?"))
                        .statusCode()).isGreaterThanOrEqualTo(500);
            }
            assertThat(primary.getRequestCount()).isEqualTo(2);

            HttpResponse<String> third = gw.post("/v1/chat/completions", TestGateway.chat("auto", "What is 2+2?"));

            assertThat(third.statusCode()).isGreaterThanOrEqualTo(500);
            assertThat(TestGateway.json(third.body()).at("/error/message").asText())
                    .contains("gpt-4o-mini (overloaded)");
            assertThat(primary.getRequestCount()).as("the open circuit kept the workflow's call away").isEqualTo(2);
            assertThat(gw.records()).filteredOn(r -> r.usedModel().equals("gpt-4o-mini"))
                    .as("the two calls made, and a $0 row for the request that made none")
                    .extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.FAILED,
                            Outcome.REJECTED);
        }
    }

    @Test
    void givenBadCircuitSettings_whenLoaded_thenEveryProblemIsListedWithItsPath() {
        String bad = yaml("{failures_in_a_row: 0, failure_rate: 1.5, window: 5, minimum_calls: 9, open_for: soon, "
                + "opn_for: 1s}", "[backup]");

        assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).parse(bad, "circuit.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("models[0].circuit_breaker.failures_in_a_row")
                .hasMessageContaining("models[0].circuit_breaker.failure_rate")
                .hasMessageContaining("models[0].circuit_breaker.minimum_calls: must be <= window (5), was 9")
                .hasMessageContaining("models[0].circuit_breaker.open_for")
                .hasMessageContaining("opn_for");
    }
}
