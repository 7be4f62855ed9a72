package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A budget with nothing spent whose room is held by the reservations of requests in flight refuses a request that
 * does not fit beside them; but they settle within seconds, so the refusal says so, asks for a retry in seconds, and
 * lets SDKs retry it (no {@code x-should-retry: false}), unlike a budget that is spent or too small. The provider is
 * OpenAI, faked in its chat completions format, answering the first request only when the test lets it.
 */
class BudgetHeldInFlightEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch answer = new CountDownLatch(1);

    private static String ask(int maxTokens) {
        return "{\"model\":\"fast\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
    }

    @Test
    void givenABudgetHeldByARequestInFlight_whenAnotherDoesNotFitBesideIt_thenA429ToRetryInSeconds() throws Exception {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                arrived.countDown();
                answer.await(10, TimeUnit.SECONDS);
                return OpenAiFake.completion("gpt-4o-mini", "ok", 10, 10); // $0.01
            }
        });
        // $1,000 per 1M output tokens, nothing for input: max_tokens 600 holds $0.60
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s,
                     price: {input: "0", output: "1000"}}
                defaults:
                  cache: {enabled: false}
                budgets:
                  - {name: hard, scope: global, window: day, limit: "1.00"}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1"))) {
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(
                    () -> gw.post("/v1/chat/completions", ask(600)));
            assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> held = gw.post("/v1/chat/completions", ask(600));
            HttpResponse<String> tooBig = gw.post("/v1/chat/completions", ask(1100));
            answer.countDown();

            assertThat(held.statusCode()).isEqualTo(429);
            JsonNode error = TestGateway.json(held.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("budget_exceeded");
            assertThat(error.get("message").asText()).isEqualTo("budget 'hard' is held by requests in flight: they "
                    + "reserve $0.60 of its $1.00 ($0.00 spent), leaving $0.40, less than this request's worst case "
                    + "of $0.60 (fast, up to 600 output tokens); retry in 2 s, as they settle, or lower max_tokens");
            assertThat(error.get("spent").asText()).isEqualTo("0");
            assertThat(error.get("reserved").asText()).isEqualTo("0.6");
            assertThat(held.headers().firstValue("retry-after")).hasValue("2");
            assertThat(held.headers().firstValue("x-should-retry")).isEmpty();
            // one that would not fit even with nothing in flight is refused until the budget resets
            assertThat(tooBig.statusCode()).isEqualTo(429);
            // what is unspent, and apart what requests in flight hold of it (settling, most for far less)
            assertThat(TestGateway.json(tooBig.body()).at("/error/message").asText()).startsWith(
                    "budget 'hard' has $1.00 of $1.00 unspent ($0.00 spent; $0.60 of it held by requests in flight, "
                            + "which settle to what they cost), less than this request's worst case of $1.10");
            assertThat(Long.parseLong(tooBig.headers().firstValue("retry-after").orElseThrow())).isGreaterThan(2);
            assertThat(tooBig.headers().firstValue("x-should-retry")).hasValue("false");

            assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            // settled at $0.01: the retry the refusal asked for fits
            assertThat(gw.post("/v1/chat/completions", ask(600)).statusCode()).isEqualTo(200);
        }
    }
}
