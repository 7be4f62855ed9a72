package dev.costwise.llm.provider.http;

import java.io.InputStream;

/**
 * An HTTP response whose body is read as it arrives (server-sent events, NDJSON).
 *
 * <p>{@link #close()} releases the connection; before the body's end it aborts the upstream request (the connection
 * is closed, so the provider stops generating). Closing from another thread makes a blocked {@link #body()} read fail,
 * which is how timeouts are enforced. Implementations make {@code close()} idempotent and thread-safe.
 */
public interface HttpStreamResponse extends AutoCloseable {

    /** @return the HTTP status code */
    int status();

    /** @return the response headers */
    HttpHeaders headers();

    /** @return the body, read as it arrives; single use */
    InputStream body();

    /**
     * @return the largest stream event (or NDJSON line, or error body) read from this response, in bytes: the
     *     transport's limit on an answer read whole; {@link HttpBodies#DEFAULT_MAX_SIZE} unless a transport says
     *     otherwise
     */
    default int maxEventSize() {
        return HttpBodies.DEFAULT_MAX_SIZE;
    }

    /** Releases the response, aborting the request if the body has not been read to its end. */
    @Override
    void close();
}
