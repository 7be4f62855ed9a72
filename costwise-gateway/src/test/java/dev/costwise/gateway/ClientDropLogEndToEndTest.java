package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.RawConnection.Received;
import io.helidon.http.DirectHandler;
import io.helidon.http.RequestException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that closes its connection in the middle of a request (a scanner, a probe, a mobile network that drops)
 * costs no stack trace in the log, where one per connection would flood it (a body cut short is the client's fault,
 * a 400, not an internal error); a real error of the web server still shows with its stack trace.
 */
class ClientDropLogEndToEndTest {
    /** What the web server's loggers publish ({@code java.util.logging}, as the console shows it). */
    private final List<LogRecord> serverLog = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            serverLog.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureServerLog() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void givenClientsThatCloseMidRequest_whenServed_thenNoStackTraceIsLoggedForThem() {
        List<String> halves = List.of(
                "GET /v1/mod",
                "GET /v1/models HTTP/1.1\r\nHost: x\r\nAcc",
                "GET /v1/models HTTP/1.0\r\nAcc",
                "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"model\":");
        PrintStream original = System.err;
        ByteArrayOutputStream gatewayLog = new ByteArrayOutputStream();
        System.setErr(new PrintStream(gatewayLog, true, StandardCharsets.UTF_8)); // slf4j-simple writes there
        List<Received> answers = new ArrayList<>();
        try (TestGateway gw = new TestGateway("models: [{name: m, provider: sim}]", Map.of())) {
            for (String half : halves) {
                try (RawConnection client = new RawConnection(gw.gateway.port())) {
                    // Once the gateway has closed the connection, it has logged whatever it logs for it.
                    answers.add(client.send(half).closeOutput().readUntilClosed(Duration.ofSeconds(10)));
                }
            }
        } finally {
            System.setErr(original);
        }

        assertThat(serverLog).filteredOn(r -> r.getThrown() != null).extracting(LogRecord::getMessage).isEmpty();
        assertThat(gatewayLog.toString(StandardCharsets.UTF_8)).doesNotContain("internal error")
                .doesNotContain("Exception");

        assertThat(answers).allMatch(Received::closedByGateway);
        Received halfBody = answers.getLast();
        assertThat(halfBody.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
        assertThat(TestGateway.json(halfBody.body()).path("error").path("message").asText())
                .isEqualTo("the request body ended early: the client closed the connection before sending all of it");
    }

    @Test
    void givenARealErrorOfTheWebServer_whenLogged_thenItShowsWithItsStackTrace() {
        try (TestGateway gw = new TestGateway("models: [{name: m, provider: sim}]", Map.of())) {
            // As the server logs a request it failed on (Http1Connection.handleRequestException).
            System.getLogger("io.helidon.webserver.http1.Http1Connection").log(System.Logger.Level.WARNING,
                    "Internal server error", RequestException.builder().type(DirectHandler.EventType.INTERNAL_ERROR)
                            .message("Internal error").cause(new IllegalStateException("a bug")).build());
        }

        assertThat(serverLog).filteredOn(r -> r.getThrown() != null)
                .extracting(r -> r.getThrown().getCause().getMessage()).containsExactly("a bug");
    }
}
