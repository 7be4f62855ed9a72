package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import dev.costwise.redis.OwnRedisServer;
import dev.costwise.redis.SharedRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
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
 * Budgets on replicas cut off from Redis: what a refusal says and what {@code /v1/budgets} shows are what the replica
 * knows (the shared ledger and its own calls), not the counters it had when Redis went away. Each test runs its own
 * redis-server child process and stops it; the provider is OpenAI, faked in its chat completions format. Every call
 * answers 5 + 1000 tokens at $10 per 1M: $0.01005, against a worst case of $0.01008 reserved.
 */
class RedisOutageBudgetEndToEndTest {
    private static final String MASTER = "sk-master-outage";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final MemorySpendLedger ledger = new MemorySpendLedger();
    private final MovableClock clock = new MovableClock(SharedRedis.TODAY_AT_TEN);
    private final CountDownLatch heldArrived = new CountDownLatch(1);
    private final CountDownLatch releaseHeld = new CountDownLatch(1);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private void answerEveryCall() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getBody().utf8().contains("held")) {
                    heldArrived.countDown();
                    releaseHeld.await(20, TimeUnit.SECONDS);
                }
                return OpenAiFake.completion("gpt-4o-mini", "ok", 5, 1000);
            }
        });
    }

    private Gateway replica(String redisUrl) {
        GatewayConfig config = new ConfigLoader(Map.of("MASTER", MASTER)::get).parse("""
                server: {host: 127.0.0.1, port: 0, request_timeout: 30s}
                master_key: ${MASTER}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s,
                     price: {input: "10.00", output: "10.00"}}
                defaults:
                  retry: {max_retries: 0}
                  cache: {enabled: false}
                budgets:
                  - {name: daily, scope: global, window: day, limit: "0.05"}
                redis: {url: "%s", key_prefix: outage, local_share: 0.5, timeout: 2s}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1", redisUrl), "outage.yaml");
        return Gateway.builder(config).ledger(ledger).clock(clock).sleeper(d -> { }).build().start();
    }

    @Test
    void givenACallInFlightWhenRedisDies_whenItSettlesAndTheBudgetIsSpent_thenTheRefusalSaysSpentNotHeldInFlight()
            throws Exception {
        answerEveryCall();
        try (OwnRedisServer server = OwnRedisServer.start(); Gateway a = replica(server.url());
                Gateway b = replica(server.url())) {
            assertThat(chat(a, "one").statusCode()).isEqualTo(200);
            assertThat(chat(a, "two").statusCode()).isEqualTo(200);
            CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> chat(b, "held"));
            assertThat(heldArrived.await(10, TimeUnit.SECONDS)).isTrue();
            // a's settle reads the bucket from Redis: $0.03015 spent, b's $0.01008 reserved
            assertThat(chat(a, "three").statusCode()).isEqualTo(200);

            server.stop();
            JsonNode during = budget(a); // a falls back: the ledger's $0.03015, and b's call held as in flight
            assertThat(Money.of(during.get("spent").asText())).isEqualTo(Money.of("0.03015"));
            assertThat(Money.of(during.get("reserved").asText())).isEqualTo(Money.of("0.01008"));
            releaseHeld.countDown();
            assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200); // its row is in the ledger
            clock.advance(Duration.ofSeconds(2));

            HttpResponse<String> refused = chat(a, "four");

            // $0.0402 spent of $0.05 leaves less than the $0.01008 worst case: spent, not held by calls in flight
            assertThat(refused.statusCode()).isEqualTo(429);
            JsonNode error = TestGateway.json(refused.body()).get("error");
            assertThat(error.get("message").asText()).startsWith("budget 'daily' has $0.0098 of $0.05 unspent")
                    .contains("retry after it resets");
            assertThat(Money.of(error.get("spent").asText())).isEqualTo(Money.of("0.0402"));
            assertThat(refused.headers().firstValue("x-should-retry")).hasValue("false");
            assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow()))
                    .as("until the day resets").isGreaterThan(3600);

            clock.advance(Duration.ofMinutes(2)); // every call in flight when Redis died has ended by now
            JsonNode after = budget(a);
            assertThat(Money.of(after.get("spent").asText())).isEqualTo(Money.of("0.0402"));
            assertThat(Money.of(after.get("reserved").asText())).isEqualTo(Money.ZERO);
            assertThat(TestGateway.json(chat(a, "five").body()).at("/error/message").asText())
                    .startsWith("budget 'daily' has $0.0098 of $0.05 left, less than this request's worst case")
                    .doesNotContain("in flight");
        }
    }

    @Test
    void givenRedisDown_whenOnlyThisReplicasShareIsSpent_thenTheRefusalNamesTheShareNotTheBudgetAsTooSmall()
            throws Exception {
        answerEveryCall();
        try (OwnRedisServer server = OwnRedisServer.start()) {
            server.stop();
            try (Gateway a = replica(server.url())) {
                assertThat(chat(a, "one").statusCode()).isEqualTo(200);
                assertThat(chat(a, "two").statusCode()).isEqualTo(200);

                HttpResponse<String> refused = chat(a, "three");

                // local_share 0.5 of $0.05: $0.025, and $0.0201 is spent; the budget itself has $0.0299 left
                assertThat(refused.statusCode()).isEqualTo(429);
                assertThat(TestGateway.json(refused.body()).at("/error/message").asText()).isEqualTo(
                        "budget 'daily' has room, $0.0201 spent of $0.05, but Redis, which replicas share it through,"
                                + " is unreachable: until it answers this replica may count only its share, $0.025, "
                                + "leaving $0.0049, less than this request's worst case of $0.01009 (fast, up to "
                                + "1,000 output tokens); retry later, or lower max_tokens");
                assertThat(refused.headers().firstValue("retry-after")).hasValue("30");
                assertThat(refused.headers().firstValue("x-should-retry")).hasValue("false");
            }
        }
    }

    private HttpResponse<String> chat(Gateway gateway, String prompt) {
        return send(HttpRequest.newBuilder(uri(gateway, "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fast\",\"max_tokens\":1000,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}")));
    }

    /** @return the {@code daily} budget as {@code /v1/budgets} shows it */
    private JsonNode budget(Gateway gateway) {
        return TestGateway.json(send(HttpRequest.newBuilder(uri(gateway, "/v1/budgets")).GET()).body())
                .at("/data/0");
    }

    private static URI uri(Gateway gateway, String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.header("Authorization", "Bearer " + MASTER).timeout(Duration.ofSeconds(20))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
