package dev.costwise.gateway.upstream;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1ClientConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Keep-alive HTTP/1.1 connections to the upstreams, handed to Helidon's client one request at a time.
 *
 * <p>Why not Helidon's own connection cache: it starts a "socket monitor" virtual thread on every connection it takes
 * back, blocked in a one-byte read to notice a server closing the idle connection, and the next request on that
 * connection has to stop the monitor and receive the response's first byte from it. That is a thread start, a timer
 * and two hand-offs per request, which on a 2-core host cost more CPU than the gateway's own pipeline (each context
 * switch is expensive in a VM). This pool keeps no thread per connection; it notices a closed connection when it is
 * used instead, and the caller retries such a request once on a fresh connection ({@link Lease#reused()}), as OkHttp
 * does for a pooled connection that fails before any response byte.
 *
 * <p>Idle connections are reused most-recent-first (the least likely to have been closed by the server), closed when
 * they have been idle longer than {@code maxIdle} (found when a request to the origin starts or ends), and at most
 * {@code maxIdlePerOrigin} are kept per origin.
 * Thread-safe.
 */
final class UpstreamConnections implements AutoCloseable {
    private static final List<String> HTTP_1_1 = List.of("http/1.1");
    private static final Tls NO_TLS = Tls.builder().enabled(false).build();

    private final WebClient webClient;
    private final Http1ClientConfig config;
    private final Duration maxIdle;
    private final int maxIdlePerOrigin;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<Origin, Pool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param webClient the client whose socket options, TLS, DNS and proxy settings new connections use
     * @param config the HTTP/1.1 client's configuration (DNS resolver and lookup)
     * @param maxIdle how long a connection may sit unused before it is closed instead of reused
     * @param maxIdlePerOrigin how many unused connections to keep per scheme, host and port
     * @param nanoTime the clock idle times are measured with ({@link System#nanoTime} outside tests)
     */
    UpstreamConnections(WebClient webClient, Http1ClientConfig config, Duration maxIdle, int maxIdlePerOrigin,
            LongSupplier nanoTime) {
        this.webClient = Objects.requireNonNull(webClient, "webClient");
        this.config = Objects.requireNonNull(config, "config");
        if (maxIdle.isNegative() || maxIdle.isZero()) {
            throw new IllegalArgumentException("maxIdle must be positive, was " + maxIdle);
        }
        if (maxIdlePerOrigin < 1) {
            throw new IllegalArgumentException("maxIdlePerOrigin must be at least 1, was " + maxIdlePerOrigin);
        }
        this.maxIdle = maxIdle;
        this.maxIdlePerOrigin = maxIdlePerOrigin;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * A connection for one request to {@code target}: an idle one of the same origin if there is one, else a new one.
     * Helidon's client gives it back when the response has been read to its end (or closes it when the response says
     * {@code Connection: close} or was abandoned).
     *
     * @throws java.io.UncheckedIOException if a new connection cannot be opened
     */
    Lease acquire(URI target) {
        Pool pool = pools.computeIfAbsent(Origin.of(target), this::newPool);
        long now = nanoTime.getAsLong();
        Idle idle;
        while ((idle = pool.idle.pollFirst()) != null) {
            pool.size.decrementAndGet();
            if (now - idle.since() <= maxIdle.toNanos()) {
                return new Lease(idle.connection(), true, idle.handback());
            }
            idle.connection().closeResource();
        }
        return connect(pool);
    }

    /**
     * A new connection to {@code target}'s origin, for a request that failed on a reused one.
     *
     * @throws java.io.UncheckedIOException if it cannot be opened
     */
    Lease connect(URI target) {
        return connect(pools.computeIfAbsent(Origin.of(target), this::newPool));
    }

    /** @return unused connections currently kept, over all origins */
    int idleCount() {
        return pools.values().stream().mapToInt(p -> p.size.get()).sum();
    }

    /** Closes every idle connection; connections in use are closed when their requests give them back. */
    @Override
    public void close() {
        closed = true;
        pools.values().forEach(Pool::closeAll);
    }

    private Pool newPool(Origin origin) {
        Tls tls = origin.scheme().equals("https") ? webClient.prototype().tls() : NO_TLS;
        return new Pool(ConnectionKey.create(origin.scheme(), origin.host(), origin.port(), tls, config.dnsResolver(),
                config.dnsAddressLookup(), webClient.prototype().proxy()));
    }

    private Lease connect(Pool pool) {
        Handback handback = new Handback();
        TcpClientConnection connection = TcpClientConnection.create(webClient, pool.key, HTTP_1_1,
                c -> handback.agreed() && pool.giveBack(c, handback), c -> { }).connect();
        return new Lease(connection, false, handback);
    }

    /**
     * A connection for one request; {@code reused} says it served earlier requests (and may have been closed since).
     */
    record Lease(TcpClientConnection connection, boolean reused, Handback handback) {

        /**
         * @param condition asked when the request has read its answer and the connection would go back to the pool;
         *     {@code false} closes the connection instead. Holds for this request only.
         */
        void beforeGiveBack(BooleanSupplier condition) {
            handback.condition = condition;
        }
    }

    /**
     * What the current request of one connection must agree to before the connection is kept: the deadline watch
     * detaches from it here, so a deadline passing just after the answer was read cannot close the connection while
     * it is idle in the pool, or already serving another request.
     */
    static final class Handback {
        private volatile BooleanSupplier condition;

        boolean agreed() {
            BooleanSupplier c = condition;
            condition = null;
            return c == null || c.getAsBoolean();
        }
    }

    private record Idle(TcpClientConnection connection, long since, Handback handback) {
    }

    /** The scheme, host and port connections are kept for. */
    private record Origin(String scheme, String host, int port) {
        static Origin of(URI target) {
            String scheme = target.getScheme().toLowerCase(Locale.ROOT);
            int port = target.getPort() >= 0 ? target.getPort() : scheme.equals("https") ? 443 : 80;
            return new Origin(scheme, target.getHost(), port);
        }
    }

    /** Idle connections of one origin. */
    private final class Pool {
        final ConnectionKey key;
        final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
        final AtomicInteger size = new AtomicInteger();

        Pool(ConnectionKey key) {
            this.key = key;
        }

        /** Helidon's release function: {@code true} keeps the connection open. */
        boolean giveBack(TcpClientConnection connection, Handback handback) {
            if (closed || size.incrementAndGet() > maxIdlePerOrigin) {
                size.decrementAndGet();
                return false;
            }
            long now = nanoTime.getAsLong();
            idle.offerFirst(new Idle(connection, now, handback));
            if (closed) {
                closeAll();
            }
            closeExpired(now);
            return true;
        }

        /**
         * Closes connections idle past the limit from the old end: a burst leaves more connections than the traffic
         * after it reuses, and without a monitor thread nothing else notices them (their server may have closed them
         * already, leaving the socket in CLOSE_WAIT). Runs as requests finish; with no traffic at all they stay until
         * {@link UpstreamConnections#close}.
         */
        private void closeExpired(long now) {
            Idle oldest;
            while ((oldest = idle.peekLast()) != null && now - oldest.since() > maxIdle.toNanos()) {
                if (idle.removeLastOccurrence(oldest)) {
                    size.decrementAndGet();
                    oldest.connection().closeResource();
                }
            }
        }

        void closeAll() {
            Idle i;
            while ((i = idle.pollFirst()) != null) {
                size.decrementAndGet();
                i.connection().closeResource();
            }
        }
    }
}
