package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * The JSON of an answer as it goes to the client: the bytes as stored (a cached answer, shared by every hit), or
 * those bytes with one top-level field's value replaced by the request's own (a workflow hit's {@code costwise}
 * object), the stored bytes written around it rather than copied into a new body. Immutable; the stored bytes must
 * never change.
 */
public final class AnswerBody {
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] NONE = new byte[0];

    private final byte[] stored;
    private final int cutFrom;
    private final int cutTo;
    private final byte[] inserted;

    private AnswerBody(byte[] stored, int cutFrom, int cutTo, byte[] inserted) {
        this.stored = Objects.requireNonNull(stored, "stored");
        this.cutFrom = cutFrom;
        this.cutTo = cutTo;
        this.inserted = inserted;
    }

    /**
     * @param bytes the JSON, sent as it is
     * @return the body
     */
    public static AnswerBody of(byte[] bytes) {
        return new AnswerBody(bytes, bytes.length, bytes.length, NONE);
    }

    /**
     * Where a top-level field's value is in a JSON object, found without reading anything else into memory.
     *
     * @param json a JSON object's bytes
     * @param field the field's name
     * @return the value's bytes: from its first to past its last; empty if the object has no such field
     * @throws IOException if {@code json} is not a JSON object
     */
    static Optional<Range> find(byte[] json, String field) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = field.equals(p.currentName());
                p.nextToken();
                long from = p.currentTokenLocation().getByteOffset();
                p.skipChildren(); // a string is skipped unread too
                if (wanted && p.currentToken().isStructEnd()) {
                    return Optional.of(new Range((int) from, (int) p.currentLocation().getByteOffset()));
                }
                if (wanted) {
                    return Optional.empty(); // not an object or array: not what a caller replaces
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The bytes of a JSON value inside an answer.
     *
     * @param from its first byte
     * @param to past its last byte
     */
    record Range(int from, int to) {
        /** @return its length in bytes */
        int length() {
            return to - from;
        }
    }

    /**
     * @param value what replaces the bytes of {@code at}, whole
     * @param at bytes of this body's stored JSON, as {@link #find} gives them
     * @return this body with {@code value} in place of those bytes
     * @throws IllegalStateException if this body has had a value replaced already
     */
    AnswerBody replacing(Range at, byte[] value) {
        if (inserted != NONE) {
            throw new IllegalStateException("a body has one value replaced at most");
        }
        return new AnswerBody(stored, at.from(), at.to(), value);
    }

    /** @return its length in bytes */
    public int length() {
        return stored.length - (cutTo - cutFrom) + inserted.length;
    }

    /**
     * @return its bytes: the stored array itself when nothing was replaced, else a new array (for a caller that
     *     translates the answer and reads it whole anyway)
     */
    public byte[] bytes() {
        if (inserted == NONE) {
            return stored;
        }
        byte[] out = new byte[length()];
        System.arraycopy(stored, 0, out, 0, cutFrom);
        System.arraycopy(inserted, 0, out, cutFrom, inserted.length);
        System.arraycopy(stored, cutTo, out, cutFrom + inserted.length, stored.length - cutTo);
        return out;
    }

    /**
     * Reads the body for a caller that translates it into another API's shape: a tree whose long strings (a long
     * answer's text) stay in the stored bytes and are written out from them as they are, so that the translation of
     * a cached answer shared by many hits at once holds no copy of its text per request.
     *
     * @param json the shared mapper
     * @return the tree; a body with a value replaced is read from a copy of its bytes
     * @throws IOException if the body is not JSON
     */
    public JsonNode tree(ObjectMapper json) throws IOException {
        return StoredAnswerTree.read(json, bytes());
    }

    /**
     * Writes the body, from the stored array and the replacing value, without copying them.
     *
     * @param out where to
     * @param head the bytes written first, on their own (a server may copy its first write, beside the headers)
     * @throws IOException if writing fails
     */
    public void writeTo(OutputStream out, int head) throws IOException {
        int first = Math.min(head, cutFrom);
        write(out, stored, 0, first);
        write(out, stored, first, cutFrom - first);
        write(out, inserted, 0, inserted.length);
        write(out, stored, cutTo, stored.length - cutTo);
    }

    private static void write(OutputStream out, byte[] bytes, int from, int length) throws IOException {
        if (length > 0) {
            out.write(bytes, from, length);
        }
    }
}
