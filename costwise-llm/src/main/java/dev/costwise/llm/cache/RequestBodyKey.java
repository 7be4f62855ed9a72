package dev.costwise.llm.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

/**
 * The gateway's response-cache key of an OpenAI request body: the SHA-256 of the body as JSON with its object keys
 * sorted, without the fields that do not change the answer ({@code stream}, {@code stream_options}, {@code user} and
 * {@code metadata}). The body is hashed as the caller wrote it, so two bodies that mean the same but are written
 * differently ({@code 0} and {@code 0.0}, content as a string or as text parts, {@code "name": null}, {@code "n": 1})
 * have different keys. The gateway's cache and the planner's replay of it both key on this, so they agree on every
 * hit. Thread-safe.
 */
public final class RequestBodyKey {

    /** The fields left out of the key. */
    public static final Set<String> NOT_IN_KEY = Set.of("stream", "stream_options", "user", "metadata");

    private final ObjectWriter canonical;

    /**
     * @param json the mapper whose serialisation of a body is hashed (the one that parsed it)
     */
    public RequestBodyKey(ObjectMapper json) {
        this.canonical = Objects.requireNonNull(json, "json").writer().with(JsonNodeFeature.WRITE_PROPERTIES_SORTED);
    }

    /**
     * @param body a request body; not changed
     * @param alsoLeftOut fields to leave out besides {@link #NOT_IN_KEY} (the planner's {@code model}, say)
     * @return the hex SHA-256 of its canonical form
     */
    public String digest(ObjectNode body, String... alsoLeftOut) {
        ObjectNode copy = body.deepCopy();
        copy.remove(NOT_IN_KEY);
        copy.remove(Arrays.asList(alsoLeftOut));
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(canonical.writeValueAsBytes(copy)));
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot hash a JSON tree", e);
        }
    }
}
