package dev.costwise.llm.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * Takes JSON Schema keywords Gemini does not accept out of a schema, by position: a key is a keyword only where a
 * schema is expected. The keys of {@code properties}, {@code patternProperties}, {@code $defs}, {@code definitions},
 * {@code dependentSchemas} and {@code dependencies} are names the caller chose (a property may well be called
 * {@code strict} or {@code $id}), so those maps keep their keys and only their values are cleaned; values that are
 * data ({@code enum}, {@code const}, {@code default}, {@code examples}...) are never touched.
 */
final class GeminiSchemas {

    /** Keywords whose value maps names to schemas. */
    private static final Set<String> NAMED_SCHEMAS = Set.of("properties", "patternProperties", "$defs",
            "definitions", "dependentSchemas", "dependencies");

    /** Keywords whose value is a schema or an array of schemas. */
    private static final Set<String> SUBSCHEMAS = Set.of("items", "prefixItems", "additionalItems", "contains",
            "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "anyOf", "oneOf",
            "allOf", "not", "if", "then", "else");

    private GeminiSchemas() {}

    /**
     * A copy of {@code schema} without the given keywords, wherever a schema is nested in it.
     *
     * @param schema a JSON Schema
     * @param keywords the keywords to take out
     * @return the cleaned copy
     */
    static JsonNode without(JsonNode schema, Set<String> keywords) {
        JsonNode copy = schema.deepCopy();
        clean(copy, keywords);
        return copy;
    }

    private static void clean(JsonNode schema, Set<String> keywords) {
        if (!(schema instanceof ObjectNode node)) {
            return; // true/false schemas, or a dependencies entry that lists property names
        }
        node.remove(keywords);
        node.properties().forEach(field -> {
            if (NAMED_SCHEMAS.contains(field.getKey())) {
                field.getValue().forEach(named -> clean(named, keywords));
            } else if (SUBSCHEMAS.contains(field.getKey())) {
                if (field.getValue().isArray()) {
                    field.getValue().forEach(item -> clean(item, keywords));
                } else {
                    clean(field.getValue(), keywords);
                }
            }
        });
    }
}
