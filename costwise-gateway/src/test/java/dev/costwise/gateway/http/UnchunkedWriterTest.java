package dev.costwise.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** An answer in chunks reaches an HTTP/1.0 client whole, however the server splits its writes. */
class UnchunkedWriterTest {
    private static final String FIRST = "data: {\"a\":1}\n\n";
    private static final String SECOND = "data: [DONE]\n\n\r\n"; // data may hold a line end of its own
    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + Integer.toHexString(FIRST.length()) + "\r\n" + FIRST + "\r\n"
            + Integer.toHexString(SECOND.length()) + ";ext=1\r\n" + SECOND + "\r\n"
            + "0\r\nX-Trailer: t\r\n\r\n";
    private static final String UNCHUNKED = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Connection: close\r\n\r\n" + FIRST + SECOND;

    /** Collects what reaches the client. */
    private static final class Client implements DataWriter {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        @Override
        public void write(BufferData... buffers) {
            for (BufferData b : buffers) {
                write(b);
            }
        }

        @Override
        public void write(BufferData buffer) {
            received.writeBytes(buffer.readBytes());
        }

        @Override
        public void writeNow(BufferData... buffers) {
            write(buffers);
        }

        @Override
        public void writeNow(BufferData buffer) {
            write(buffer);
        }

        String text() {
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String through(String written, int pieceSize) {
        Client client = new Client();
        UnchunkedWriter writer = new UnchunkedWriter(client);
        byte[] bytes = written.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += pieceSize) {
            int n = Math.min(pieceSize, bytes.length - i);
            writer.write(BufferData.create(bytes, i, n));
        }
        return client.text();
    }

    @Test
    void givenAChunkedAnswer_whenWrittenInPiecesOfAnySize_thenTheClientGetsItWholeWithoutTheCoding() {
        for (int piece = 1; piece <= CHUNKED.length(); piece++) {
            assertThat(through(CHUNKED, piece)).as("written %s bytes at a time", piece).isEqualTo(UNCHUNKED);
        }
    }

    @Test
    void givenAnAnswerWithALength_whenWritten_thenItPassesUnchanged() {
        String answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";

        assertThat(through(answer, 7)).isEqualTo(answer);
    }

    @Test
    void givenAnInterimAnswerBeforeAChunkedOne_whenWritten_thenBothReachTheClientAndTheSecondIsUnchunked() {
        assertThat(through("HTTP/1.1 100 Continue\r\n\r\n" + CHUNKED, 5))
                .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n" + UNCHUNKED);
    }
}
