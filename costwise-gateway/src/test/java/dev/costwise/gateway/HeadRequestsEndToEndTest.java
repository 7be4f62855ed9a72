package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.RawConnection.Received;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code HEAD} on a {@code GET} endpoint answers as {@code GET} does, without the body (RFC 9110, 9.3.2). */
class HeadRequestsEndToEndTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    @Test
    void givenGetEndpoints_whenAskedWithHead_thenTheirStatusAndLengthWithoutABodyOnAConnectionStillUsable() {
        try (TestGateway gw = new TestGateway("""
                master_key: sk-master-0123456789abcdef
                models: [{name: m, provider: sim}]
                """, Map.of()); RawConnection client = new RawConnection(gw.gateway.port())) {
            String health = gw.get("/health").body();

            Received head = client.send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n").readHead(BOUND);
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(head.text()).contains("Content-Length: " + health.length())
                    .contains("Content-Type: application/json");

            // no body came with it: the next answer on the connection starts right after the head
            Received models = client.send("HEAD /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .readUntilClosed(BOUND);
            assertThat(models.statusLine()).as("a HEAD needs the key its GET needs").isEqualTo(
                    "HTTP/1.1 401 Unauthorized");
            assertThat(models.body()).isEmpty();
        }
    }

    @Test
    void givenAPostEndpoint_whenAskedWithHead_then405ListingItsMethods() {
        try (TestGateway gw = new TestGateway("models: [{name: m, provider: sim}]", Map.of())) {
            var res = gw.request("HEAD", "/v1/chat/completions", java.net.http.HttpRequest.BodyPublishers.noBody());

            assertThat(res.statusCode()).isEqualTo(405);
            assertThat(res.headers().firstValue("Allow")).hasValue("POST");
        }
    }
}
