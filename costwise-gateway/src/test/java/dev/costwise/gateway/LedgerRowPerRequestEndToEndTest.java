package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Every request the gateway takes has a ledger row, also those it refuses or cannot serve before calling any model, so
 * that {@code /v1/spend} counts the requests callers sent. The provider is OpenAI, faked in its error format; time is a
 * ticker the test moves.
 */
class LedgerRowPerRequestEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();
    private final AtomicLong nanos = new AtomicLong();

    private TestGateway gateway(String server) {
        return new TestGateway("""
                server: %s
                models:
                  - {name: big, provider: openai, model: gpt-4.1, base_url: %s/v1,
                     circuit_breaker: {failures_in_a_row: 2, open_for: 30s}}
                defaults:
                  retry: {max_retries: 0}
                  cache: {enabled: false}
                """.formatted(server, TestGateway.baseUrl(upstream)), Map.of(), nanos::get);
    }

    @Test
    void givenAnOpenCircuit_whenRequestsAreRefused_thenEachHasARejectedRowAndSpendCountsThemAll() {
        for (int i = 0; i < 2; i++) {
            upstream.enqueue(OpenAiFake.error(503, "server_error", null, "The engine is currently overloaded"));
        }
        try (TestGateway gw = gateway("{request_timeout: 60s}")) {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("big", "q" + i));
                assertThat(res.statusCode()).isEqualTo(503);
            }
            assertThat(upstream.getRequestCount()).isEqualTo(2);

            List<CostRecord> refused = gw.records().subList(2, 5);
            assertThat(refused).allSatisfy(row -> {
                assertThat(row.outcome()).isEqualTo(Outcome.REJECTED);
                assertThat(row.errorKind()).hasValue("upstream_circuit_open");
                assertThat(row.cost()).isEqualTo(Money.ZERO);
                assertThat(row.attempt()).isEqualTo(1);
            });
            assertThat(gw.records()).extracting(CostRecord::requestId).doesNotHaveDuplicates();
            JsonNode spend = TestGateway.json(gw.get("/v1/spend").body());
            assertThat(spend.at("/total/requests").asLong()).isEqualTo(5);
            assertThat(spend.at("/total/attempts").asLong()).as("calls made").isEqualTo(2);
            // the caller got a failure: counted as failed, as the provider's outage is why
            assertThat(gw.get("/metrics").body())
                    .contains("costwise_requests_total{model=\"big\",outcome=\"failed\"} 5.0");
        }
    }

    @Test
    void givenTheDeadlinePassedBeforeAnyCall_whenTheRequestFails_thenItHasARejectedRowAtNoCost() {
        // the gateway's time moves 3 s on each reading: the 2 s deadline has passed by the first attempt
        try (TestGateway gw = new TestGateway("""
                server: {request_timeout: 2s}
                models:
                  - {name: big, provider: openai, model: gpt-4.1, base_url: %s/v1}
                defaults:
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of(),
                () -> nanos.addAndGet(TimeUnit.SECONDS.toNanos(3)))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("big", "hi"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(504);
            assertThat(upstream.getRequestCount()).isZero();
            assertThat(gw.records()).singleElement().satisfies(row -> {
                // no provider was called: not counted among the calls made (/v1/spend attempts)
                assertThat(row.outcome()).isEqualTo(Outcome.REJECTED);
                assertThat(row.errorKind()).isEqualTo(Optional.of("upstream_timeout"));
                assertThat(row.cost()).isEqualTo(Money.ZERO);
                assertThat(row.latency()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            });
        }
    }

    @Test
    void givenACallersMistakeTheAdapterRefuses_whenNoModelCanTakeIt_thenItHasNoRow() {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, base_url: %s, api_key: k}
                """.formatted(TestGateway.baseUrl(upstream)))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "claude", "logprobs": true, "messages": [{"role": "user", "content": "hi"}]}""");

            // nothing was called, and nothing but the request itself refused it (docs/gateway.md, Errors)
            assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
            assertThat(upstream.getRequestCount()).isZero();
            assertThat(gw.records()).isEmpty();
        }
    }
}
