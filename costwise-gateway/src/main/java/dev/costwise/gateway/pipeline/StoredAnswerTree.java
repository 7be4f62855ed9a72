package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Reads a cached answer as a JSON tree whose long strings (a long answer's {@code content}) are not copied out of the
 * stored bytes: each is a {@link StoredText} over them, written back as it is stored. A streamed cache hit replays
 * the tree per request, so a hit of a 7 MB answer holds a small tree beside the one stored answer, not a 7 MB
 * string (and, while it was parsed, 14 MB of characters) of its own. Every other value is what
 * {@link ObjectMapper#readTree} makes of it.
 */
final class StoredAnswerTree {
    /** Strings of up to this many bytes (as stored, escapes included) are read as usual. */
    static final int LONG_STRING = 8 * 1024;

    private StoredAnswerTree() {}

    /**
     * @param json the shared mapper
     * @param answer a stored answer: one JSON value; the tree refers to it, so it must never change
     * @return its tree
     * @throws IOException if it is not JSON
     */
    static JsonNode read(ObjectMapper json, byte[] answer) throws IOException {
        try (JsonParser p = json.getFactory().createParser(answer)) {
            if (p.nextToken() == null) {
                throw new IOException("a stored answer is empty");
            }
            return node(json, p, answer);
        }
    }

    /** The value at the parser's current token, which is left on its last token. */
    private static JsonNode node(ObjectMapper json, JsonParser p, byte[] answer) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = json.createObjectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    object.set(name, node(json, p, answer));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = json.createArrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    array.add(node(json, p, answer));
                }
                return array;
            }
            case VALUE_STRING -> {
                long quote = p.currentTokenLocation().getByteOffset();
                if (quote >= 0 && quote < answer.length && answer[(int) quote] == '"') {
                    int start = (int) quote + 1;
                    int end = closingQuote(answer, start);
                    if (end - start > LONG_STRING) {
                        return new StoredText(answer, start, end - start); // the parser skips it unread
                    }
                }
                return json.getNodeFactory().textNode(p.getText());
            }
            default -> {
                return json.readTree(p);
            }
        }
    }

    /** @return the index of the quote that ends the JSON string whose content starts at {@code from} */
    private static int closingQuote(byte[] bytes, int from) {
        int i = from;
        // in UTF-8 no byte of a multi-byte character is a quote or a backslash
        while (bytes[i] != '"') {
            i += bytes[i] == '\\' ? 2 : 1;
        }
        return i;
    }
}
