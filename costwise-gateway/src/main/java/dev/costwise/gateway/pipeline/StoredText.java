package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A JSON string that stays where it is stored: the bytes between its quotes, escapes as they are, in an answer held
 * by the response cache ({@link StoredAnswerTree}). Written to a byte stream it is copied from there as it is;
 * anything that asks for its text (or writes it to characters) gets it decoded, each time. Immutable, as long as the
 * stored bytes are never changed.
 */
final class StoredText extends ValueNode {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final byte[] stored;
    private final int offset;
    private final int length;

    /**
     * @param stored the answer holding the string
     * @param offset where its content starts, after the opening quote
     * @param length its content's bytes, up to the closing quote
     */
    StoredText(byte[] stored, int offset, int length) {
        this.stored = stored;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public JsonNodeType getNodeType() {
        return JsonNodeType.STRING;
    }

    @Override
    public JsonToken asToken() {
        return JsonToken.VALUE_STRING;
    }

    @Override
    public String textValue() {
        try (JsonParser p = JSON.createParser(stored, offset - 1, length + 2)) { // quotes included
            p.nextToken();
            return p.getText();
        } catch (IOException e) {
            throw new UncheckedIOException("a stored string that was read as JSON could not be read again", e);
        }
    }

    @Override
    public String asText() {
        return textValue();
    }

    @Override
    public String asText(String defaultValue) {
        return textValue();
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
        if (g instanceof UTF8JsonGenerator) {
            g.writeRawUTF8String(stored, offset, length); // escaped already: the stored bytes go out as they are
        } else {
            g.writeString(textValue());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonNode n && n.isTextual() && textValue().equals(n.textValue());
    }

    @Override
    public int hashCode() {
        return textValue().hashCode();
    }
}
