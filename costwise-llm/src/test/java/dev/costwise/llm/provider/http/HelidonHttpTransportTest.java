package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HelidonHttpTransportTest {

    private MockWebServer server;
    private HelidonHttpTransport transport;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        transport = HelidonHttpTransport.builder().connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofMillis(500)).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private URI uri(String path) {
        return URI.create(server.url(path).toString());
    }

    @Test
    void givenTwoCalls_whenSent_thenTheSecondReusesTheKeptAliveConnection() throws Exception {
        server.enqueue(new MockResponse.Builder().body("{\"n\":1}").build());
        server.enqueue(new MockResponse.Builder().code(404).addHeader("X-Request-Id", "r2").body("{}").build());

        HttpResult first = transport.send(HttpCall.postJson(uri("/a"), Map.of("X-Extra", "1"),
                "{\"q\":1}".getBytes(StandardCharsets.UTF_8)));
        HttpResult second = transport.send(new HttpCall("GET", uri("/b"), Map.of(), new byte[0]));

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.bodyText()).isEqualTo("{\"n\":1}");
        assertThat(second.status()).isEqualTo(404);
        assertThat(second.headers().first("x-request-id")).contains("r2");
        RecordedRequest a = server.takeRequest();
        RecordedRequest b = server.takeRequest();
        assertThat(a.getHeaders().get("X-Extra")).isEqualTo("1");
        assertThat(a.getBody().utf8()).isEqualTo("{\"q\":1}");
        assertThat(b.getMethod()).isEqualTo("GET");
        assertThat(b.getConnectionIndex()).isEqualTo(a.getConnectionIndex());
        assertThat(b.getExchangeIndex()).isEqualTo(1);
    }

    @Test
    void givenSlowHeaders_whenSent_thenReadTimeoutTyped() {
        server.enqueue(new MockResponse.Builder().headersDelay(3, TimeUnit.SECONDS).body("{}").build());

        TransportTimeoutException e = catchThrowableOfType(TransportTimeoutException.class,
                () -> transport.send(HttpCall.postJson(uri("/slow"), Map.of(), new byte[0])));

        assertThat(e.phase()).isEqualTo(TransportTimeoutException.Phase.READ);
        assertThat(e.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(e).hasMessage("read timed out after 500 ms");
    }

    @Test
    void givenNothingListening_whenSent_thenIoException() {
        URI closed = uri("/x");
        server.close();

        assertThatThrownBy(() -> transport.send(HttpCall.postJson(closed, Map.of(), new byte[0])))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(TransportTimeoutException.class);
    }

    @Test
    void givenAHostThatDoesNotResolve_whenSentOrStreamed_thenUnknownHostNamingNeitherHostNorUrl() {
        URI nowhere = URI.create("http://user:pa55@no-such-host-HOSTNAME.invalid/v1/chat?key=k1"); // RFC 6761

        for (ThrowingCallable call : List.<ThrowingCallable>of(
                () -> transport.send(HttpCall.postJson(nowhere, Map.of(), new byte[0])),
                () -> transport.stream(HttpCall.postJsonForStream(nowhere, Map.of(), new byte[0])))) {
            assertThatThrownBy(call).isInstanceOf(UnknownHostException.class)
                    .hasMessage(UpstreamDnsResolver.UNRESOLVED);
        }
    }

    @Test
    void givenStream_whenClosedFromAnotherThreadMidBody_thenBlockedReadFails() throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .bodyDelay(3, TimeUnit.SECONDS).body("data: late\n\n").build());
        GuardedStream stream = GuardedStream.open(transport, HttpCall.postJsonForStream(uri("/s"), Map.of(),
                new byte[0]), StreamTimeouts.NONE);
        Thread closer = Thread.ofVirtual().unstarted(stream::close);

        assertThat(stream.status()).isEqualTo(200);
        closer.start();
        closer.join();
        assertThatThrownBy(stream::nextEvent).isInstanceOf(IOException.class);
    }

    @Test
    void givenBadSettings_whenBuilt_thenErrorsNameTheSetting() {
        assertThatThrownBy(() -> HelidonHttpTransport.builder().readTimeout(Duration.ZERO))
                .hasMessage("readTimeout must be positive, was PT0S");
        assertThatThrownBy(() -> HelidonHttpTransport.builder().connectionCacheSize(0))
                .hasMessage("connectionCacheSize must be >= 1, was 0");
        assertThatThrownBy(() -> new HttpCall("GET", URI.create("/relative"), Map.of(), new byte[0]))
                .hasMessage("uri must be absolute, was /relative");
    }
}
