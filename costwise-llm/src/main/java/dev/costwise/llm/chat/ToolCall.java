package dev.costwise.llm.chat;

import java.util.Objects;

/**
 * A function call the model asked for.
 *
 * @param id the provider's id for the call, echoed back in the {@link Role#TOOL} message that answers it
 * @param name the function's name
 * @param arguments the arguments as a JSON text, exactly as the model produced them (it may be invalid JSON)
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
