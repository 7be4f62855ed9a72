package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.redis.OwnRedisServer;
import dev.costwise.redis.SharedRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A replica whose Redis comes back empty (restarted without persistence) lets requests through Redis again as soon as
 * the probe answers, whatever the number of budget windows it knows: none is read from the ledger before that, each is
 * rebuilt from the ledger when it is next used or read. Runs its own redis-server child process.
 */
class RedisRecoveryEndToEndTest {
    private static final String MASTER = "sk-master-recovery";
    private static final int USERS = 20;

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final MemorySpendLedger memory = new MemorySpendLedger();
    /** Ledger sums made by the Redis probe thread, which holds requests back while it runs. */
    private final AtomicInteger sumsWhileRecovering = new AtomicInteger();
    private final SpendLedger ledger = new SpendLedger() {
        @Override
        public void append(CostRecord record) {
            memory.append(record);
        }

        @Override
        public void flush() {
            memory.flush();
        }

        @Override
        public Money totalCost(Map<String, String> match, Instant from, Instant to) {
            if (Thread.currentThread().getName().equals("costwise-redis-probe")) {
                sumsWhileRecovering.incrementAndGet();
            }
            return memory.totalCost(match, from, to);
        }

        @Override
        public void close() {
            memory.close();
        }
    };
    private final CountDownLatch down = new CountDownLatch(1);
    private final CountDownLatch back = new CountDownLatch(1);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Gateway replica(String redisUrl, String prefix) {
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
                  - {name: daily, scope: global, window: day, limit: "10"}
                  - {name: per-user, scope: user, window: day, limit: "1"}
                redis: {url: "%s", key_prefix: %s, local_share: 0.5, timeout: 2s}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1", redisUrl, prefix), "recovery.yaml");
        return Gateway.builder(config).ledger(ledger).redisAlerts(alert -> {
            switch (alert.rule()) {
                case "redis-unavailable" -> down.countDown();
                case "redis-recovered" -> back.countDown();
                default -> { }
            }
        }).build().start();
    }

    @Test
    void givenManyBudgetWindows_whenRedisComesBackEmpty_thenSharingResumesWithoutReadingThemAndEachIsRebuiltOnUse()
            throws Exception {
        upstream.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public mockwebserver3.MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                return OpenAiFake.completion("gpt-4o-mini", "ok", 5, 100);
            }
        });
        String prefix = SharedRedis.randomPrefix();
        try (OwnRedisServer server = OwnRedisServer.start(); Gateway gateway = replica(server.url(), prefix)) {
            for (int u = 1; u <= USERS; u++) {
                assertThat(chat(gateway, "user-" + u).statusCode()).isEqualTo(200);
            }

            server.stop();
            assertThat(chat(gateway, "user-1").statusCode()).isEqualTo(200); // served on this replica's share
            assertThat(down.await(10, TimeUnit.SECONDS)).isTrue();
            server.restart(); // empty: every window is gone
            assertThat(back.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(sumsWhileRecovering).as("ledger sums run before requests may use Redis again").hasValue(0);
            Money ledgerSpend = memory.totalCost(Map.of(), Instant.EPOCH, Instant.MAX);
            JsonNode daily = budgets(gateway).at("/data/0");
            assertThat(daily.get("name").asText()).isEqualTo("daily");
            assertThat(Money.of(daily.get("spent").asText())).as("read: rebuilt from the ledger")
                    .isEqualTo(ledgerSpend);
            assertThat(chat(gateway, "user-2").statusCode()).isEqualTo(200);
            assertThat(SharedRedis.keys(server.url(), prefix + ":budget:*")).as("through Redis again").isNotEmpty();
            Money after = memory.totalCost(Map.of(), Instant.EPOCH, Instant.MAX);
            assertThat(Money.of(budgets(gateway).at("/data/0").get("spent").asText())).isEqualTo(after);
        }
    }

    private HttpResponse<String> chat(Gateway gateway, String user) {
        return send(HttpRequest.newBuilder(uri(gateway, "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fast\",\"max_tokens\":100,\"user\":\""
                        + user + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
    }

    private JsonNode budgets(Gateway gateway) {
        return TestGateway.json(send(HttpRequest.newBuilder(uri(gateway, "/v1/budgets")).GET()).body());
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
