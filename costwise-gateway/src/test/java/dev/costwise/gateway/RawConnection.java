package dev.costwise.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client connection that writes exactly the bytes a test gives it (half a header, an HTTP/1.0 request, two
 * {@code Authorization} headers), as no HTTP client library will, and reads what the gateway answers.
 */
final class RawConnection implements AutoCloseable {
    /** What a read found: the bytes received, and whether the gateway closed the connection after them. */
    record Received(String text, boolean closedByGateway) {
        /** @return the status line */
        String statusLine() {
            int end = text.indexOf("\r\n");
            return end < 0 ? text : text.substring(0, end);
        }

        /** @return the body after the head */
        String body() {
            int start = text.indexOf("\r\n\r\n");
            return start < 0 ? "" : text.substring(start + 4);
        }
    }

    private final Socket socket;

    RawConnection(int port) {
        try {
            this.socket = new Socket("127.0.0.1", port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawConnection send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawConnection send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Ends the client's side of the connection, as closing it does on the wire, keeping its side to read. */
    RawConnection closeOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * Reads until the gateway closes the connection, or {@code bound} passes without a byte.
     *
     * @return what arrived, and whether the gateway closed the connection (a reset counts as closed)
     */
    Received readUntilClosed(Duration bound) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout((int) bound.toMillis());
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
            return new Received(out.toString(StandardCharsets.UTF_8), true);
        } catch (SocketTimeoutException e) {
            return new Received(out.toString(StandardCharsets.UTF_8), false);
        } catch (SocketException e) { // reset
            return new Received(out.toString(StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads one answer whose body has a {@code Content-Length}, leaving the connection open.
     *
     * @return the answer
     */
    Received readAnswer(Duration bound) {
        return read(bound, true);
    }

    /**
     * Reads one answer's head only (the answer to a {@code HEAD} request has no body), leaving the connection open.
     *
     * @return the head
     */
    Received readHead(Duration bound) {
        return read(bound, false);
    }

    private Received read(Duration bound, boolean withBody) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout((int) bound.toMillis());
            InputStream in = socket.getInputStream();
            int expected = -1;
            while (expected < 0 || out.size() < expected) {
                int b = in.read();
                if (b < 0) {
                    return new Received(out.toString(StandardCharsets.UTF_8), true);
                }
                out.write(b);
                String text = out.toString(StandardCharsets.ISO_8859_1);
                int headEnd = text.indexOf("\r\n\r\n");
                if (expected < 0 && headEnd >= 0) {
                    expected = headEnd + 4 + (withBody ? contentLength(text.substring(0, headEnd)) : 0);
                }
            }
            return new Received(out.toString(StandardCharsets.UTF_8), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
