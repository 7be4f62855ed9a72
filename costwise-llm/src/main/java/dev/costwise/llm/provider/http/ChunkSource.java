package dev.costwise.llm.provider.http;

import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.Usage;
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

    /**
     * The usage the provider reported before the end of the stream (Anthropic's {@code message_start} gives the input
     * and cache tokens, Gemini's {@code usageMetadata} comes on every chunk), for billing a stream that fails or is
     * closed before its end: its input side is billed as reported and only output beyond it is estimated. Unlike the
     * rest of this interface, it may be called from any thread. Default: empty (OpenAI reports usage only at the end).
     *
     * @return the latest usage reported so far, or empty when none was
     */
    default Optional<Usage> usageSoFar() {
        return Optional.empty();
    }

    /**
     * Asks to be told of the provider's keep-alives as they are read ({@link
     * dev.costwise.llm.chat.ChatStream#onKeepAlive}). Default: keep-alives are not reported.
     *
     * @param listener told of each keep-alive, on the consumer's thread
     */
    default void onKeepAlive(Runnable listener) {
    }

    /** @return the provider's request id header, if it sent one */
    Optional<String> providerRequestId();

    /** Releases the connection; before the end this aborts the upstream request. Idempotent. */
    @Override
    void close();
}
