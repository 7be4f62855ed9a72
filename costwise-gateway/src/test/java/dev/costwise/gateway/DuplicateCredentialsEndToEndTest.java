package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.RawConnection.Received;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A credential header sent twice with different values is refused, whichever comes first: a proxy in front of the
 * gateway may have checked the other one.
 */
class DuplicateCredentialsEndToEndTest {
    private static final String MASTER = "sk-master-0123456789abcdef";

    private static Received get(TestGateway gw, String... headers) {
        try (RawConnection client = new RawConnection(gw.gateway.port())) {
            return client.send("GET /v1/keys HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + String.join("\r\n",
                    headers) + "\r\n\r\n").readUntilClosed(Duration.ofSeconds(10));
        }
    }

    @Test
    void givenTwoDifferentAuthorizationHeaders_whenSent_then400EitherWay() {
        try (TestGateway gw = new TestGateway("master_key: " + MASTER + "\nmodels: [{name: m, provider: sim}]",
                Map.of())) {
            Received masterFirst = get(gw, "Authorization: Bearer " + MASTER, "Authorization: Bearer wrong");
            Received masterLast = get(gw, "Authorization: Bearer wrong", "Authorization: Bearer " + MASTER);
            Received apiKeys = get(gw, "x-api-key: " + MASTER, "x-api-key: wrong");

            assertThat(masterFirst.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
            assertThat(TestGateway.json(masterFirst.body()).path("error").path("message").asText())
                    .isEqualTo("Authorization: sent 2 times with different values: send one key");
            assertThat(TestGateway.json(masterFirst.body()).path("error").path("param").asText())
                    .isEqualTo("Authorization");
            assertThat(masterLast.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
            assertThat(apiKeys.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
            assertThat(masterFirst.body() + masterLast.body()).doesNotContain(MASTER);
        }
    }

    @Test
    void givenTheSameAuthorizationTwice_whenSent_thenServed() {
        try (TestGateway gw = new TestGateway("master_key: " + MASTER + "\nmodels: [{name: m, provider: sim}]",
                Map.of())) {
            assertThat(get(gw, "Authorization: Bearer " + MASTER, "Authorization: Bearer " + MASTER).statusLine())
                    .isEqualTo("HTTP/1.1 200 OK");
        }
    }
}
