package dev.costwise.gateway.http;

import io.helidon.http.ServerResponseHeaders;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of Helidon's response that {@code send} uses (a server's own type, faked here by a proxy: what it
 * does with the bytes after that is Helidon's).
 */
final class RecordingResponse {
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
