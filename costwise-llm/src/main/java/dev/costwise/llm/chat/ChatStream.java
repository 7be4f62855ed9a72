package dev.costwise.llm.chat;

import java.util.Iterator;

/**
 * A streamed completion: iterate the chunks as they arrive, then read the assembled {@link #response()}.
 *
 * <p>Single use and not thread-safe: one consumer iterates it. {@link #close()} before the end aborts the upstream
 * request (the provider stops generating, and so stops billing) and settles what was already produced. Always close a
 * stream, ideally with try-with-resources. {@link #hasNext()} and {@link #next()} throw the same typed
 * {@link dev.costwise.llm.provider.ProviderException}s as a non-streaming call, including a first-token or total
 * timeout.
 */
public interface ChatStream extends Iterator<ChatChunk>, AutoCloseable {

    /**
     * The whole completion assembled from the chunks, with final usage and cost.
     *
     * @return the response
     * @throws IllegalStateException if the stream has not been read to its end
     */
    ChatResponse response();

    /** Aborts the upstream request if it is still running; idempotent. */
    @Override
    void close();
}
