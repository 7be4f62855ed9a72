package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.RawConnection.Received;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.gateway.keys.VirtualKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A credential header sent twice with different values is refused, whichever comes first: a proxy in front of the
 * gateway may have checked the other one. So are different keys in {@code Authorization} and {@code x-api-key}.
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

    @Test
    void givenAVirtualKeyAndTheMasterKeyInTheTwoHeaders_whenSent_then400NamingBothWithNeitherValue() {
        try (TestGateway gw = new TestGateway("master_key: " + MASTER + "\nmodels: [{name: m, provider: sim}]",
                Map.of())) {
            String virtual = gw.keys.create(new VirtualKey("", "app", List.of(), Optional.empty(), BudgetWindow.DAY,
                    Optional.empty(), Optional.empty(), Map.of(), Instant.EPOCH, Optional.empty(), false,
                    Optional.empty())).secret();

            // Whichever header a proxy in front checked, the other must not decide who the caller is.
            Received masterInApiKey = get(gw, "Authorization: Bearer " + virtual, "x-api-key: " + MASTER);
            Received masterInAuthorization = get(gw, "Authorization: Bearer " + MASTER, "x-api-key: " + virtual);

            for (Received r : List.of(masterInApiKey, masterInAuthorization)) {
                assertThat(r.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
                assertThat(TestGateway.json(r.body()).path("error").path("message").asText())
                        .isEqualTo("Authorization and x-api-key carry different keys: send one key, or the same "
                                + "key in both");
                assertThat(r.text()).doesNotContain(MASTER).doesNotContain(virtual);
            }
        }
    }

    @Test
    void givenTheSameKeyInBothHeaders_whenSent_thenServed() {
        try (TestGateway gw = new TestGateway("master_key: " + MASTER + "\nmodels: [{name: m, provider: sim}]",
                Map.of())) {
            assertThat(get(gw, "Authorization: Bearer " + MASTER, "x-api-key: " + MASTER).statusLine())
                    .isEqualTo("HTTP/1.1 200 OK");
            assertThat(get(gw, "authorization: bearer  " + MASTER, "X-Api-Key: " + MASTER).statusLine())
                    .isEqualTo("HTTP/1.1 200 OK");
        }
    }
}
