package dev.costwise.llm.resilience;

import dev.costwise.core.Primitive;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;

/**
 * The first-chunk rule of every chat-model decorator that retries or falls back: opening a stream and reading its first
 * chunk are the stream's protected region. A failure in either is the failure of the stream as a whole, which a retry
 * may repeat and a fallback move past, as it would a call's (an HTTP 429 or 500, an error event, a first-token
 * timeout); once the first chunk is there the stream is handed over, and a later failure is its reader's (chunks that
 * reached a user cannot be unsent). {@link RetryingChatModel} and {@link FallbackChatModel} apply it, and so do the
 * fallbacks of other packages ({@link dev.costwise.llm.ratelimit.CooldownAwareFallback},
 * {@link dev.costwise.llm.budget.BudgetAwareFallback}) through {@link #toFirstChunk}. Stateless.
 */
public final class StreamOpening {

    private StreamOpening() {}

    /**
     * @param model the model to stream from
     * @return a primitive that opens a stream of {@code model} and returns it with its first chunk read
     */
    static Primitive<ChatRequest, ChatStream> of(ChatModel model) {
        return (request, context) -> toFirstChunk(model.stream(request, context));
    }

    /**
     * Waits for the first chunk (or the end) of an open stream, which keeps it for the reader: a decorator calls it on
     * the stream it just opened, so that a failure before the first chunk is thrown here, where it can still retry or
     * move on, rather than to the reader.
     *
     * @param stream the open stream
     * @return the same stream, its first chunk read and held
     * @throws RuntimeException what reading the first chunk threw, after the stream was closed
     */
    public static ChatStream toFirstChunk(ChatStream stream) {
        try {
            stream.hasNext();
            return stream;
        } catch (RuntimeException e) {
            try {
                stream.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }
}
