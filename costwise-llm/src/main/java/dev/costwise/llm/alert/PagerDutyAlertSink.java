package dev.costwise.llm.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Objects;

/**
 * Triggers PagerDuty incidents through the Events API v2: {@code POST {base}/v2/enqueue} with
 * {@code {"routing_key", "event_action": "trigger", "dedup_key", "payload": {"summary", "source", "severity"}}}.
 * Alerts of one condition share a {@code dedup_key}, so repeats join one incident.
 *
 * <p>{@link #send} only queues the alert (see {@link AlertDelivery}); PagerDuty's 429 and 5xx are retried with
 * backoff, its 400 (invalid event) is not. The routing key is a secret: never logged, never in {@link #toString()}.
 * Thread-safe.
 */
public final class PagerDutyAlertSink implements AlertSink, AutoCloseable {

    /** PagerDuty's Events API host. */
    public static final URI DEFAULT_BASE = URI.create("https://events.pagerduty.com");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_SUMMARY = 1024;
    private static final int MAX_DEDUP_KEY = 255;

    private final String routingKey;
    private final String source;
    private final QueuedDelivery delivery;

    private PagerDutyAlertSink(URI base, String routingKey, String source, AlertDelivery settings) {
        this.routingKey = routingKey;
        this.source = source;
        URI endpoint = URI.create(base.toString().replaceAll("/+$", "") + "/v2/enqueue");
        this.delivery = new QueuedDelivery("pagerduty alert sink", settings,
                alert -> HttpRequest.newBuilder(endpoint).timeout(settings.requestTimeout())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body(alert))).build());
    }

    /**
     * A sink sending to PagerDuty's public endpoint with default delivery settings.
     *
     * @param routingKey the integration key of the Events API v2 integration
     * @param source names the affected system in incidents (for example the gateway's host name)
     * @return the sink
     */
    public static PagerDutyAlertSink of(String routingKey, String source) {
        return of(DEFAULT_BASE, routingKey, source, AlertDelivery.ofDefaults());
    }

    /**
     * A sink sending to {@code base}{@code /v2/enqueue}.
     *
     * @param base the Events API host, {@link #DEFAULT_BASE} in production
     * @param routingKey the integration key
     * @param source names the affected system
     * @param settings queue, retries and HTTP client
     * @return the sink
     * @throws IllegalArgumentException if the routing key or source is blank
     */
    public static PagerDutyAlertSink of(URI base, String routingKey, String source, AlertDelivery settings) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(settings, "settings");
        if (routingKey.isBlank()) {
            throw new IllegalArgumentException("PagerDuty routingKey cannot be blank");
        }
        if (source.isBlank()) {
            throw new IllegalArgumentException("PagerDuty source cannot be blank");
        }
        return new PagerDutyAlertSink(base, routingKey, source, settings);
    }

    String body(Alert alert) {
        ObjectNode node = JSON.createObjectNode();
        node.put("routing_key", routingKey);
        node.put("event_action", "trigger");
        node.put("dedup_key", truncate(alert.dedupKey(), MAX_DEDUP_KEY));
        ObjectNode payload = node.putObject("payload");
        payload.put("summary", truncate(alert.message(), MAX_SUMMARY));
        payload.put("source", source);
        payload.put("severity", alert.severity().wireName());
        payload.put("timestamp", alert.at().toString());
        return node.toString();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    @Override
    public void send(Alert alert) {
        delivery.offer(Objects.requireNonNull(alert, "alert"));
    }

    /** @return what was delivered, failed, dropped and retried so far */
    public DeliveryStats stats() {
        return delivery.stats();
    }

    /**
     * Waits until every queued alert has been delivered or given up on.
     *
     * @param timeout the longest wait
     * @return {@code true} if the queue drained in time
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return delivery.awaitIdle(timeout);
    }

    /** Stops the sink's own delivery thread pool, if it made one. */
    @Override
    public void close() {
        delivery.close();
    }

    @Override
    public String toString() {
        return "PagerDutyAlertSink[source=" + source + ", routingKey=<redacted>]";
    }
}
