package dev.costwise.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

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
}
