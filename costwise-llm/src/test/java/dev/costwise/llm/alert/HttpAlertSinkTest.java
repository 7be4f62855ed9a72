package dev.costwise.llm.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slack incoming webhooks take {@code {"text": ...}} and answer 200 "ok" (https://api.slack.com/messaging/webhooks);
 * PagerDuty's Events API v2 takes a trigger event at /v2/enqueue and answers 202
 * (https://developer.pagerduty.com/docs/events-API-v2/trigger-events).
 */
class HttpAlertSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MockWebServer server = new MockWebServer();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final AlertDelivery settings = AlertDelivery.ofDefaults()
            .withHttpClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build())
            .withSleeper(waits::add);
    private final Alert alert = new Alert("cost", AlertSeverity.WARNING,
            "COST ALERT: spend in the last day is $100.01, above \"$100.00\"", "cost",
            Instant.parse("2026-11-27T10:00:00Z"));

    @BeforeEach
    void start() throws Exception {
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void givenAFailingEndpoint_whenItReturns500sThenOk_thenTheAlertIsDeliveredWithBackoff() throws Exception {
        server.enqueue(new MockResponse.Builder().code(500).body("rollup_error").build());
        server.enqueue(new MockResponse.Builder().code(503).build());
        server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        WebhookAlertSink sink = WebhookAlertSink.of(server.url("/services/T0/B0/XXX").uri(), settings);

        sink.send(alert);

        assertThat(sink.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(sink.stats()).isEqualTo(new DeliveryStats(1, 0, 0, 2));
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        RecordedRequest first = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(first.getHeaders().get("Content-Type")).isEqualTo("application/json");
        JsonNode body = JSON.readTree(first.getBody().utf8());
        assertThat(body.get("text").asText())
                .isEqualTo("[WARNING] COST ALERT: spend in the last day is $100.01, above \"$100.00\"");
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(sink.toString()).doesNotContain("XXX");
    }

    @Test
    void givenTheDefaultHttpClient_whenAWebhookIsPosted_thenItIsPlainHttp11WithoutAnHttp2Upgrade() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        WebhookAlertSink sink = WebhookAlertSink.of(server.url("/hook").uri(), AlertDelivery.ofDefaults());

        sink.send(alert);

        assertThat(sink.awaitIdle(Duration.ofSeconds(10))).isTrue();
        RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
        for (String http2Upgrade : List.of("Upgrade", "HTTP2-Settings", "Connection")) {
            assertThat(request.getHeaders().get(http2Upgrade)).as(http2Upgrade).isNull();
        }
        assertThat(sink.stats()).isEqualTo(new DeliveryStats(1, 0, 0, 0));
    }

    @Test
    void givenAnEndpointThatRefusesThePayload_whenSent_thenItIsNotRetried() throws Exception {
        server.enqueue(new MockResponse.Builder().code(400).body("invalid_payload").build());
        WebhookAlertSink sink = WebhookAlertSink.of(server.url("/hook").uri(), settings);

        sink.send(alert);

        assertThat(sink.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(sink.stats()).isEqualTo(new DeliveryStats(0, 1, 0, 0));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenAStalledDeliveryThread_whenAlertsPileUp_thenSendNeverBlocksAndTheOverflowIsDroppedAndCounted()
            throws Exception {
        List<Runnable> parked = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        }
        WebhookAlertSink sink = WebhookAlertSink.of(server.url("/hook").uri(),
                settings.withExecutor(parked::add).withQueueCapacity(2));

        for (int i = 0; i < 5; i++) {
            sink.send(alert); // returns although nothing is being delivered
        }

        assertThat(sink.stats().dropped()).isEqualTo(3);
        assertThat(parked).hasSize(1);
        parked.getFirst().run();
        assertThat(sink.stats()).isEqualTo(new DeliveryStats(2, 0, 3, 0));
    }

    @Test
    void givenPagerDuty_whenTriggered_thenPostsAnEventsV2TriggerAndHonoursRetryAfterOn429() throws Exception {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "3").build());
        server.enqueue(new MockResponse.Builder().code(202)
                .body("{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"budget:daily\"}")
                .build());
        PagerDutyAlertSink sink = PagerDutyAlertSink.of(server.url("/").uri(), "R0UT1NGKEY", "costwise-gateway",
                settings);
        Alert critical = new Alert("budget", AlertSeverity.CRITICAL, "BUDGET ALERT: daily budget 'daily' exceeded",
                "budget:daily", Instant.parse("2026-11-27T10:00:00Z"));

        sink.send(critical);

        assertThat(sink.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(sink.stats()).isEqualTo(new DeliveryStats(1, 0, 0, 1));
        assertThat(waits).containsExactly(Duration.ofSeconds(3));
        RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v2/enqueue");
        JsonNode body = JSON.readTree(request.getBody().utf8());
        assertThat(body.get("routing_key").asText()).isEqualTo("R0UT1NGKEY");
        assertThat(body.get("event_action").asText()).isEqualTo("trigger");
        assertThat(body.get("dedup_key").asText()).isEqualTo("budget:daily");
        assertThat(body.at("/payload/summary").asText()).isEqualTo("BUDGET ALERT: daily budget 'daily' exceeded");
        assertThat(body.at("/payload/source").asText()).isEqualTo("costwise-gateway");
        assertThat(body.at("/payload/severity").asText()).isEqualTo("critical");
        assertThat(sink.toString()).doesNotContain("R0UT1NGKEY");
    }

    @Test
    void givenAThresholdRuleWithAWebhook_whenTheConditionHolds_thenOnePostPerCooldown() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        WebhookAlertSink sink = WebhookAlertSink.of(server.url("/hook").uri(), settings);
        dev.costwise.llm.budget.MutableClock clock = new dev.costwise.llm.budget.MutableClock(
                Instant.parse("2026-11-27T10:00:00Z"));
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).rules(AlertRules.specDefaults()).sink(sink)
                .build();

        for (int i = 0; i < 50; i++) {
            alerts.onSpend(dev.costwise.core.Money.of("10"));
        }
        clock.advance(Duration.ofHours(1));
        alerts.onSpend(dev.costwise.core.Money.of("10"));

        assertThat(sink.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(alerts.suppressedCount()).isEqualTo(40); // spends 11 to 50 of the first hour ($100 fires)
    }

    @Test
    void givenBadSettings_whenBuilt_thenTheErrorNamesThem() {
        assertThatThrownBy(() -> settings.withQueueCapacity(0)).hasMessageContaining("queueCapacity")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> WebhookAlertSink.of(URI.create("ftp://x"), settings)).hasMessageContaining("ftp");
        assertThatThrownBy(() -> PagerDutyAlertSink.of(" ", "src")).hasMessageContaining("routingKey");
    }
}
