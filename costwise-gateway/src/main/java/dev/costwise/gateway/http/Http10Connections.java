package dev.costwise.gateway.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Serves HTTP/1.0 requests, which the web server refuses by closing the connection without an answer. nginx's
 * {@code proxy_pass} speaks HTTP/1.0 unless told {@code proxy_http_version 1.1}, and so do ApacheBench and some health
 * probes. A connection whose first request line ends in {@code HTTP/1.0} is served as HTTP/1.1 with {@code Connection:
 * close} (one request, as HTTP/1.0 has no keep-alive by default): its request line is read as HTTP/1.1, without the
 * {@code Host} header HTTP/1.1 requires, and an answer the server would send in chunks, which an HTTP/1.0 client
 * cannot read, goes out whole, its end marked by the end of the connection ({@link UnchunkedWriter}). Any other first
 * line is served exactly as the server serves it. Register it before the server's own HTTP/1.1 selector.
 */
public final class Http10Connections implements ServerConnectionSelector {
    private static final byte LF = '\n';
    private static final byte[] HTTP_1_0 = " HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AS_HTTP_1_1 = " HTTP/1.1\r\nConnection: close\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Http1ConnectionSelector http11;
    private final Http1ConnectionSelector http10;
    private final int maxRequestLine;

    /** @param http1 the server's HTTP/1.1 settings, which both kinds of connection are served with */
    public Http10Connections(Http1Config http1) {
        this.http11 = Http1ConnectionSelector.builder().config(http1).build();
        // HTTP/1.0 has no Host header, which HTTP/1.1 requires; the gateway does not use it
        this.http10 = Http1ConnectionSelector.builder()
                .config(Http1Config.builder(http1).validateRequestHostHeader(false).build()).build();
        this.maxRequestLine = http1.maxPrologueLength();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    /**
     * Takes every connection whose first line is not an HTTP/1.1 request line (the server's own selector takes
     * those), once the line is whole or longer than a request line may be.
     */
    @Override
    public Support supports(BufferData data) {
        int lf = data.indexOf(LF);
        if (lf < 0) {
            return data.available() > maxRequestLine ? Support.SUPPORTED : Support.UNKNOWN;
        }
        return data.readString(lf + 1).endsWith(" HTTP/1.1\r\n") ? Support.UNSUPPORTED : Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        DataReader reader = ctx.dataReader();
        int lf;
        try {
            lf = reader.findNewLine(maxRequestLine);
        } catch (DataReader.IncorrectNewLineException e) {
            return http11.connection(ctx); // the server answers a malformed line as it always does
        }
        if (lf >= maxRequestLine || !endsWithHttp10(reader.getBuffer(lf + 2))) {
            return http11.connection(ctx);
        }
        byte[] line = reader.readBytes(lf + 2);
        byte[] asHttp11 = Arrays.copyOf(line, line.length - HTTP_1_0.length + AS_HTTP_1_1.length);
        System.arraycopy(AS_HTTP_1_1, 0, asHttp11, line.length - HTTP_1_0.length, AS_HTTP_1_1.length);
        return http10.connection(new Http10Context(ctx, asHttp11));
    }

    private static boolean endsWithHttp10(BufferData line) {
        byte[] bytes = line.readBytes();
        return bytes.length >= HTTP_1_0.length && Arrays.equals(bytes, bytes.length - HTTP_1_0.length, bytes.length,
                HTTP_1_0, 0, HTTP_1_0.length);
    }

    /**
     * The connection as the server sees it: its request line rewritten, then the rest of what the client sends; its
     * answers written unchunked.
     */
    private static final class Http10Context implements ConnectionContext {
        private final ConnectionContext ctx;
        private final DataReader reader;
        private final DataWriter writer;

        Http10Context(ConnectionContext ctx, byte[] requestLine) {
            this.ctx = ctx;
            DataReader client = ctx.dataReader();
            boolean[] first = {true};
            this.reader = DataReader.create(() -> {
                if (first[0]) {
                    first[0] = false;
                    return requestLine;
                }
                client.ensureAvailable(); // blocks for the client's next bytes; fails as the server expects at its end
                return client.readBytes(client.available());
            });
            this.writer = new UnchunkedWriter(ctx.dataWriter());
        }

        @Override
        public DataReader dataReader() {
            return reader;
        }

        @Override
        public DataWriter dataWriter() {
            return writer;
        }

        @Override
        public ListenerContext listenerContext() {
            return ctx.listenerContext();
        }

        @Override
        public ExecutorService executor() {
            return ctx.executor();
        }

        @Override
        public Router router() {
            return ctx.router();
        }

        @Override
        public Optional<ProxyProtocolData> proxyProtocolData() {
            return ctx.proxyProtocolData();
        }

        @Override
        public HelidonSocket serverSocket() {
            return ctx.serverSocket();
        }

        @Override
        public PeerInfo remotePeer() {
            return ctx.remotePeer();
        }

        @Override
        public PeerInfo localPeer() {
            return ctx.localPeer();
        }

        @Override
        public boolean isSecure() {
            return ctx.isSecure();
        }

        @Override
        public String socketId() {
            return ctx.socketId();
        }

        @Override
        public String childSocketId() {
            return ctx.childSocketId();
        }
    }
}
