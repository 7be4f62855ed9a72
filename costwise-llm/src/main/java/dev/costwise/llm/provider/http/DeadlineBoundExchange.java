package dev.costwise.llm.provider.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A whole non-streamed exchange bounded by the time left before the caller's deadline, as {@link GuardedStream}
 * bounds a stream: the exchange runs on a virtual thread; when the limit passes first, that thread is interrupted,
 * which closes its blocked socket and so aborts the upstream request, and the caller fails at once with a
 * {@link TransportTimeoutException} of phase {@link TransportTimeoutException.Phase#CALL}.
 */
final class DeadlineBoundExchange {

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
    static HttpResult send(HttpTransport transport, HttpCall call, Duration limit) throws IOException {
        if (limit.isNegative() || limit.isZero()) {
            throw new TransportTimeoutException(TransportTimeoutException.Phase.CALL, Duration.ZERO, null);
        }
        FutureTask<HttpResult> exchange = new FutureTask<>(() -> transport.send(call));
        Thread.ofVirtual().name("costwise-send").start(exchange);
        try {
            return exchange.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new TransportTimeoutException(TransportTimeoutException.Phase.CALL, limit, null);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the response to " + call.uri());
        } catch (ExecutionException e) {
            return rethrow(e.getCause());
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
