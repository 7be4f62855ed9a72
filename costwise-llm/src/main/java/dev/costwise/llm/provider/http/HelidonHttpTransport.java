package dev.costwise.llm.provider.http;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link HttpTransport} over Helidon SE's {@link WebClient}: HTTP/1.1 with keep-alive and a connection cache, on
 * virtual threads.
 *
 * <p>DESIGN.md chose Helidon's client by measurement: a pass-through gateway built on the JDK {@code HttpClient}
 * stalled near half the throughput. One instance is meant to be shared by every adapter of a process; it is
 * immutable and thread-safe.
 *
 * <pre>{@code
 * HttpTransport http = HelidonHttpTransport.builder()
 *     .connectTimeout(Duration.ofSeconds(5))
 *     .readTimeout(Duration.ofSeconds(60))
 *     .build();
 * }</pre>
 */
public final class HelidonHttpTransport implements HttpTransport {

    private final WebClient client;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final long maxResponseSize;
    private final AnswerMemory answerMemory;

    private HelidonHttpTransport(Builder b) {
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.maxResponseSize = b.maxResponseSize;
        this.answerMemory = b.answerMemory;
        this.client = WebClient.builder()
                .connectTimeout(b.connectTimeout)
                .readTimeout(b.readTimeout)
                // TCP_NODELAY: a request written as headers then body must not wait on Nagle for the server's
                // delayed ACK.
                .socketOptions(o -> o.tcpNoDelay(true).socketKeepAlive(true)
                        .connectTimeout(b.connectTimeout).readTimeout(b.readTimeout))
                .keepAlive(true)
                .followRedirects(false)
                .dnsResolver(new UpstreamDnsResolver()) // a host that does not resolve is a connection failure
                .shareConnectionCache(false)
                .connectionCacheSize(b.connectionCacheSize)
                .build();
    }

    /** @return a transport with the default timeouts (connect 10 s, read 120 s) */
    public static HelidonHttpTransport ofDefaults() {
        return builder().build();
    }

