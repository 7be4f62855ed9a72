package dev.costwise.llm.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.CacheControl;
import java.math.BigDecimal;
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

    /**
     * Reads a {@code cache_control} field as Anthropic writes it: {@code {"type": "ephemeral"}}, optionally with
     * {@code "ttl": "5m"} or {@code "1h"}.
     */
    static Optional<CacheControl> optCacheControl(JsonNode obj, String parent) {
        JsonNode n = obj.get("cache_control");
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        String at = path(parent, "cache_control");
        requireObject(n, at);
        String type = requireString(n, "type", at);
        if (!type.equals("ephemeral")) {
            throw new WireFormatException(path(at, "type"), "unsupported cache_control type '" + type
                    + "'; expected ephemeral");
        }
        Optional<String> ttl = optString(n, "ttl", at);
        if (ttl.isEmpty()) {
            return Optional.of(CacheControl.FIVE_MINUTES);
        }
        return Optional.of(new CacheControl(CacheControl.Ttl.fromWire(ttl.get()).orElseThrow(() ->
                new WireFormatException(path(at, "ttl"), "unsupported cache lifetime '" + ttl.get()
                        + "'; expected 5m or 1h"))));
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

    /**
     * Reads a non-negative amount exactly, as it was written: from a tree parsed with exact decimals (an integer, or
     * a fraction held as a {@link BigDecimal}). A fraction held as a {@code double} may not be the amount that was
     * written, so it reads as absent.
     */
    static Optional<BigDecimal> optExactAmount(JsonNode obj, String field, String parent) {
        JsonNode n = obj == null || !obj.isObject() ? null : obj.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isNumber()) {
            throw new WireFormatException(path(parent, field), "expected a number, was " + describe(n));
        }
        if (!n.isIntegralNumber() && !n.isBigDecimal()) {
            return Optional.empty();
        }
        BigDecimal amount = n.decimalValue();
        if (amount.signum() < 0) {
            throw new WireFormatException(path(parent, field), "cannot be negative, was " + n);
        }
        return Optional.of(amount);
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
