package dev.costwise.llm.chat;

import java.util.Objects;
import java.util.Optional;

/**
 * A function call the model asked for.
 *
 * @param id the provider's id for the call, echoed back in the {@link Role#TOOL} message that answers it
 * @param name the function's name
 * @param arguments the arguments as a JSON text, exactly as the model produced them (it may be invalid JSON)
 * @param cacheControl a prompt-cache breakpoint after this call, when a caller sends the call back in a later turn
 *     (Anthropic caches up to a {@code tool_use} block as up to any other); never set on an answer
 */
public record ToolCall(String id, String name, String arguments, Optional<CacheControl> cacheControl) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(cacheControl, "cacheControl");
    }

    /** A call with no cache breakpoint; the components as above. */
    public ToolCall(String id, String name, String arguments) {
        this(id, name, arguments, Optional.empty());
    }
}
