package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.pipeline.BudgetBook;
import dev.costwise.llm.alert.Alert;
import dev.costwise.redis.SharedRedis;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica stopped while requests run past its {@code shutdown_grace}: at the grace their upstream calls are cut off,
 * no retry starts, each caller is answered, each attempt is ledgered, and each budget reservation is given back in
 * Redis before the replica lets go of Redis. The provider is OpenAI, faked in its chat completions format (JSON and
 * server-sent events) or Anthropic (its messages format, through the native adapter), and never answers the calls
 * the stop cuts off. The first test needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (skipped without
 * them, failed under CI=true).
 */
class GracefulStopEndToEndTest {
    private static final String MASTER = "sk-master-stop";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    @TempDir
    Path dir;

    private final String prefix = SharedRedis.randomPrefix();
    private final TestDatabases databases = new TestDatabases();
    private final CountDownLatch answerAsked = new CountDownLatch(1);
    /** Never counted down while the test runs: the provider holds the non-streamed answer until the test ends. */
    private final CountDownLatch testOver = new CountDownLatch(1);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private boolean usedRedis;

    @AfterEach
    void cleanUp() throws Exception {
        testOver.countDown();
        if (usedRedis) {
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
        databases.close();
    }

    @Test
    void givenCallsRunningPastTheGrace_whenTheReplicaStops_thenEachIsCutOffAnsweredLedgeredAndItsReservationFreed()
            throws Exception {
        SharedRedis.requireRunning();
        usedRedis = true;
        String ledgerUrl = databases.url("postgresql", dir, "stop");
        String text = OpenAiFake.streamText("gpt-4o-mini", "first", "never", "sent");
        int twoEvents = text.indexOf("\n\n", text.indexOf("\n\n") + 2) + 2;
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getBody().utf8().contains("\"stream\":true")) {
                    // the role chunk and the first word, then nothing for a minute
                    return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                            .body(text).throttleBody(twoEvents, 60, TimeUnit.SECONDS).build();
                }
                answerAsked.countDown();
                testOver.await(60, TimeUnit.SECONDS);
                return OpenAiFake.completion("gpt-4o-mini", "too late", 5, 5);
            }
        });
        GatewayConfig config = new ConfigLoader(Map.of("MASTER", MASTER)::get).parse("""
                server: {host: 127.0.0.1, port: 0, shutdown_grace: 200ms}
                master_key: ${MASTER}
                ledger: {url: "%s"}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s,
                     price: {input: "1.00", output: "1.00"}}
                defaults:
                  retry: {max_retries: 2}
                  cache: {enabled: false}
                budgets:
                  - {name: daily, scope: global, window: day, limit: "5.00"}
                redis: {url: "%s", key_prefix: %s}
                """.formatted(ledgerUrl, TestGateway.baseUrl(upstream) + "/v1", SharedRedis.URL, prefix),
                "stop.yaml");
        List<Alert> alerts = new CopyOnWriteArrayList<>();
        Gateway stopping = Gateway.builder(config).sleeper(d -> { }).redisAlerts(alerts::add).build().start();

        CompletableFuture<HttpResponse<String>> answered = client.sendAsync(chat(stopping, "stop-answer", false),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<InputStream> streamed = client.send(chat(stopping, "stop-stream", true),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader stream = new BufferedReader(new InputStreamReader(streamed.body(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        while (lines.stream().noneMatch(l -> l.contains("first"))) {
            lines.add(stream.readLine()); // the stream is relayed: its first word has reached the caller
        }
        assertThat(answerAsked.await(10, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        stopping.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        HttpResponse<String> cutOff = answered.get(10, TimeUnit.SECONDS);
        assertThat(cutOff.statusCode()).as(cutOff.body()).isEqualTo(503);
        assertThat(cutOff.body()).contains("shutting_down", "the gateway is shutting down");
        String rest = stream.lines().collect(Collectors.joining("\n"));
        assertThat(rest).as("the stream ends with an error event naming the stop").contains("cut off: the gateway is "
                + "shutting down").contains("[DONE]");
        assertThat(upstream.getRequestCount()).as("no retry starts after the grace").isEqualTo(2);
        assertThat(took).as("the stop does not wait for the calls a second time").isLessThan(Duration.ofSeconds(5));
        assertThat(alerts).as("Redis was never cut off from the requests").isEmpty();
        assertThat(ledgerRows(ledgerUrl)).containsExactlyInAnyOrder("stop-answer 1 FAILED connection 0",
                "stop-stream 1 FAILED connection 0.000012");
        try (Gateway replica = Gateway.builder(config).build()) {
            BudgetBook.Status daily = replica.budgets().statuses().getFirst();
            assertThat(daily.reserved().isZero()).as("nothing stays reserved in Redis: " + daily).isTrue();
            assertThat(daily.spent().toBigDecimal()).isEqualByComparingTo(new BigDecimal("0.000012"));
        }
    }

    @Test
    void givenANativeAdapterCallRunningPastTheGrace_whenTheReplicaStops_thenItIsCutOffAndAnsweredAtOnce()
            throws Exception {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                answerAsked.countDown();
                testOver.await(60, TimeUnit.SECONDS);
                return AnthropicFake.message("too late", "end_turn", null);
            }
        });
        TestGateway gw = TestGateway.of("""
                server: {shutdown_grace: 200ms}
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, base_url: %s, api_key: k,
                     price: {input: "3", output: "15"}}
                defaults:
                  retry: {max_retries: 2}
                """.formatted(TestGateway.baseUrl(upstream)));
        CompletableFuture<HttpResponse<String>> answered = CompletableFuture.supplyAsync(
                () -> gw.post("/v1/chat/completions", TestGateway.chat("claude", "hi")));
        assertThat(answerAsked.await(10, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        gw.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        HttpResponse<String> cutOff = answered.get(10, TimeUnit.SECONDS);
        assertThat(cutOff.statusCode()).as(cutOff.body()).isEqualTo(503);
        assertThat(cutOff.body()).contains("shutting_down");
        assertThat(upstream.getRequestCount()).as("no retry starts after the grace").isEqualTo(1);
        assertThat(gw.records()).singleElement().satisfies(r -> assertThat(r.outcome())
                .isEqualTo(dev.costwise.llm.cost.Outcome.FAILED));
    }

    private HttpRequest chat(Gateway gateway, String requestId, boolean stream) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + MASTER).header("Content-Type", "application/json")
                .header("x-request-id", requestId).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fast\",\"max_tokens\":100,\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + requestId + "\"}]}"))
                .build();
    }

    /** @return each ledger row as "request attempt outcome error_kind cost" */
    private static List<String> ledgerRows(String url) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT request_id, attempt, outcome, error_kind, cost FROM ledger")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getInt(2) + " " + rs.getString(3) + " " + rs.getString(4) + " "
                        + rs.getBigDecimal(5).stripTrailingZeros().toPlainString());
            }
        }
        return rows;
    }
}
