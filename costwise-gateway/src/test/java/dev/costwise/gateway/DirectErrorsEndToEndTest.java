package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.gateway.RawConnection.Received;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the web server refuses before any endpoint runs (headers it cannot read, a body over its limit) is answered in
 * OpenAI's error shape, as every other error, and counted; not with an empty body.
 */
class DirectErrorsEndToEndTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    private static TestGateway gateway() {
        return new TestGateway("""
                server: {max_body_size: 64KB}
                models: [{name: m, provider: sim, model: gpt-4o-mini}]
                """, Map.of());
    }

    private static JsonNode refused(TestGateway gw, String request, String status) {
        try (RawConnection client = new RawConnection(gw.gateway.port())) {
            Received r = client.send(request).readUntilClosed(BOUND);
            assertThat(r.statusLine()).isEqualTo(status);
            assertThat(r.text()).contains("Content-Type: application/json");
            return TestGateway.json(r.body()).path("error");
        }
    }

    @Test
    void givenHeadersTheServerCannotRead_whenSent_then400InOpenAiShape() {
        try (TestGateway gw = gateway()) {
            for (String request : new String[] {
                    "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(65_536) + "\r\n\r\n",
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-costwise-tags: a=b\nX-Injected: 1\r\n\r\n",
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}"}) {
                JsonNode error = refused(gw, request, "HTTP/1.1 400 Bad Request");

                assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
                assertThat(error.path("code").asText()).isEqualTo("invalid_http");
                assertThat(error.path("message").asText()).startsWith("the request is not valid HTTP/1.1");
            }
        }
    }

    @Test
    void givenAContentLengthFarOverTheLimit_whenSent_then413InOpenAiShapeAndCounted() {
        try (TestGateway gw = gateway()) {
            JsonNode error = refused(gw, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + "1000000000000\r\n\r\n{}", "HTTP/1.1 413 Request Entity Too Large");

            assertThat(error.path("code").asText()).isEqualTo("body_too_large");
            assertThat(error.path("message").asText()).contains("65536 bytes").contains("server.max_body_size");
            assertThat(gw.get("/metrics").body())
                    .containsPattern("costwise_errors_total\\{code=\"body_too_large\",model=\"other\",status=\"413\"} "
                            + "1\\.0");
        }
    }
}
