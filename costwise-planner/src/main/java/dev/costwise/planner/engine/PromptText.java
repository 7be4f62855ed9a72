package dev.costwise.planner.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.wire.PromptTokens;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The text a router reads: every message's text (what the gateway measures a prompt's length on) and the last user
 * message (what its keywords and classifier read).
 *
 * @param all every message's text
 * @param lastUser the last user message's text
 */
public record PromptText(String all, String lastUser) {
    public PromptText {
        Objects.requireNonNull(all, "all");
        Objects.requireNonNull(lastUser, "lastUser");
    }

    /**
     * @param body an OpenAI chat request's JSON
     * @return its text exactly as the gateway reads it
     */
    public static PromptText of(JsonNode body) {
        return new PromptText(PromptTokens.allText(body), PromptTokens.lastUserText(body));
    }

    /**
     * @param request a request built without JSON (a synthetic one)
     * @return its messages' text, one line apart, and its last user message
     */
    public static PromptText of(ChatRequest request) {
        return new PromptText(request.messages().stream().map(Message::text).collect(Collectors.joining("\n")),
                request.lastUserText());
    }
}
