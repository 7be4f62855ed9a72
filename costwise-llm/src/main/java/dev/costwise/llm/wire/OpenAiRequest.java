package dev.costwise.llm.wire;

import dev.costwise.llm.chat.ChatRequest;
import java.util.Objects;

/**
 * A parsed OpenAI chat-completions request: the canonical {@link ChatRequest} plus the transport flags it does not
 * carry.
 *
 * @param chat the request
 * @param stream the caller's {@code stream}
 * @param includeUsage the caller's {@code stream_options.include_usage}
 */
public record OpenAiRequest(ChatRequest chat, boolean stream, boolean includeUsage) {
    public OpenAiRequest {
        Objects.requireNonNull(chat, "chat");
    }
}
