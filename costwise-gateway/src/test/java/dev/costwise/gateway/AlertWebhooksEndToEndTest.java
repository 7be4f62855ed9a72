package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** Alert rules with webhooks, against a real gateway: each rule posts to its own webhook only. */
class AlertWebhooksEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();
    @StartStop
    final MockWebServer receiver = new MockWebServer();

    @Test
    void givenASpendRuleAndABudgetRule_whenSpendCrossesBoth_thenEachPostsOnceToItsOwnWebhookOnly() throws Exception {
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).body("ok").build();
            }
        });
        // $1 per million input tokens: 600k tokens are $0.60 (60% of the budget), then $0.70, then $1.10
        upstream.enqueue(OpenAiFake.completion("m1", "a", 600_000, 0));
        upstream.enqueue(OpenAiFake.completion("m1", "b", 100_000, 0));
        upstream.enqueue(OpenAiFake.completion("m1", "c", 400_000, 0));
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: m1, provider: openai, base_url: %s, price: {input: "1.00", output: "0"},
                     max_output_tokens: 10}
                budgets:
                  - {name: g, scope: global, window: day, limit: "1.00", alert_at: [0.5, 0.8]}
                alerts:
                  - {name: spendy, metric: spend, above: 0.01, window: 1h, webhook: "%s"}
                  - {name: bu, metric: budget_utilization, above: 0.5, webhook: "%s"}
                """.formatted(TestGateway.baseUrl(upstream), receiver.url("/hook"), receiver.url("/bu")))) {
            for (String prompt : List.of("one", "two", "three")) {
                assertThat(gw.post("/v1/chat/completions", TestGateway.chat("m1", prompt)).statusCode())
                        .isEqualTo(200);
            }
        } // a stop delivers the alerts still queued

        List<String> posts = new ArrayList<>();
        for (int i = receiver.getRequestCount(); i > 0; i--) {
            RecordedRequest post = receiver.takeRequest(5, TimeUnit.SECONDS);
            String text = TestGateway.json(post.getBody().utf8()).path("text").asText();
            posts.add(post.getUrl().encodedPath() + " " + text);
        }
        assertThat(posts).as("one post per rule, each to its own webhook").hasSize(2);
        assertThat(posts).filteredOn(p -> p.startsWith("/hook ")).singleElement().asString()
                .contains("COST ALERT").doesNotContain("BUDGET");
        assertThat(posts).filteredOn(p -> p.startsWith("/bu ")).singleElement().asString()
                .contains("BUDGET ALERT: budget 'g' passed 50% of its limit: spent $0.60 of $1.00 this day")
                .doesNotContain("COST");
    }

    @Test
    void givenAnErrorRateRule_whenTheUpstreamFails_thenTheAlertNamesTheFailureTheCallerGotAndTheModel()
            throws Exception {
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).body("ok").build();
            }
        });
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return OpenAiFake.error(500, "server_error", "internal", "The server had an error");
            }
        });
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: m1, provider: openai, base_url: %s, price: {input: "1.00", output: "0"},
                     max_output_tokens: 10, circuit_breaker: off}
                defaults:
                  retry: {max_retries: 0}
                alerts:
                  - {name: errs, metric: error_rate, above: 0.3, window: 1h, webhook: "%s"}
                """.formatted(TestGateway.baseUrl(upstream), receiver.url("/errs")))) {
            for (int i = 0; i < 20; i++) { // the rule judges from the 20th request on
                assertThat(gw.post("/v1/chat/completions", TestGateway.chat("m1", "q" + i)).statusCode())
                        .isEqualTo(502);
            }
        } // a stop delivers the alerts still queued

        RecordedRequest post = receiver.takeRequest(5, TimeUnit.SECONDS);
        assertThat(TestGateway.json(post.getBody().utf8()).path("text").asText())
                .contains("error rate 100.0% over the last hour (20 requests), above 30.0%")
                .endsWith("latest failure: upstream_error (HTTP 502) on m1");
        assertThat(receiver.getRequestCount()).isEqualTo(1);
    }
}
