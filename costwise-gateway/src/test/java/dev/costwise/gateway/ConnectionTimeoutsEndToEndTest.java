package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.RawConnection.Received;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A client cannot hold a connection without sending what it owes: half a header, a body that stops, or a kept-alive
 * connection with no next request lose their connection after {@code header_timeout} or {@code idle_timeout}; a
 * request whose answer takes longer is not cut. The waits are bounded reads: the gateway closes the connection well
 * before the bound, or the test fails.
 */
class ConnectionTimeoutsEndToEndTest {
    /** Far longer than the timeouts below: reaching it means the gateway kept the connection open. */
    private static final Duration BOUND = Duration.ofSeconds(10);

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway(String connections) {
        return TestGateway.of("""
                server: {%s}
                models:
                  - {name: m, provider: openai, model: gpt-4o-mini, base_url: %s/v1, price: {input: "1", output: "2"}}
                """.formatted(connections, TestGateway.baseUrl(upstream)));
    }

    @Test
    void givenHalfAHeader_whenTheHeaderTimeoutPasses_thenTheGatewayClosesTheConnection() {
        try (TestGateway gw = gateway("header_timeout: 300ms");
                RawConnection slow = new RawConnection(gw.gateway.port())) {
            slow.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: a");

            Received r = slow.readUntilClosed(BOUND);

            assertThat(r.closedByGateway()).as("closed, not left open until the test's bound").isTrue();
            assertThat(r.text()).isEmpty();
        }
    }

    @Test
    void givenNothingSent_whenTheHeaderTimeoutPasses_thenTheGatewayClosesTheConnection() {
        try (TestGateway gw = gateway("header_timeout: 300ms");
                RawConnection silent = new RawConnection(gw.gateway.port())) {
            assertThat(silent.readUntilClosed(BOUND).closedByGateway()).isTrue();
        }
    }

    @Test
    void givenABodyThatStops_whenTheHeaderTimeoutPasses_thenTheGatewayClosesTheConnectionWithoutAnErrorLogged() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
        try (TestGateway gw = gateway("header_timeout: 300ms");
                RawConnection slow = new RawConnection(gw.gateway.port())) {
            slow.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"model\":");

            assertThat(slow.readUntilClosed(BOUND).closedByGateway()).isTrue();
            assertThat(upstream.getRequestCount()).isZero();
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).as("a client's pause is no internal error")
                .doesNotContain("ERROR", "internal error");
    }

    @Test
    void givenAKeptAliveConnection_whenIdleLongerThanTheIdleTimeout_thenClosedAfterItsAnswer() {
        try (TestGateway gw = gateway("header_timeout: 30s, idle_timeout: 300ms");
                RawConnection client = new RawConnection(gw.gateway.port())) {
            Received answer = client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").readAnswer(BOUND);
            assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 200 OK");

            assertThat(client.readUntilClosed(BOUND).closedByGateway()).isTrue();
        }
    }

    @Test
    void givenConnectionClose_whenAnswered_thenTheGatewayEndsTheConnection() {
        try (TestGateway gw = gateway("header_timeout: 30s, idle_timeout: 60s");
                RawConnection client = new RawConnection(gw.gateway.port())) {
            Received r = client.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .readUntilClosed(BOUND);

            assertThat(r.closedByGateway()).as("closed after the answer, not kept for the idle timeout").isTrue();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r.text()).contains("Connection: close");
            assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
        }
    }

    @Test
    void givenAnAnswerSlowerThanTheTimeouts_whenRequested_thenTheConnectionIsNotCut() {
        upstream.enqueue(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS)
                .addHeader("Content-Type", "application/json")
                .body("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"late\"},"
                        + "\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}")
                .build());
        String chat = TestGateway.chat("m", "take your time");
        try (TestGateway gw = gateway("header_timeout: 300ms, idle_timeout: 300ms");
                RawConnection client = new RawConnection(gw.gateway.port())) {
            Received answer = client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    + "application/json\r\nContent-Length: " + chat.length() + "\r\n\r\n" + chat).readAnswer(BOUND);

            assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(answer.body()).contains("late");
        }
    }

    @Test
    void givenMaxConnectionsReached_whenAnotherClientConnects_thenServedOnlyOnceAConnectionCloses() {
        try (TestGateway gw = gateway("max_connections: 2");
                RawConnection first = new RawConnection(gw.gateway.port());
                RawConnection second = new RawConnection(gw.gateway.port());
                RawConnection third = new RawConnection(gw.gateway.port())) {
            assertThat(first.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").readAnswer(BOUND).statusLine())
                    .isEqualTo("HTTP/1.1 200 OK");
            assertThat(second.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").readAnswer(BOUND).statusLine())
                    .isEqualTo("HTTP/1.1 200 OK");

            third.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(third.readUntilClosed(Duration.ofMillis(500)).text()).as("waits in the listen queue")
                    .isEmpty();
            first.close();

            assertThat(third.readAnswer(BOUND).statusLine()).isEqualTo("HTTP/1.1 200 OK");
        }
    }
}
