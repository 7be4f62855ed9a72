package dev.costwise.gateway.http;

import com.github.benmanes.caffeine.cache.Ticker;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.ServerRequest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the connections that keep the server waiting for a client: one that has not sent a whole request's headers
 * within the header timeout of opening, one that pauses in a request body for longer than that, and one kept alive
 * that has not sent its next request's headers within the idle timeout of its previous answer. The web server closes
 * none of these itself (its own idle check only reaches a connection that has sent nothing of its next request), so
 * without this a client that sends half a header holds a connection, and a file descriptor, for ever. It also ends a
 * connection whose request or answer says {@code Connection: close} once the answer is sent, which the server
 * announces but does not do.
 *
 * <p>Every accepted connection is registered through {@link #socketOptions}; {@link #filter()} marks when a request's
 * headers have arrived and its answer is sent; {@link #body} marks the waits for a body. {@link #sweep()}, run every
 * {@link #sweepInterval()}, closes the connections past their deadline. Thread-safe.
 */
public final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final Duration MIN_SWEEP = Duration.ofMillis(10);
    private static final Duration MAX_SWEEP = Duration.ofSeconds(1);

    private final Duration headerTimeout;
    private final Duration idleTimeout;
    private final Ticker ticker;
    private final Map<SocketAddress, Watch> watches = new ConcurrentHashMap<>();

    /** One connection and what it waits for: a deadline while the client owes the gateway bytes, else none. */
    private static final class Watch {
        final SocketChannel channel;
        volatile long deadline;
        volatile boolean waiting;

        Watch(SocketChannel channel) {
            this.channel = channel;
        }

        void waitUntil(long at) {
            deadline = at;
            waiting = true;
        }

        void stopWaiting() {
            waiting = false;
        }

        boolean overdue(long now) {
            return waiting && now - deadline >= 0;
        }
    }

    /**
     * @param headerTimeout how long a client has to send a request's headers once connected, and the longest pause in
     *     a request body
     * @param idleTimeout how long a kept-alive connection may take to send its next request's headers
     * @param ticker nano time
     * @throws IllegalArgumentException if a timeout is not positive
     */
    public ConnectionGuard(Duration headerTimeout, Duration idleTimeout, Ticker ticker) {
        requirePositive(headerTimeout, "headerTimeout");
        requirePositive(idleTimeout, "idleTimeout");
        this.headerTimeout = headerTimeout;
        this.idleTimeout = idleTimeout;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    private static void requirePositive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /** @return how often {@link #sweep()} should run: a tenth of the shorter timeout, from 10 ms to 1 s */
    public Duration sweepInterval() {
        Duration tenth = (headerTimeout.compareTo(idleTimeout) < 0 ? headerTimeout : idleTimeout).dividedBy(10);
        return tenth.compareTo(MIN_SWEEP) < 0 ? MIN_SWEEP : tenth.compareTo(MAX_SWEEP) > 0 ? MAX_SWEEP : tenth;
    }

    /**
     * @param base the options every accepted connection is configured with
     * @return those options, which also register each accepted connection here
     */
    public SocketOptions socketOptions(SocketOptions base) {
        return new RegisteringOptions(base, this);
    }

    /** A new connection owes its first request's headers within the header timeout. */
    void accepted(SocketChannel channel) {
        try {
            Watch w = new Watch(channel);
            w.waitUntil(ticker.read() + headerTimeout.toNanos());
            watches.put(channel.getRemoteAddress(), w);
        } catch (IOException e) {
            LOG.debug("an accepted connection closed before it was registered: {}", e.getMessage());
        }
    }

    /**
     * @return a routing filter: a request's headers have arrived when it runs, so its connection owes nothing until
     *     the endpoint reads a body; after the answer it owes its next request within the idle timeout, or nothing
     *     more when the request or answer said {@code Connection: close}: the gateway's side is closed then, so the
     *     client sees the end of the connection, and the connection ends once the client closes its side
     */
    public Filter filter() {
        return (chain, req, res) -> {
            Optional<Watch> watch = watch(req);
            watch.ifPresent(Watch::stopWaiting);
            try {
                chain.proceed();
            } finally {
                watch.ifPresent(w -> {
                    w.waitUntil(ticker.read() + idleTimeout.toNanos());
                    if (res.isSent() && (req.headers().containsToken(HeaderValues.CONNECTION_CLOSE)
                            || res.headers().containsToken(HeaderValues.CONNECTION_CLOSE))) {
                        shutDownOutput(w.channel);
                    }
                });
            }
        };
    }

    private static void shutDownOutput(SocketChannel channel) {
        try {
            channel.shutdownOutput(); // after the answer's bytes, which the server has written by now
        } catch (IOException e) {
            LOG.debug("could not half-close a connection that asked to close: {}", e.getMessage());
        }
    }

    /**
     * @param req the request whose body {@code in} reads
     * @param in the body
     * @return the body, where each read that waits for the client may wait no longer than the header timeout
     */
    public InputStream body(ServerRequest req, InputStream in) {
        Optional<Watch> watch = watch(req);
        if (watch.isEmpty()) {
            return in;
        }
        Watch w = watch.get();
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                w.waitUntil(ticker.read() + headerTimeout.toNanos());
                try {
                    return super.read();
                } finally {
                    w.stopWaiting();
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                w.waitUntil(ticker.read() + headerTimeout.toNanos());
                try {
                    return super.read(b, off, len);
                } finally {
                    w.stopWaiting();
                }
            }
        };
    }

    private Optional<Watch> watch(ServerRequest req) {
        return Optional.ofNullable(watches.get(req.remotePeer().address()));
    }

    /**
     * Closes every connection past its deadline and forgets those already closed.
     *
     * @return how many connections were closed
     */
    public int sweep() {
        long now = ticker.read();
        int closed = 0;
        for (var it = watches.values().iterator(); it.hasNext(); ) {
            Watch w = it.next();
            if (!w.channel.isOpen()) {
                it.remove();
            } else if (w.overdue(now)) {
                it.remove();
                try {
                    w.channel.close(); // the server's reader fails at once, and cleans up after the connection
                    closed++;
                } catch (IOException e) {
                    LOG.debug("could not close an overdue connection: {}", e.getMessage());
                }
            }
        }
        return closed;
    }

    /** @return the connections registered and not yet seen closed */
    public int open() {
        return watches.size();
    }

    /** The listener's socket options, plus registering each accepted connection with the guard. */
    private record RegisteringOptions(SocketOptions base, ConnectionGuard guard) implements SocketOptions {
        @Override
        public void configureSocket(SocketChannel channel) {
            base.configureSocket(channel);
            guard.accepted(channel);
        }

        @Override
        public void configureSocket(Socket socket) {
            base.configureSocket(socket);
        }

        @Override
        public Map<SocketOption<?>, Object> socketOptions() {
            return base.socketOptions();
        }

        @Override
        public Duration connectTimeout() {
            return base.connectTimeout();
        }

        @Override
        public Duration readTimeout() {
            return base.readTimeout();
        }

        @Override
        public Optional<Integer> socketReceiveBufferSize() {
            return base.socketReceiveBufferSize();
        }

        @Override
        public Optional<Integer> socketSendBufferSize() {
            return base.socketSendBufferSize();
        }

        @Override
        public boolean socketReuseAddress() {
            return base.socketReuseAddress();
        }

        @Override
        public boolean socketKeepAlive() {
            return base.socketKeepAlive();
        }

        @Override
        public boolean tcpNoDelay() {
            return base.tcpNoDelay();
        }
    }
}
