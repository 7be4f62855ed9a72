package dev.costwise.llm.orchestration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;

/** Reads the JSON object an orchestrator model was asked to answer with, and says exactly what is wrong when not. */
final class JsonReply {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonReply() {}

    /** A reply that is not the JSON asked for; the message names the problem. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** Parses {@code text} as one JSON object; a surrounding Markdown code fence is tolerated. */
    static JsonNode object(String text) throws Invalid {
        String body = text.strip();
        if (body.startsWith("```")) {
            int firstNewline = body.indexOf('\n');
            int lastFence = body.lastIndexOf("```");
            if (firstNewline > 0 && lastFence > firstNewline) {
                body = body.substring(firstNewline + 1, lastFence).strip();
            }
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Invalid("not JSON: " + e.getOriginalMessage() + " in '" + FallbackRunner.shorten(text) + "'");
        }
        if (node == null || !node.isObject()) {
            throw new Invalid("expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()
                    .name().toLowerCase(Locale.ROOT)));
        }
        return node;
    }

    static String requiredText(JsonNode node, String field) throws Invalid {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new Invalid("missing required field '" + field + "'");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new Invalid("field '" + field + "' must be a non-empty string, was " + v);
        }
        return v.asText();
    }

    static <E extends Enum<E>> E requiredEnum(JsonNode node, String field, Class<E> type) throws Invalid {
        String value = requiredText(node, field).strip().toUpperCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new Invalid("field '" + field + "' has invalid value '" + node.get(field).asText() + "'; expected one of "
                    + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    static String enumList(Class<? extends Enum<?>> type) {
        StringBuilder sb = new StringBuilder();
        for (Enum<?> e : type.getEnumConstants()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(e.name());
        }
        return sb.toString();
    }
}
