package dev.costwise.llm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** OpenAI's {@code response_format}: free text, any JSON object, or JSON matching a schema. */
public sealed interface ResponseFormat {

    /** Free text (the default). */
    record Text() implements ResponseFormat {}

    /** JSON mode: the answer is one JSON object. */
    record JsonObject() implements ResponseFormat {}

    /**
     * Structured output: JSON matching {@code schema}.
     *
     * @param name the schema's name
     * @param schema the JSON Schema
     * @param strict whether the provider must follow it exactly
     */
    record JsonSchema(String name, JsonNode schema, boolean strict) implements ResponseFormat {
        public JsonSchema {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(schema, "schema");
        }
    }

    /** @return {@code true} unless this is free text */
    default boolean isJson() {
        return !(this instanceof Text);
    }
}
