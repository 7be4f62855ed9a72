package dev.costwise.llm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * A function the model may call, with its parameters as a JSON Schema.
 *
 * @param name the function name
 * @param description what it does, if given
 * @param parameters the JSON Schema of its arguments
 * @param strict OpenAI's {@code strict} flag (structured outputs)
 * @param cacheControl a prompt-cache breakpoint after this tool's definition, if any (caches every tool up to it)
 */
public record Tool(String name, Optional<String> description, JsonNode parameters, boolean strict,
        Optional<CacheControl> cacheControl) {
    public Tool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(cacheControl, "cacheControl");
        if (name.isBlank()) {
            throw new IllegalArgumentException("tool name cannot be blank");
        }
    }

    /** A tool with no cache breakpoint; parameters as above. */
    public Tool(String name, Optional<String> description, JsonNode parameters, boolean strict) {
        this(name, description, parameters, strict, Optional.empty());
    }
}
