package dev.costwise.llm.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** Typed reads of JSON fields that fail with a {@link WireFormatException} naming the field's path. */
final class JsonReader {

    private JsonReader() {}

    static String path(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    static String index(String parent, int i) {
        return parent + "[" + i + "]";
    }

    static boolean present(JsonNode obj, String field) {
        JsonNode n = obj.get(field);
        return n != null && !n.isNull() && !n.isMissingNode();
    }

    static JsonNode requireObject(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new WireFormatException(path, "expected an object, was " + describe(node));
        }
        return node;
    }

    static String requireString(JsonNode obj, String field, String parent) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            throw new WireFormatException(path(parent, field), "is required");
        }
        if (!n.isTextual()) {
            throw new WireFormatException(path(parent, field), "expected a string, was " + describe(n));
        }
        return n.asText();
    }

    static Optional<String> optString(JsonNode obj, String field, String parent) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw new WireFormatException(path(parent, field), "expected a string, was " + describe(n));
        }
        return Optional.of(n.asText());
    }

    static Optional<Double> optNumber(JsonNode obj, String field, String parent) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isNumber()) {
            throw new WireFormatException(path(parent, field), "expected a number, was " + describe(n));
        }
        return Optional.of(n.asDouble());
    }

    static Optional<Long> optLong(JsonNode obj, String field, String parent) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new WireFormatException(path(parent, field), "expected an integer, was " + describe(n));
        }
        return Optional.of(n.asLong());
    }

    static Optional<Boolean> optBoolean(JsonNode obj, String field, String parent) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isBoolean()) {
            throw new WireFormatException(path(parent, field), "expected true or false, was " + describe(n));
        }
        return Optional.of(n.asBoolean());
    }

    static long longOrZero(JsonNode obj, String field, String parent) {
        return obj == null || !obj.isObject() ? 0 : optLong(obj, field, parent).orElse(0L);
    }

    static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "missing";
        }
        if (n.isNull()) {
            return "null";
        }
        String text = n.toString();
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        String kind = n.isTextual() ? "a string" : n.isNumber() ? "a number" : n.isBoolean() ? "a boolean"
                : n.isArray() ? "an array" : n.isObject() ? "an object" : n.getNodeType().toString();
        return kind + " " + shown;
    }
}
