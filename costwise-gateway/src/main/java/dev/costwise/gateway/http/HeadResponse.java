package dev.costwise.gateway.http;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.ServerResponseTrailers;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.function.UnaryOperator;

/**
 * The answer to a {@code HEAD} request, which the web server does not tell from {@code GET}: the {@code GET}
 * endpoint runs as for {@code GET}, and this sends its status and headers, with the {@code Content-Length} its body
 * would have, but not the body (RFC 9110, 9.3.2).
 */
final class HeadResponse implements ServerResponse {
    private final ServerResponse res;

    /** @param res the response to the {@code HEAD} request */
    HeadResponse(ServerResponse res) {
        this.res = res;
    }

    @Override
    public void send(byte[] entity) {
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(entity.length)); // kept: the server sends no body
        res.send();
    }

    @Override
    public void send(Object entity) {
        res.send();
    }

    @Override
    public void send() {
        res.send();
    }

    /** A body written as a stream is counted, then dropped. */
    @Override
    public OutputStream outputStream() {
        return new ByteArrayOutputStream() {
            @Override
            public void close() {
                send(toByteArray());
            }
        };
    }

    @Override
    public ServerResponse status(Status status) {
        res.status(status);
        return this;
    }

    @Override
    public Status status() {
        return res.status();
    }

    @Override
    public ServerResponse header(Header header) {
        res.header(header);
        return this;
    }

    @Override
    public boolean isSent() {
        return res.isSent();
    }

    @Override
    public long bytesWritten() {
        return res.bytesWritten();
    }

    @Override
    public ServerResponse whenSent(Runnable listener) {
        res.whenSent(listener);
        return this;
    }

    @Override
    public ServerResponse reroute(String newPath) {
        res.reroute(newPath);
        return this;
    }

    @Override
    public ServerResponse reroute(String path, UriQuery query) {
        res.reroute(path, query);
        return this;
    }

    @Override
    public ServerResponse next() {
        res.next();
        return this;
    }

    @Override
    public ServerResponseHeaders headers() {
        return res.headers();
    }

    @Override
    public ServerResponseTrailers trailers() {
        return res.trailers();
    }

    @Override
    public void streamResult(String result) {
        res.streamResult(result);
    }

    @Override
    public void streamFilter(UnaryOperator<OutputStream> filter) {
        res.streamFilter(filter);
    }
}
