package dev.costwise.llm.provider.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads UTF-8 lines from a byte stream, as {@link java.io.BufferedReader#readLine()} does (a line ends in {@code \n},
 * {@code \r\n} or {@code \r}), but never holds a line longer than a limit: a stream that sends megabytes without a
 * line break fails with {@link ResponseTooLargeException} instead of filling the heap. A line is returned as soon as
 * its end arrives; the reader never waits for more bytes than it needs. Not thread-safe.
 */
public final class BoundedLineReader {

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int end;
    /** A line ended in {@code \r}: a {@code \n} right after it belongs to the same line end. */
    private boolean skipLf;
    private byte[] line = new byte[0];
    private int length;

    /**
     * @param in the bytes, UTF-8
     * @param maxLineBytes the longest line accepted, in bytes, without its line end
     * @throws IllegalArgumentException if {@code maxLineBytes} is not positive
     */
    public BoundedLineReader(InputStream in, int maxLineBytes) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive, was " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads the next line.
     *
     * @return the line without its end, or {@code null} at the end of the stream
     * @throws ResponseTooLargeException if the line is longer than the limit
     * @throws IOException if reading fails
     */
    public String readLine() throws IOException {
        length = 0;
        while (true) {
            if (pos == end) {
                int n = in.read(buf, 0, buf.length);
                if (n < 0) {
                    return length > 0 ? pending() : null;
                }
                pos = 0;
                end = n;
                continue;
            }
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            int start = pos;
            while (pos < end && buf[pos] != '\n' && buf[pos] != '\r') {
                pos++;
            }
            if (pos == end) {
                keep(start, pos - start);
                continue;
            }
            skipLf = buf[pos] == '\r';
            pos++;
            if (length == 0) {
                requireWithinLimit(pos - 1 - start);
                return new String(buf, start, pos - 1 - start, StandardCharsets.UTF_8); // the common case: no copy
            }
            keep(start, pos - 1 - start);
            return pending();
        }
    }

    private void keep(int from, int n) throws ResponseTooLargeException {
        requireWithinLimit(length + n);
        if (length + n > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(length + n, 2 * line.length)));
        }
        System.arraycopy(buf, from, line, length, n);
        length += n;
    }

    private void requireWithinLimit(long n) throws ResponseTooLargeException {
        if (n > maxLineBytes) {
            throw new ResponseTooLargeException("a line of the stream", maxLineBytes);
        }
    }

    private String pending() {
        String s = new String(line, 0, length, StandardCharsets.UTF_8);
        if (line.length > buf.length) {
            line = new byte[0]; // a long line's buffer is not kept for the rest of the stream
        }
        return s;
    }
}
