package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * An answer's text as a translation into another API's shape carries it: the node it was read as, put in the
 * translation whole rather than read into a {@code String} and written again. A long string of a cached answer
 * ({@code AnswerBody.tree}) is a node over the stored bytes, so the translation of a hit shared by many requests at
 * once is written from them and holds no copy of the text per request. Stateless.
 */
final class AnswerText {
    private static final TextNode EMPTY = TextNode.valueOf("");

    private AnswerText() {}

    /**
     * @param value a field of an answer
     * @return it, if it is a string; else an empty string
     */
    static JsonNode of(JsonNode value) {
        return value.isTextual() ? value : EMPTY;
    }

    /**
     * @param text a string node, as {@link #of} gives it
     * @return whether it is the empty string; a stored long string is not read to tell
     */
    static boolean isEmpty(JsonNode text) {
        return text instanceof TextNode t && t.textValue().isEmpty();
    }
}
