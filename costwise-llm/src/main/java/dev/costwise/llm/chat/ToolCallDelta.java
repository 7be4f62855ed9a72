package dev.costwise.llm.chat;

import java.util.Objects;
import java.util.Optional;

/**
 * A fragment of a tool call in a stream, in OpenAI's shape: the first fragment of a call carries its id and name,
 * later ones append to its arguments.
 *
 * @param index which tool call of the message this fragment belongs to
 * @param id the call's id, on its first fragment
 * @param name the function name, on its first fragment
 * @param argumentsFragment text to append to the call's arguments
 */
public record ToolCallDelta(int index, Optional<String> id, Optional<String> name, String argumentsFragment) {
    public ToolCallDelta {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(argumentsFragment, "argumentsFragment");
    }
}
