package dev.costwise.llm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Objects;
import java.util.Optional;

/**
 * A tool the model may call: a function with its parameters as a JSON Schema, or one of Anthropic's own client tools.
 *
 * @param name the function name
 * @param description what it does, if given
 * @param parameters the JSON Schema of its arguments
 * @param strict OpenAI's {@code strict} flag (structured outputs)
 * @param cacheControl a prompt-cache breakpoint after this tool's definition, if any (caches every tool up to it)
 * @param anthropicDefinition for a tool Anthropic defines and the caller runs (bash, text editor, computer use,
 *     memory: {@link AnthropicToolTypes#isClientTool}), its definition as Anthropic takes it: {@code type},
 *     {@code name} and the tool's own settings ({@code display_width_px}...), without {@code cache_control}. Such a
 *     tool has no schema ({@code parameters} is an empty object schema) and only Anthropic models know it
 */
public record Tool(String name, Optional<String> description, JsonNode parameters, boolean strict,
        Optional<CacheControl> cacheControl, Optional<JsonNode> anthropicDefinition) {
    public Tool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(cacheControl, "cacheControl");
        Objects.requireNonNull(anthropicDefinition, "anthropicDefinition");
        if (name.isBlank()) {
            throw new IllegalArgumentException("tool name cannot be blank");
        }
        anthropicDefinition.ifPresent(d -> {
            if (!AnthropicToolTypes.isClientTool(d.path("type").asText(""))) {
                throw new IllegalArgumentException("not an Anthropic-defined client tool: " + d.path("type"));
            }
        });
    }

    /** A function tool; the components as above. */
    public Tool(String name, Optional<String> description, JsonNode parameters, boolean strict,
            Optional<CacheControl> cacheControl) {
        this(name, description, parameters, strict, cacheControl, Optional.empty());
    }

    /** A function tool with no cache breakpoint; parameters as above. */
    public Tool(String name, Optional<String> description, JsonNode parameters, boolean strict) {
        this(name, description, parameters, strict, Optional.empty());
    }

    /**
     * One of Anthropic's client tools, which the caller runs ({@code bash_20250124}, {@code text_editor_20250728},
     * {@code computer_20250124}...).
     *
     * @param definition its definition as Anthropic takes it: {@code type}, {@code name} and its own settings
     * @param cacheControl a prompt-cache breakpoint after it, if any
     * @return the tool
     * @throws IllegalArgumentException if the type is not one of Anthropic's client tools, or the name is missing
     */
    public static Tool anthropicDefined(JsonNode definition, Optional<CacheControl> cacheControl) {
        JsonNode name = definition.path("name");
        if (!name.isTextual()) {
            throw new IllegalArgumentException("an Anthropic-defined tool needs a name");
        }
        JsonNode noSchema = JsonNodeFactory.instance.objectNode().put("type", "object")
                .set("properties", JsonNodeFactory.instance.objectNode());
        return new Tool(name.asText(), Optional.empty(), noSchema, false, cacheControl,
                Optional.of(definition.deepCopy()));
    }

    /** @return the tool's type: {@code function}, or the Anthropic-defined tool's own ({@code bash_20250124}) */
    public String type() {
        return anthropicDefinition.map(d -> d.path("type").asText()).orElse("function");
    }
}
