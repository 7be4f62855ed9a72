package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.RawConnection.Received;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.0 requests (nginx's default {@code proxy_http_version}, ApacheBench, some probes) are answered, one per
 * connection, without chunked coding, which HTTP/1.0 clients cannot read; HTTP/1.1 is served as before.
 */
class Http10EndToEndTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    private static TestGateway gateway() {
        return new TestGateway("models: [{name: m, provider: sim, model: gpt-4o-mini}]", Map.of());
    }

    private static String post(String version, String body, String... headers) {
        return "POST /v1/chat/completions " + version + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n" + String.join("", java.util.Arrays.stream(headers).map(h -> h + "\r\n")
                .toList()) + "\r\n" + body;
    }

    @Test
    void givenAnHttp10RequestWithoutHost_whenSent_thenAnsweredAndTheConnectionClosed() {
        try (TestGateway gw = gateway(); RawConnection client = new RawConnection(gw.gateway.port())) {
            Received r = client.send("GET /health HTTP/1.0\r\n\r\n").readUntilClosed(BOUND);

            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r.text()).contains("Connection: close").contains("Content-Length: 15");
            assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
            assertThat(r.closedByGateway()).isTrue();
        }
    }

    @Test
    void givenAnHttp10ChatAskingForKeepAlive_whenSent_thenAnsweredAndStillClosed() {
        try (TestGateway gw = gateway(); RawConnection client = new RawConnection(gw.gateway.port())) {
            Received r = client.send(post("HTTP/1.0", TestGateway.chat("m", "hi"), "Connection: keep-alive"))
                    .readUntilClosed(BOUND);

            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(TestGateway.json(r.body()).path("object").asText()).isEqualTo("chat.completion");
            assertThat(r.closedByGateway()).isTrue();
        }
    }

    @Test
    void givenAnHttp10StreamedChat_whenAnswered_thenTheEventsComeWholeWithoutChunkedCoding() {
        String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (TestGateway gw = gateway(); RawConnection client = new RawConnection(gw.gateway.port())) {
            Received r = client.send(post("HTTP/1.0", body)).readUntilClosed(BOUND);

            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r.text().toLowerCase()).doesNotContain("transfer-encoding").contains("connection: close");
            assertThat(r.body()).startsWith("data: {").endsWith("data: [DONE]\n\n");
            assertThat(TestGateway.dataChunks(r.body())).isNotEmpty().allSatisfy(chunk ->
                    assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk"));
            assertThat(r.closedByGateway()).isTrue();
        }
    }

    @Test
    void givenHttp11_whenTwoRequestsShareAConnection_thenBothAreAnsweredOnIt() {
        try (TestGateway gw = gateway(); RawConnection client = new RawConnection(gw.gateway.port())) {
            assertThat(client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").readAnswer(BOUND).statusLine())
                    .isEqualTo("HTTP/1.1 200 OK");
            Received second = client.send(post("HTTP/1.1", TestGateway.chat("m", "again"), "Host: x"))
                    .readAnswer(BOUND);

            assertThat(second.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(second.closedByGateway()).isFalse();
        }
    }
}
