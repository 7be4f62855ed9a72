package dev.costwise.llm.provider.http;

import java.io.IOException;
import java.time.Duration;

/**
 * The one way provider adapters talk HTTP, so tests and other clients can plug in.
 *
 * <p>A status of 4xx or 5xx is data, not a failure: the adapter reads the provider's error body and maps it. Failures
 * to connect or read are {@link IOException}s; a connect or read timeout is a {@link TransportTimeoutException}.
 * Implementations are thread-safe and reuse connections.
 *
 * @see HelidonHttpTransport
 */
public interface HttpTransport {

    /**
     * Sends a request and reads the whole response.
     *
     * @param call the request
     * @return status, headers and body
     * @throws TransportTimeoutException if connecting or reading took longer than allowed
     * @throws IOException if the connection failed or broke
     */
    HttpResult send(HttpCall call) throws IOException;

    /**
     * Sends a request and reads the whole response for a caller that waits at most {@code timeLeft} for it.
     *
     * <p>That caller stops waiting on its own when the time is up, and never interrupts the thread running this
     * exchange: an interrupt that lands while a class of the HTTP client is being initialised breaks that class for the
     * life of the JVM. So an implementation that can should end the exchange by then itself (bound its reads by
     * {@code timeLeft}, closing the connection), so the upstream request is aborted rather than left running. Default:
     * {@link #send(HttpCall)}.
     *
     * @param call the request
     * @param timeLeft how long the caller waits; positive
     * @return status, headers and body
     * @throws TransportTimeoutException if connecting or reading took longer than allowed
     * @throws IOException if the connection failed or broke
     */
    default HttpResult send(HttpCall call, Duration timeLeft) throws IOException {
        return send(call);
    }

    /**
     * Sends a request and returns as soon as the response headers arrive; the body is read as it streams.
     *
     * @param call the request
     * @return the open response; the caller must close it
     * @throws TransportTimeoutException if connecting or waiting for the headers took longer than allowed
     * @throws IOException if the connection failed
     */
    HttpStreamResponse stream(HttpCall call) throws IOException;
}
