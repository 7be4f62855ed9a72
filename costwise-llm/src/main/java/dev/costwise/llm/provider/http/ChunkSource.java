package dev.costwise.llm.provider.http;

import dev.costwise.llm.chat.ChatChunk;
import java.util.Optional;

/**
 * The chunks of one streamed completion as an adapter reads them from the wire; the base adapter wraps it in a
 * {@link dev.costwise.llm.chat.ChatStream} that assembles the response, prices it and records its cost.
 *
 * <p>Single consumer, not thread-safe, except {@link #close()}, which may be called from any thread.
 */
public interface ChunkSource extends AutoCloseable {

    /**
     * Reads the next chunk.
     *
     * @return the chunk, or empty when the provider ended the stream properly (OpenAI {@code [DONE]}, Ollama
     *     {@code done: true}…)
     * @throws dev.costwise.llm.provider.ProviderException if the stream failed, timed out, carried an error event, or
     *     ended before its proper end ({@code ConnectionFailed})
     */
    Optional<ChatChunk> next();

    /** @return the provider's request id header, if it sent one */
    Optional<String> providerRequestId();

    /** Releases the connection; before the end this aborts the upstream request. Idempotent. */
    @Override
    void close();
}
