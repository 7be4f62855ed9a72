package dev.costwise.llm.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * An OpenAI-shaped error body: {@code {"error": {"message", "type", "param", "code"}}}. OpenRouter sends a numeric
 * {@code code} and a {@code metadata} object; both are kept.
 *
 * @param message the provider's message
 * @param type the error type, such as {@code invalid_request_error}, if given
 * @param param the offending parameter, if given
 * @param code the error code as text ({@code context_length_exceeded}, {@code insufficient_quota}, {@code 402}), if
 *     given
 * @param metadata OpenRouter's {@code metadata} (moderation reasons, raw provider error), if given
 */
public record WireError(String message, Optional<String> type, Optional<String> param, Optional<String> code,
        Optional<JsonNode> metadata) {
    public WireError {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(param, "param");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(metadata, "metadata");
    }

    /**
     * An error with a message and a type only.
     *
     * @param message the message
     * @param type the type
     * @return the error
     */
    public static WireError of(String message, String type) {
        return new WireError(message, Optional.of(type), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
