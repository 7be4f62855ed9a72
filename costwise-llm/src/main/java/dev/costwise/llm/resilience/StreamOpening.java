package dev.costwise.llm.resilience;

import dev.costwise.core.Primitive;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;

/**
 * The protected region of a stream: opening it and reading its first chunk. A failure in either is the failure of the
 * stream as a whole, which a retry may repeat and a fallback move past, as it would a call's; once the first chunk is
 * there the stream is handed over, and a later failure is its reader's (chunks that reached a user cannot be unsent).
 */
final class StreamOpening {

    private StreamOpening() {}

    /**
     * @param model the model to stream from
     * @return a primitive that opens a stream of {@code model} and returns it with its first chunk read
     */
    static Primitive<ChatRequest, ChatStream> of(ChatModel model) {
        return (request, context) -> toFirstChunk(model.stream(request, context));
    }

    /**
     * Waits for the first chunk (or the end) of an open stream, which keeps it for the reader.
     *
     * @param stream the open stream
     * @return the same stream
     * @throws RuntimeException what reading the first chunk threw, after the stream was closed
     */
    static ChatStream toFirstChunk(ChatStream stream) {
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
