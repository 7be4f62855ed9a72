package dev.costwise.llm.orchestration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Optional;

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

    /**
     * Finds, in a reply that may wrap its JSON in prose or a Markdown code fence, the object that holds a boolean
     * {@code field}: of every balanced {@code {...}} in the text that parses as a JSON object with that field, the
     * last one (a model that thinks aloud states its final answer last). Other fields are the caller's to read or
     * ignore.
     *
     * @param text the model's reply
     * @param field the boolean field the object must hold
     * @return the object, or empty when the text holds none
     */
    static Optional<ObjectNode> lastObjectWithBoolean(String text, String field) {
        String quoted = '"' + field + '"';
        ObjectNode found = null;
        for (int start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
            int end = balancedEnd(text, start);
            if (end < 0 || !text.substring(start, end).contains(quoted)) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(text.substring(start, end));
                if (node instanceof ObjectNode o && o.path(field).isBoolean()) {
                    found = o;
                    start = end - 1; // an object inside the one found is part of it, not another answer
                }
            } catch (JsonProcessingException e) {
                // not JSON: prose in braces, or a template such as {"pass": true or false}; look further
            }
        }
        return Optional.ofNullable(found);
    }

    /** @return the index just past the brace closing the one at {@code start}, or -1 if it is never closed */
    private static int balancedEnd(String text, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
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
            throw new Invalid("field '" + field + "' has invalid value '" + node.get(field).asText()
                    + "'; expected one of "
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
