package dev.costwise.llm.provider.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;

/**
 * Bodies of many megabytes for MockWebServer, written as they are sent (never held whole, by the test or the server),
 * and valid JSON, so only their size is wrong with them: an opening that ends in an array, 64 KB strings in it (Jackson
 * refuses one string over 20 MB), then a closing that ends the array.
 */
public final class LargeBodies {
    private static final int PIECE = 64 * 1024;

    private LargeBodies() {}

    /**
     * @param contentType the {@code Content-Type}
     * @param opening the start of the body, ending in {@code [}
     * @param padding how many bytes of strings follow it, rounded up to 64 KB
     * @param closing the rest of the body after the array's {@code ]}
     * @param declared {@code true} to send a {@code Content-Length}, {@code false} to send the body chunked
     * @return a 200 response
     */
    public static MockResponse padded(String contentType, String opening, long padding, String closing,
            boolean declared) {
        byte[] head = opening.getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\"\"]" + closing).getBytes(StandardCharsets.UTF_8);
        long pieces = (padding + PIECE - 1) / PIECE;
        MockResponse.Builder b = new MockResponse.Builder().code(200).addHeader("Content-Type", contentType)
                .body(new Filler(head, pieces, tail, declared ? head.length + pieces * PIECE + tail.length : -1));
        if (!declared) {
            b.removeHeader("Content-Length").addHeader("Transfer-Encoding", "chunked");
        }
        return b.build();
    }

    /** The head, the pieces and the tail; chunk framing written by hand when the length is not declared. */
    private record Filler(byte[] head, long pieces, byte[] tail, long length) implements MockResponseBody {
        @Override
        public long getContentLength() {
            return length;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            byte[] piece = new byte[PIECE];
            Arrays.fill(piece, (byte) 'x');
            piece[0] = '"';
            piece[PIECE - 2] = '"';
            piece[PIECE - 1] = ',';
            write(sink, head);
            for (long i = 0; i < pieces; i++) {
                write(sink, piece);
            }
            write(sink, tail);
            if (length < 0) {
                sink.writeUtf8("0\r\n\r\n");
            }
            sink.flush();
        }

        private void write(BufferedSink sink, byte[] bytes) throws IOException {
            if (length < 0) {
                sink.writeUtf8(Integer.toHexString(bytes.length)).writeUtf8("\r\n").write(bytes).writeUtf8("\r\n");
            } else {
                sink.write(bytes);
            }
            sink.flush();
        }
    }
}
