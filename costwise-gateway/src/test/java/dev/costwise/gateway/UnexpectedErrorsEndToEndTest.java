package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Sleeper;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Whatever goes wrong inside the gateway, even an {@link Error}, is answered in OpenAI's error format
 * (https://platform.openai.com/docs/guides/error-codes), which SDKs parse, and counted in
 * {@code costwise_errors_total}. The provider is faked by MockWebServer.
 */
class UnexpectedErrorsEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    /** A gateway with one model, retried once, whose waits between retries go to {@code sleeper}. */
    private TestGateway gateway(Sleeper sleeper) {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s,
                     price: {input: "1.00", output: "1.00"}}
                defaults:
                  retry: {max_retries: 1}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1"), Map.of("MASTER", MASTER), sleeper);
    }

    @Test
    void givenAnErrorThrownWhileARequestRuns_whenAnswered_thenA500InOpenAisFormatCountedInErrorsTotal() {
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "The server had an error"));
        // The wait before the retry is where it strikes, as an OutOfMemoryError does deep inside a request.
        Sleeper failing = d -> {
            throw new OutOfMemoryError("test: the heap is exhausted");
        };
        try (TestGateway gw = gateway(failing)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "hi"),
                    "Authorization", "Bearer " + MASTER, "x-request-id", "req-error-1");

            assertThat(res.statusCode()).isEqualTo(500);
            assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode error = TestGateway.json(res.body()).path("error");
            assertThat(error.path("type").asText()).isEqualTo("server_error");
            assertThat(error.path("code").asText()).isEqualTo("internal_error");
            assertThat(error.path("message").asText()).contains("request req-error-1").doesNotContain("heap");
            assertThat(gw.get("/metrics").body())
                    .contains("costwise_errors_total{code=\"internal_error\",model=\"other\",status=\"500\"} 1.0\n");
        }
    }

    @Test
    void givenAWaitInterruptedByAnotherThanTheStop_whenAnswered_thenA503InterruptedNotAnInternalError() {
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "The server had an error"));
        // someone else's interrupt ends the wait before the retry, as Thread.sleep ends
        Sleeper interrupted = d -> {
            throw new InterruptedException("sleep interrupted");
        };
        try (TestGateway gw = gateway(interrupted)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "hi"),
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(503);
            JsonNode error = TestGateway.json(res.body()).path("error");
            assertThat(error.path("type").asText()).isEqualTo("server_error");
            assertThat(error.path("code").asText()).isEqualTo("interrupted");
            assertThat(error.path("message").asText()).contains("retry of fast");
            assertThat(gw.records()).singleElement().satisfies(row -> {
                assertThat(row.outcome()).isEqualTo(Outcome.FAILED); // the attempt before the wait
                assertThat(row.errorKind()).hasValue("server_error");
            });
            assertThat(gw.get("/metrics").body())
                    .contains("costwise_errors_total{code=\"interrupted\",model=\"fast\",status=\"503\"} 1.0\n");
        }
    }
}
