package dev.costwise.llm.chat;

import java.util.Iterator;
import java.util.Optional;

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

    /**
     * The usage to bill for a stream that failed or was closed before its end: what the provider reported before
     * then (Anthropic's {@code message_start} gives the input and cache tokens, Gemini's {@code usageMetadata} comes on
     * every chunk), with the output produced beyond it counted locally (the usage is then
     * {@linkplain Usage#estimated() estimated}); the final usage once a chunk carried it. A caller that keeps its own
     * ledger bills this rather than its own estimate of the prompt. May be called after {@link #close()}, and from
     * another thread than the consumer's. Default: empty.
     *
     * @return the usage so far, or empty when the provider has reported none (OpenAI reports usage only at the end)
     */
    default Optional<Usage> usageSoFar() {
        return Optional.empty();
    }

    /**
     * What the provider itself has reported so far, without the output {@link #usageSoFar()} counts locally beyond
     * it: a guard that holds a stream to its output limit reads this, since an estimate of the text (by its
     * characters) may be well above what the provider counts and enforces. May be called from another thread than the
     * consumer's. Default: {@link #usageSoFar()} unless it is {@linkplain Usage#estimated() estimated}.
     *
     * @return the provider's own usage so far, or empty when it has reported none
     */
    default Optional<Usage> reportedSoFar() {
        return usageSoFar().filter(u -> !u.estimated());
    }

    /**
     * Asks to be told of the provider's keep-alives as they are read: what a provider sends to keep the connection
     * open while it has nothing to say (Anthropic's {@code ping} events, SSE comments such as OpenRouter's
     * {@code : OPENROUTER PROCESSING}), so that a relay can pass them on and its own client's connection is not cut
     * as idle by a proxy on the way. The listener runs on the consumer's thread, inside {@link #hasNext()}; an
     * exception it throws ends that call and reaches the consumer as it is (a relay whose client has gone: the consumer
     * then closes the stream). A later call replaces the listener. Default: keep-alives are not reported.
     *
     * @param listener told of each keep-alive
     */
    default void onKeepAlive(Runnable listener) {
    }

    /** Aborts the upstream request if it is still running; idempotent. */
    @Override
    void close();
}
