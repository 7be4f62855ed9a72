package dev.costwise.llm.provider.http;

import java.io.IOException;

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
     * Sends a request and returns as soon as the response headers arrive; the body is read as it streams.
     *
     * @param call the request
     * @return the open response; the caller must close it
     * @throws TransportTimeoutException if connecting or waiting for the headers took longer than allowed
     * @throws IOException if the connection failed
     */
    HttpStreamResponse stream(HttpCall call) throws IOException;
}
