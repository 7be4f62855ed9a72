package dev.costwise.llm.provider.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A whole non-streamed exchange, bounded by the time left before the caller's deadline as {@link GuardedStream}
 * bounds a stream, and run on a virtual thread of its own that nothing ever interrupts.
 *
 * <p>Why no interrupt: the first exchanges of a JVM initialise the HTTP client's classes, and some of their static
 * initialisers read resources through interruptible channels. An interrupt landing there (a deadline passing, a
 * caller cancelling) fails the initialiser, and the JVM then refuses that class, so every later call of every
 * adapter fails with {@link NoClassDefFoundError} until a restart. So the caller only stops waiting: when the limit
 * passes first it fails at once with a {@link TransportTimeoutException} of phase
 * {@link TransportTimeoutException.Phase#CALL}, and when it is interrupted with an {@link InterruptedIOException};
 * the exchange itself ends by its own reads, which the transport bounds by the same limit
 * ({@link HttpTransport#send(HttpCall, Duration)}), closing its connection and so aborting the upstream request. An
 * exchange whose caller gave up before it started sends nothing.
 *
 * <p>Every exchange of the provider adapters goes through here, with or without a deadline.
 */
public final class DeadlineBoundExchange {

    private DeadlineBoundExchange() {}

    /**
     * Sends {@code call} and reads the whole response within {@code limit}.
     *
     * @param transport the transport
     * @param call the request
     * @param limit the time left; when not positive, nothing is sent
     * @return the response, whatever its status
     * @throws TransportTimeoutException if the limit passed first, or the transport timed out
     * @throws InterruptedIOException if the calling thread was interrupted (its interrupt flag is restored)
     * @throws IOException if the connection failed or broke
     */
    public static HttpResult send(HttpTransport transport, HttpCall call, Duration limit) throws IOException {
        if (limit.isNegative() || limit.isZero()) {
            throw new TransportTimeoutException(TransportTimeoutException.Phase.CALL, Duration.ZERO, null);
        }
        return send(transport, call, Optional.of(limit));
    }

    /**
     * Sends {@code call} and reads the whole response, waiting as long as the transport's own timeouts allow.
     *
     * @param transport the transport
     * @param call the request
     * @return the response, whatever its status
     * @throws TransportTimeoutException if the transport timed out
     * @throws InterruptedIOException if the calling thread was interrupted (its interrupt flag is restored)
     * @throws IOException if the connection failed or broke
     */
    public static HttpResult send(HttpTransport transport, HttpCall call) throws IOException {
        return send(transport, call, Optional.empty());
    }

    private static HttpResult send(HttpTransport transport, HttpCall call, Optional<Duration> limit)
            throws IOException {
        long start = System.nanoTime();
        CompletableFuture<HttpResult> exchange = new CompletableFuture<>();
        // the thread is referenced nowhere else, so nothing can interrupt it
        Thread.ofVirtual().name("costwise-send").start(() -> {
            if (exchange.isDone()) {
                return; // the caller gave up before this started: send nothing
            }
            try {
                exchange.complete(limit.isPresent() ? transport.send(call, limit.get()) : transport.send(call));
            } catch (Throwable t) { // an Error too: the caller must see it, not wait for ever
                exchange.completeExceptionally(t);
            }
        });
        try {
            return limit.isPresent() ? exchange.get(limit.get().toNanos(), TimeUnit.NANOSECONDS) : exchange.get();
        } catch (TimeoutException e) {
            exchange.cancel(false);
            throw new TransportTimeoutException(TransportTimeoutException.Phase.CALL, limit.orElseThrow(), null);
        } catch (InterruptedException e) {
            exchange.cancel(false);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the response to "
                    + SafeUrls.withoutSecrets(call.uri().toString()));
        } catch (ExecutionException e) {
            Throwable failure = e.getCause();
            if (failure instanceof TransportTimeoutException && limit.isPresent()
                    && System.nanoTime() - start >= limit.get().toNanos()) {
                // the transport's reads, bounded by the limit, ran out with it: the limit's timeout
                throw new TransportTimeoutException(TransportTimeoutException.Phase.CALL, limit.get(), failure);
            }
            return rethrow(failure);
        }
    }

    private static HttpResult rethrow(Throwable failure) throws IOException {
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        throw new IOException(failure);
    }
}