    /** @return a builder with the default settings */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the connect timeout in force */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return the read timeout in force (the longest wait for the next bytes of a response) */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** @return the largest response {@link #send} reads, in bytes */
    public long maxResponseSize() {
        return maxResponseSize;
    }

    /** @return the budget every answer {@link #send} reads is counted in while it is read */
    public AnswerMemory answerMemory() {
        return answerMemory;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The body's bytes are counted in {@link #answerMemory()} while it is read, and given back when it is handed
     * over (or the read fails).
     *
     * @throws ResponseTooLargeException if the body is larger than {@link #maxResponseSize()}: reading stops there
     *     and the connection is closed
     * @throws AnswerMemoryExhaustedException if {@link #answerMemory()} cannot hold the body now: reading stops there
     *     and the connection is closed
     */
    @Override
    public HttpResult send(HttpCall call) throws IOException {
        return send(call, readTimeout);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each read of this exchange waits at most {@code timeLeft} (or the {@link #readTimeout()}, if less): a read
     * that passes it fails and closes the connection, which aborts the upstream request.
     */
    @Override
    public HttpResult send(HttpCall call, Duration timeLeft) throws IOException {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(timeLeft, "timeLeft");
        Duration reads = timeLeft.isNegative() || timeLeft.isZero() || timeLeft.compareTo(readTimeout) > 0
                ? readTimeout : timeLeft;
        try (HttpClientResponse response = submit(call, reads);
                AnswerMemory.Reservation held = answerMemory.open()) {
            byte[] body;
            try (var in = new TranslatingInputStream(response.inputStream(), closeDelimited(response), this)) {
                body = HttpBodies.readAtMost(in, response.headers().contentLength(), maxResponseSize, "the answer",
                        held);
            }
            return new HttpResult(response.status().code(), headersOf(response), body);
        } catch (UncheckedIOException e) {
            throw translate(e.getCause());
        } catch (IOException e) {
            throw translate(e);
        } catch (RuntimeException e) {
            // Helidon reports a connection closed mid-read as an unchecked DataReader exception.
            throw failed(e);
        }
    }

    /**
     * A failed exchange. The message names no URL: it reaches callers (a gateway's clients among them), and a base
     * URL may hold credentials in its user info or query, or be internal; the provider and model name the call.
     */
    private static IOException failed(RuntimeException e) {
        return new IOException("the HTTP exchange failed", e);
    }

    /**
     * Whether the response's body ends where the server closes the connection: HTTP/1.1 with neither
     * {@code Content-Length} nor {@code Transfer-Encoding} (RFC 9112, section 6.3), as proxies that strip chunking
     * send it. Helidon reports that end as a failure to read more; for such a body it is the end.
     */
    private static boolean closeDelimited(HttpClientResponse response) {
        return !response.headers().contains(HeaderNames.CONTENT_LENGTH)
                && !response.headers().contains(HeaderNames.TRANSFER_ENCODING);
    }

    @Override
    public HttpStreamResponse stream(HttpCall call) throws IOException {
        Objects.requireNonNull(call, "call");
        HttpClientResponse response;
        try {
            response = submit(call, readTimeout);
        } catch (UncheckedIOException e) {
            throw translate(e.getCause());
        } catch (RuntimeException e) {
            throw failed(e);
        }
        return new HelidonStreamResponse(response, headersOf(response), this);
    }

    private HttpClientResponse submit(HttpCall call, Duration reads) {
        HttpClientRequest request = client.method(Method.create(call.method().toUpperCase(Locale.ROOT)))
                .uri(call.uri()).readTimeout(reads);
        request.headers(h -> call.headers().forEach((k, v) -> h.set(HeaderNames.create(k), v)));
        return call.body().length == 0 && !"POST".equalsIgnoreCase(call.method())
                ? request.request()
                : request.submit(call.body());
    }

    private static HttpHeaders headersOf(HttpClientResponse response) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Header h : response.headers()) {
            m.computeIfAbsent(h.name(), k -> new ArrayList<>()).addAll(h.allValues());
        }
        return new HttpHeaders(m);
    }

    IOException translate(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TransportTimeoutException tte) {
                return tte;
            }
            if (c instanceof SocketTimeoutException ste) {
                boolean connect = ste.getMessage() != null
                        && ste.getMessage().toLowerCase(Locale.ROOT).contains("connect");
                return connect
                        ? new TransportTimeoutException(TransportTimeoutException.Phase.CONNECT, connectTimeout, ste)
                        : new TransportTimeoutException(TransportTimeoutException.Phase.READ, readTimeout, ste);
            }
            if (c instanceof ConnectException ce) {
                return ce;
            }
        }
        return t instanceof IOException io ? io : new IOException(String.valueOf(t), t);
    }

    /** A streamed Helidon response; reads translate Helidon's unchecked failures into {@link IOException}s. */
    private static final class HelidonStreamResponse implements HttpStreamResponse {
        private final HttpClientResponse response;
        private final HttpHeaders headers;
        private final InputStream body;
        private final int maxEventSize;
        private final AtomicBoolean closed = new AtomicBoolean();

        HelidonStreamResponse(HttpClientResponse response, HttpHeaders headers, HelidonHttpTransport transport) {
            this.response = response;
            this.headers = headers;
            this.body = new TranslatingInputStream(response.inputStream(), closeDelimited(response), transport);
            this.maxEventSize = (int) transport.maxResponseSize; // below 2 GB, as the builder checks
        }

        @Override
        public int status() {
            return response.status().code();
        }

        @Override
        public HttpHeaders headers() {
            return headers;
        }

        @Override
        public InputStream body() {
            return body;
        }

        @Override
        public int maxEventSize() {
            return maxEventSize;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                try {
                    response.close();
                } catch (RuntimeException e) {
                    // Closing an aborted connection can fail on the half-read entity; the connection is gone anyway.
                }
            }
        }
    }

    /**
     * Turns Helidon's unchecked read failures into {@link IOException}s, timeouts typed; for a body that ends where
     * the connection closes, the close is the end of the body.
     */
    private static final class TranslatingInputStream extends InputStream {
        private final InputStream in;
        private final boolean closeDelimited;
        private final HelidonHttpTransport transport;
        private boolean ended;

        TranslatingInputStream(InputStream in, boolean closeDelimited, HelidonHttpTransport transport) {
            this.in = in;
            this.closeDelimited = closeDelimited;
            this.transport = transport;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) {
                return -1;
            }
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw transport.translate(e);
            } catch (UncheckedIOException e) {
                throw transport.translate(e.getCause());
            } catch (DataReader.InsufficientDataAvailableException e) {
                if (closeDelimited) {
                    ended = true; // the server closed the connection: that ends this body
                    return -1;
                }
                throw new IOException("the connection closed before the response was complete", e);
            } catch (RuntimeException e) {
                throw new IOException("the connection broke while reading the response", e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } catch (UncheckedIOException e) {
                throw transport.translate(e.getCause());
            } catch (RuntimeException e) {
                throw new IOException("closing the stream failed: " + e, e);
            }
        }
    }

    /** Builds a {@link HelidonHttpTransport}. Not thread-safe. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(120);
        private int connectionCacheSize = 256;
        private long maxResponseSize = HttpBodies.DEFAULT_MAX_SIZE;
        private AnswerMemory answerMemory = AnswerMemory.unlimited();

        private Builder() {}

        /**
         * Sets the budget of answer bytes held at once that {@link HelidonHttpTransport#send} counts each answer in
         * while reading it: an answer the budget cannot hold fails at once with {@link
         * AnswerMemoryExhaustedException} (adapters report the provider overloaded, so the call is retried or falls
         * back), its connection closed. Share one budget among every reader of a process (the gateway does). Default
         * {@link AnswerMemory#unlimited()}: only {@link #maxResponseSize} bounds an answer.
         *
         * @param memory the budget
         * @return this builder
         */
        public Builder answerMemory(AnswerMemory memory) {
            this.answerMemory = Objects.requireNonNull(memory, "memory");
            return this;
        }

        /**
         * Sets how long to wait for a connection. Default 10 seconds.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requirePositive("connectTimeout", timeout);
            return this;
        }

        /**
         * Sets the longest wait for the next bytes of a response (the whole answer of a non-streamed call usually
         * arrives at once, so this bounds it). Default 120 seconds.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = requirePositive("readTimeout", timeout);
            return this;
        }

        /**
         * Sets how many idle keep-alive connections are kept per host. Default 256.
         *
         * @param size at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code size} is below 1
         */
        public Builder connectionCacheSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("connectionCacheSize must be >= 1, was " + size);
            }
            this.connectionCacheSize = size;
            return this;
        }

        /**
         * Sets the largest response {@link HelidonHttpTransport#send} reads whole: a larger one fails with {@link
         * ResponseTooLargeException} (adapters report a malformed response) after at most this many bytes, and its
         * connection is closed, so one runaway answer cannot exhaust the heap. Streams are read an event at a time,
         * each event (and an error body) under the same limit ({@link HttpStreamResponse#maxEventSize}). Default
         * {@link HttpBodies#DEFAULT_MAX_SIZE} (16 MB); raise it for large embedding batches, with the heap to hold
         * them.
         *
         * @param bytes at least 1 and below 2 GB
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is out of range
         */
        public Builder maxResponseSize(long bytes) {
            if (bytes < 1 || bytes > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("maxResponseSize must be between 1 and " + (Integer.MAX_VALUE - 16)
                        + " bytes, was " + bytes);
            }
            this.maxResponseSize = bytes;
            return this;
        }

        /** @return the transport */
        public HelidonHttpTransport build() {
            return new HelidonHttpTransport(this);
        }

        private static Duration requirePositive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
