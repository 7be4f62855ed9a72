package dev.costwise.llm.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Objects;

/**
 * Posts alerts as {@code {"text": "..."}} JSON, the body a Slack incoming webhook (and Mattermost, Discord's
 * {@code /slack} endpoint, most chat tools) accepts.
 *
 * <p>{@link #send} only queues the alert: delivery runs in the background with retries and backoff as configured by
 * {@link AlertDelivery}, so a slow or failing endpoint never blocks a request. The URL is a secret (it authorises
 * posting) and is never logged. Thread-safe.
 */
public final class WebhookAlertSink implements AlertSink, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final QueuedDelivery delivery;

    private WebhookAlertSink(URI url, AlertDelivery settings) {
        this.delivery = new QueuedDelivery("webhook alert sink", settings, alert -> request(url, settings, alert));
    }

    /**
     * A sink posting to {@code url} with the default delivery settings.
     *
     * @param url the webhook URL
     * @return the sink
     */
    public static WebhookAlertSink of(URI url) {
        return of(url, AlertDelivery.ofDefaults());
    }

    /**
     * A sink posting to {@code url}.
     *
     * @param url the webhook URL
     * @param settings queue, retries and HTTP client
     * @return the sink
     * @throws IllegalArgumentException if {@code url} is not http or https
     */
    public static WebhookAlertSink of(URI url, AlertDelivery settings) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(settings, "settings");
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
            throw new IllegalArgumentException("webhook URL must be http or https, was scheme '" + url.getScheme()
                    + "'");
        }
        return new WebhookAlertSink(url, settings);
    }

    /**
     * The JSON body sent for an alert.
     *
     * @param alert the alert
     * @return {@code {"text": "[SEVERITY] message"}}
     */
    public static String body(Alert alert) {
        ObjectNode node = JSON.createObjectNode();
        node.put("text", "[" + alert.severity().name() + "] " + alert.message());
        return node.toString();
    }

    private static HttpRequest request(URI url, AlertDelivery settings, Alert alert) {
        // HTTP/1.1 whatever the client prefers: on http:// the JDK client's HTTP/2 default adds "Upgrade: h2c", which
        // strict HTTP/1.1 receivers and proxies refuse
        return HttpRequest.newBuilder(url).version(HttpClient.Version.HTTP_1_1).timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(alert))).build();
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
     * Waits until every queued alert has been delivered or given up on (for shutdown and tests).
     *
     * @param timeout the longest wait
     * @return {@code true} if the queue drained in time
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return delivery.awaitIdle(timeout);
    }

    /** Stops the sink's own delivery thread pool, if it made one; queued alerts are still attempted. */
    @Override
    public void close() {
        delivery.close();
    }

    @Override
    public String toString() {
        return "WebhookAlertSink[url=<redacted>]";
    }
}
