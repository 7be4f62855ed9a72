package dev.costwise.llm.provider.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A streamed HTTP response under a first-token, a total and an idle timeout.
 *
 * <p>A watchdog on a virtual thread watches the clock from the moment the request is sent. If the first token has not
 * arrived within {@link StreamTimeouts#firstToken()}, the stream has not ended within {@link StreamTimeouts#total()},
 * or no bytes came for {@link StreamTimeouts#idle()} (phase {@link TransportTimeoutException.Phase#READ}, as the
 * transport's own read timeout), it closes the connection (aborting the upstream request); the blocked read, or the
 * wait for the response headers, then fails with a {@link TransportTimeoutException} naming the limit. The request is
 * sent on a thread of its own that nothing interrupts (see {@link DeadlineBoundExchange} for why): a limit passing
 * before the headers came only ends the caller's wait, and the response is closed as soon as it comes. Only the
 * reader knows which event carries the first token: providers open with metadata and keep-alives (Anthropic's
 * {@code message_start} and {@code ping}, OpenAI's role-only chunk) long before the model writes anything, so reading
 * an event does not stop the first-token clock; the reader calls {@link #markFirstToken()} when it decodes the first
 * output (text, a tool call, reasoning).
 *
 * <p>One consumer thread reads; {@link #close()} may be called from any thread and is idempotent.
 *
 * <pre>{@code
 * try (GuardedStream s = GuardedStream.open(transport, call, StreamTimeouts.of(ofSeconds(10), ofMinutes(5)))) {
 *     for (Optional<SseEvent> e = s.nextEvent(); e.isPresent(); e = s.nextEvent()) {
 *         if (carriesOutput(e.get())) s.markFirstToken();
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class GuardedStream implements AutoCloseable {

    private final StreamTimeouts timeouts;
    private final long startNanos;
    /** When bytes last came (the request was sent, the headers arrived, a read returned data): the idle clock. */
    private volatile long lastActivity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean firstTokenSeen;
    private boolean closed;
    private TransportTimeoutException fired;
    private HttpStreamResponse response;
    private CompletableFuture<HttpStreamResponse> pending;
    private SseReader sse;
    private NdjsonReader ndjson;
    private InputStream body;
    private Runnable keepAlive = () -> { };

    private GuardedStream(StreamTimeouts timeouts) {
        this.timeouts = timeouts;
        this.startNanos = System.nanoTime();
        this.lastActivity = startNanos;
    }

    /**
     * Sends {@code call} and waits for the response headers, under {@code timeouts}.
     *
     * @param transport the transport
     * @param call the request
     * @param timeouts the limits; {@link StreamTimeouts#NONE} for only the transport's own timeouts
     * @return the open stream; the caller must close it
     * @throws TransportTimeoutException if the headers did not arrive within the first-token, total or idle limit, or
     *     the transport timed out
     * @throws IOException if the connection failed
     */
    public static GuardedStream open(HttpTransport transport, HttpCall call, StreamTimeouts timeouts)
            throws IOException {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(timeouts, "timeouts");
        GuardedStream g = new GuardedStream(timeouts);
        CompletableFuture<HttpStreamResponse> future = new CompletableFuture<>();
        g.lock.lock();
        try {
            g.pending = future;
        } finally {
            g.lock.unlock();
        }
        if (!timeouts.isNone()) {
            g.startWatchdog();
        }
        // The request is sent on a thread referenced nowhere else, so nothing can interrupt it: an interrupt landing
        // while the HTTP client initialises its classes breaks them for the life of the JVM (see
        // DeadlineBoundExchange). A limit passing, or the caller being interrupted, only ends the wait below.
        Thread.ofVirtual().name("costwise-stream-open").start(() -> {
            if (future.isDone()) {
                return; // given up on before it started: send nothing
            }
            try {
                HttpStreamResponse r = transport.stream(call);
                if (!future.complete(r)) {
                    r.close(); // the watchdog or the caller already gave up on this request
                }
            } catch (Throwable t) { // an Error too: the caller must see it, not wait for a limit
                future.completeExceptionally(t);
            }
        });
        HttpStreamResponse r;
        try {
            r = future.get();
        } catch (InterruptedException e) {
            abandon(future);
            Thread.currentThread().interrupt();
            g.close();
            throw new InterruptedIOException("interrupted while waiting for the response");
        } catch (ExecutionException e) {
            g.close();
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
        g.lock.lock();
        try {
            if (g.fired != null) {
                r.close();
                throw g.fired;
            }
            g.response = r;
            g.lastActivity = System.nanoTime();
            g.pending = null;
        } finally {
            g.lock.unlock();
        }
        return g;
    }

    /** @return the HTTP status */
    public int status() {
        return response.status();
    }

    /** @return the response headers */
    public HttpHeaders headers() {
        return response.headers();
    }

    /**
     * Reads the rest of the body as text (for an error response).
     *
     * @return the body, UTF-8
     * @throws TransportTimeoutException if a limit was passed meanwhile
     * @throws ResponseTooLargeException if it is larger than the response's {@link HttpStreamResponse#maxEventSize}
     * @throws IOException if reading failed
     */
    public String readRemaining() throws IOException {
        try {
            byte[] bytes = HttpBodies.readAtMost(body(), java.util.OptionalLong.empty(), response.maxEventSize(),
                    "the answer");
            String s = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            checkFired();
            return s;
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /**
     * Reads the next server-sent event. It does not mark the first token: call {@link #markFirstToken()} when an event
     * carries output.
     *
     * @return the event, or empty at the end of the stream
     * @throws TransportTimeoutException if the first-token, total or idle limit was passed
     * @throws IOException if the connection broke
     */
    public Optional<SseEvent> nextEvent() throws IOException {
        if (sse == null) {
            sse = new SseReader(body(), response.maxEventSize());
            sse.onComment(keepAlive);
        }
        try {
            Optional<SseEvent> e = sse.next();
            checkFired();
            return e;
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /**
     * Asks to be told of each SSE comment {@link #nextEvent()} reads: a provider's keep-alive ({@code : OPENROUTER
     * PROCESSING}). The listener runs on the reading thread, inside {@link #nextEvent()}; what it throws ends that
     * read.
     *
     * @param listener told of each comment; replaces any set before
     */
    public void onKeepAlive(Runnable listener) {
        keepAlive = Objects.requireNonNull(listener, "listener");
        if (sse != null) {
            sse.onComment(listener);
        }
    }

    /**
     * Reads the next NDJSON line. It does not mark the first token: call {@link #markFirstToken()} when a line carries
     * output.
     *
     * @return the line, or empty at the end of the stream
     * @throws TransportTimeoutException if the first-token, total or idle limit was passed
     * @throws IOException if the connection broke
     */
    public Optional<String> nextLine() throws IOException {
        if (ndjson == null) {
            ndjson = new NdjsonReader(body(), response.maxEventSize());
        }
        try {
            Optional<String> l = ndjson.next();
            checkFired();
            return l;
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /**
     * After the provider's end marker ({@code [DONE]}, {@code done: true}), reads what little is left of the body (the
     * end of the chunked encoding) so the connection can go back to the keep-alive pool, then closes. If more than
     * {@code maxBytes} remain, or reading fails, the connection is simply closed.
     *
     * @param maxBytes the most to read before giving up
     */
    public void drainAndClose(int maxBytes) {
        try {
            InputStream in = body();
            byte[] buf = new byte[Math.min(8192, Math.max(1, maxBytes))];
            int total = 0;
            int n;
            while (total <= maxBytes && (n = in.read(buf)) >= 0) {
                total += n;
            }
        } catch (IOException e) {
            // the connection is closed below either way
        } finally {
            close();
        }
    }

    /** Records that the first token (the first output of the model) arrived, which stops the first-token clock. */
    public void markFirstToken() {
        lock.lock();
        try {
            if (!firstTokenSeen) {
                firstTokenSeen = true;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return the limit that was passed, if the watchdog aborted the stream */
    public Optional<TransportTimeoutException> timedOut() {
        lock.lock();
        try {
            return Optional.ofNullable(fired);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the response, aborting the upstream request if it is still running, and stops the watchdog. */
    @Override
    public void close() {
        HttpStreamResponse r;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            r = response;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (r != null) {
            r.close();
        }
    }

    private InputStream body() {
        if (body == null) {
            body = timeouts.idle().isPresent() ? new ActivityStamping(response.body()) : response.body();
        }
        return body;
    }

    /** Gives up on a response still being opened: closed at once if it came meanwhile, else when it comes. */
    private static void abandon(CompletableFuture<HttpStreamResponse> opening) {
        if (!opening.cancel(false) && !opening.isCompletedExceptionally()) {
            opening.join().close();
        }
    }

    private void checkFired() throws TransportTimeoutException {
        TransportTimeoutException f = timedOut().orElse(null);
        if (f != null) {
            throw f;
        }
    }

    private IOException failure(IOException e) {
        return timedOut().<IOException>map(f -> f).orElse(e);
    }

    private void startWatchdog() {
        Thread.ofVirtual().name("costwise-stream-watchdog").start(this::watch);
    }

    private void watch() {
        long firstAt = timeouts.firstToken().map(d -> startNanos + d.toNanos()).orElse(Long.MAX_VALUE);
        long totalAt = timeouts.total().map(d -> startNanos + d.toNanos()).orElse(Long.MAX_VALUE);
        long idleNanos = timeouts.idle().map(Duration::toNanos).orElse(0L);
        lock.lock();
        try {
            while (!closed) {
                long now = System.nanoTime();
                if (!firstTokenSeen && now - firstAt >= 0) {
                    fire(TransportTimeoutException.Phase.FIRST_TOKEN, timeouts.firstToken().orElseThrow());
                    return;
                }
                if (now - totalAt >= 0) {
                    fire(TransportTimeoutException.Phase.TOTAL, timeouts.total().orElseThrow());
                    return;
                }
                // reads do not wake the watchdog: it wakes when the idle limit would pass and looks again
                long idleLeft = idleNanos == 0 ? Long.MAX_VALUE : lastActivity + idleNanos - now;
                if (idleLeft <= 0) {
                    fire(TransportTimeoutException.Phase.READ, timeouts.idle().orElseThrow());
                    return;
                }
                long next = firstTokenSeen ? totalAt : Math.min(firstAt, totalAt);
                long wait = Math.min(idleLeft, next == Long.MAX_VALUE ? Long.MAX_VALUE : next - now);
                if (wait == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(wait);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** The body, noting when each read returns bytes, for the idle limit. */
    private final class ActivityStamping extends java.io.FilterInputStream {
        ActivityStamping(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                lastActivity = System.nanoTime();
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                lastActivity = System.nanoTime();
            }
            return n;
        }
    }

    /** Called with the lock held. */
    private void fire(TransportTimeoutException.Phase phase, Duration limit) {
        fired = new TransportTimeoutException(phase, limit, null);
        if (response != null) {
            response.close();
        } else if (pending != null) {
            pending.completeExceptionally(fired); // the opener closes the response if it still comes
        }
    }
}
