package dev.costwise.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.http.ServerResponseHeaders;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * How {@link HttpExchange#send} hands a body to the server: a large one (a cached answer that many hits share) is
 * written from the caller's array, never through {@code ServerResponse.send(byte[])}, which copies the whole body
 * into a buffer of its own for every response. The bytes on the wire are checked end to end in
 * {@code LargeAnswersEndToEndTest}.
 */
class HttpExchangeSendTest {

    @Test
    void givenABodyOverTheLimit_whenSent_thenWrittenFromTheCallersArrayWithItsContentLength() {
        byte[] body = new byte[HttpExchange.COPIED_BODY_LIMIT * 16];
        body[body.length - 1] = '}';
        RecordingResponse res = new RecordingResponse();

        HttpExchange.send(res.proxy(), 200, body);

        assertThat(res.sentWhole).as("send(byte[]) copies the body").isEmpty();
        assertThat(res.arraysWritten).isNotEmpty().allSatisfy(a -> assertThat(a).isSameAs(body));
        assertThat(res.written.toByteArray()).isEqualTo(body);
        assertThat(res.headers.contentLength()).isEqualTo(OptionalLong.of(body.length));
        assertThat(res.closed).isTrue();
    }

    @Test
    void givenASmallBody_whenSent_thenGoesOutWithItsHeadersInOneBuffer() {
        byte[] body = "{\"ok\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        RecordingResponse res = new RecordingResponse();

        HttpExchange.send(res.proxy(), 200, body);

        assertThat(res.sentWhole).containsExactly(body);
        assertThat(res.arraysWritten).isEmpty();
    }

    /**
     * The parts of Helidon's response that {@code send} uses (a server's own type, faked here by a proxy: what it
     * does with the bytes after that is Helidon's).
     */
    private static final class RecordingResponse {
        final ServerResponseHeaders headers = ServerResponseHeaders.create();
        final List<byte[]> sentWhole = new ArrayList<>();
        final List<byte[]> arraysWritten = new ArrayList<>();
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        boolean closed;

        ServerResponse proxy() {
            OutputStream out = new OutputStream() {
                @Override
                public void write(int b) {
                    throw new AssertionError("written a byte at a time");
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    arraysWritten.add(b);
                    written.write(b, off, len);
                }

                @Override
                public void close() {
                    closed = true;
                }
            };
            return (ServerResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {ServerResponse.class}, (self, method, args) -> switch (method.getName()) {
                        case "status", "header" -> self;
                        case "headers" -> headers;
                        case "outputStream" -> out;
                        case "send" -> {
                            sentWhole.add((byte[]) args[0]);
                            yield null;
                        }
                        default -> throw new AssertionError("not expected: " + method);
                    });
        }
    }
}
