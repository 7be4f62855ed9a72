package dev.costwise.gateway.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Writes HTTP/1.1 answers for an HTTP/1.0 client, which cannot read chunked transfer coding (RFC 9112, 7.1): an
 * answer the server sends in chunks goes out with its {@code Transfer-Encoding} header left out and its chunks joined,
 * its end marked by the end of the connection ({@code Connection: close}, which the server sends to such a client).
 * Answers with a {@code Content-Length} pass unchanged. Not thread-safe: one connection's writer, as the server uses
 * it.
 */
final class UnchunkedWriter implements DataWriter {
    /** The longest answer head unchunked; a longer one passes unchanged. */
    private static final int MAX_HEAD = 64 * 1024;
    private static final Pattern CHUNKED = Pattern.compile("(?i)transfer-encoding:[ \t]*chunked[ \t]*");

    private enum State {
        /** Reading an answer's head. */
        HEAD,
        /** Passing everything through (an answer not in chunks). */
        PASS,
        /** Reading a chunk's size line. */
        SIZE,
        /** Passing a chunk's data. */
        DATA,
        /** Dropping the line end after a chunk's data. */
        DATA_END,
        /** Dropping the trailer after the last chunk, up to its empty line. */
        TRAILER
    }

    private final DataWriter out;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private State state = State.HEAD;
    private long chunkLeft;

    /** @param out the connection's writer */
    UnchunkedWriter(DataWriter out) {
        this.out = out;
    }

    @Override
    public void write(BufferData... buffers) {
        unchunked(buffers).ifNotEmpty(out::write);
    }

    @Override
    public void write(BufferData buffer) {
        unchunked(buffer).ifNotEmpty(out::write);
    }

    @Override
    public void writeNow(BufferData... buffers) {
        unchunked(buffers).ifNotEmpty(out::writeNow);
    }

    @Override
    public void writeNow(BufferData buffer) {
        unchunked(buffer).ifNotEmpty(out::writeNow);
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.close();
    }

    /** What to write in place of some written bytes. */
    private record Output(byte[] bytes) {
        void ifNotEmpty(java.util.function.Consumer<BufferData> write) {
            if (bytes.length > 0) {
                write.accept(BufferData.create(bytes));
            }
        }
    }

    private Output unchunked(BufferData... buffers) {
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        for (BufferData b : buffers) {
            feed(b.readBytes(), result);
        }
        return new Output(result.toByteArray());
    }

    /** Runs the bytes the server writes through the answer's framing; what the client gets goes to {@code result}. */
    void feed(byte[] bytes, ByteArrayOutputStream result) {
        int i = 0;
        while (i < bytes.length) {
            switch (state) {
                case PASS -> {
                    result.write(bytes, i, bytes.length - i);
                    i = bytes.length;
                }
                case DATA -> {
                    int n = (int) Math.min(chunkLeft, bytes.length - i);
                    result.write(bytes, i, n);
                    i += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        state = State.DATA_END;
                    }
                }
                default -> {
                    byte b = bytes[i++];
                    pending.write(b);
                    if (b == '\n') {
                        lineEnded(result);
                    } else if (state == State.HEAD && pending.size() > MAX_HEAD) {
                        result.writeBytes(pending.toByteArray());
                        pending.reset();
                        state = State.PASS;
                    }
                }
            }
        }
    }

    private void lineEnded(ByteArrayOutputStream result) {
        String text = pending.toString(StandardCharsets.ISO_8859_1);
        switch (state) {
            case HEAD -> {
                if (text.endsWith("\r\n\r\n")) {
                    pending.reset();
                    head(text, result);
                }
            }
            case SIZE -> {
                pending.reset();
                String size = text.strip();
                int extension = size.indexOf(';');
                chunkLeft = Long.parseLong(extension < 0 ? size : size.substring(0, extension).strip(), 16);
                state = chunkLeft == 0 ? State.TRAILER : State.DATA;
            }
            case DATA_END -> {
                pending.reset();
                state = State.SIZE;
            }
            default -> { // TRAILER: its lines are dropped; an empty one ends the answer
                pending.reset();
                if (text.equals("\r\n")) {
                    state = State.HEAD;
                }
            }
        }
    }

    /** Writes an answer's head, without {@code Transfer-Encoding: chunked}, and reads its body accordingly. */
    private void head(String head, ByteArrayOutputStream result) {
        StringBuilder kept = new StringBuilder(head.length());
        boolean chunked = false;
        for (String line : head.split("\r\n", -1)) {
            if (CHUNKED.matcher(line).matches()) {
                chunked = true;
            } else {
                kept.append(line).append("\r\n");
            }
        }
        kept.setLength(kept.length() - 2); // the split's last, empty piece
        result.writeBytes(kept.toString().getBytes(StandardCharsets.ISO_8859_1));
        boolean interim = head.toLowerCase(Locale.ROOT).matches("http/1\\.1 1\\d\\d[\\s\\S]*");
        state = chunked ? State.SIZE : interim ? State.HEAD : State.PASS;
    }
}
