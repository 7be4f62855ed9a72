package dev.costwise.llm.cache;

import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The two stream shapes every response cache needs, in-memory or shared: replay a cached answer as chunks, and pass a
 * live stream through while keeping its answer once it ends by itself.
 */
public final class CachedStreams {

    private CachedStreams() {}

    /**
     * Replays a cached answer: its text in pieces, its tool calls, then a final chunk with the finish reason and usage.
     *
     * @param response the cached answer, as the caller should receive it (usually with cost $0)
     * @return a stream that needs no network and whose {@link ChatStream#response()} is {@code response}
     */
    public static ChatStream replay(ChatResponse response) {
        return new ReplayedChatStream(Objects.requireNonNull(response, "response"));
    }

    /**
     * Passes {@code live} through and hands its whole answer to {@code onComplete} once it has been read to its end.
     * A stream closed early, or one that fails, is incomplete, so {@code onComplete} is not called.
     *
     * @param live the upstream stream
     * @param onComplete receives the assembled answer, on the consumer's thread
     * @return the stream to give the caller
     */
    public static ChatStream storingOnCompletion(ChatStream live, Consumer<ChatResponse> onComplete) {
        return new CachingChatStream(Objects.requireNonNull(live, "live"),
                Objects.requireNonNull(onComplete, "onComplete"));
    }
}
