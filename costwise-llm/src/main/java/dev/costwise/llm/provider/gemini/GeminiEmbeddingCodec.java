package dev.costwise.llm.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The wire format of Gemini's {@code embedContent} and {@code batchEmbedContents}
 * (https://ai.google.dev/api/embeddings).
 *
 * <p>One text: {@code {"model":"models/m","content":{"parts":[{"text":"…"}]}}} answered by
 * {@code {"embedding":{"values":[…]}}}. Several: {@code {"requests":[…one such object per text…]}} answered by
 * {@code {"embeddings":[{"values":[…]}, …]}} in the same order. Each request may add {@code taskType} and
 * {@code outputDimensionality}.
 */
final class GeminiEmbeddingCodec {

    /** The most texts {@code batchEmbedContents} takes in one call. */
    static final int MAX_BATCH = 100;

    private final ObjectMapper json;

    GeminiEmbeddingCodec(ObjectMapper json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    /**
     * One {@code EmbedContentRequest}.
     *
     * @param model the model id, without {@code models/}
     * @param text the text to embed
     * @param taskType Gemini's task type ({@code RETRIEVAL_DOCUMENT}, {@code SEMANTIC_SIMILARITY}…), if set
     * @param dimensions the output size, if set
     * @return the request object
     */
    ObjectNode single(String model, String text, Optional<String> taskType, OptionalInt dimensions) {
        ObjectNode r = json.createObjectNode();
        r.put("model", "models/" + model);
        r.putObject("content").putArray("parts").addObject().put("text", text);
        taskType.ifPresent(t -> r.put("taskType", t));
        dimensions.ifPresent(d -> r.put("outputDimensionality", d));
        return r;
    }

    /**
     * A {@code batchEmbedContents} body.
     *
     * @param model the model id
     * @param texts at most {@value #MAX_BATCH} texts
     * @param taskType task type, if set
     * @param dimensions output size, if set
     * @return the body
     */
    ObjectNode batch(String model, List<String> texts, Optional<String> taskType, OptionalInt dimensions) {
        if (texts.size() > MAX_BATCH) {
            throw new IllegalArgumentException("a Gemini batch takes at most " + MAX_BATCH + " texts, was "
                    + texts.size());
        }
        ObjectNode body = json.createObjectNode();
        ArrayNode requests = body.putArray("requests");
        texts.forEach(t -> requests.add(single(model, t, taskType, dimensions)));
        return body;
    }

    /**
     * Reads an {@code embedContent} answer.
     *
     * @param body the parsed answer
     * @return the vector
     * @throws IllegalArgumentException if it holds no {@code embedding.values} array
     */
    float[] readSingle(JsonNode body) {
        return vector(body.path("embedding"), "embedding");
    }

    /**
     * Reads a {@code batchEmbedContents} answer.
     *
     * @param body the parsed answer
     * @param expected how many texts were sent
     * @return the vectors, in the order of the texts
     * @throws IllegalArgumentException if it holds another number of vectors, or a vector is not an array of numbers
     */
    List<float[]> readBatch(JsonNode body, int expected) {
        JsonNode embeddings = body.path("embeddings");
        if (!embeddings.isArray() || embeddings.size() != expected) {
            throw new IllegalArgumentException("expected " + expected + " embeddings, got "
                    + (embeddings.isArray() ? embeddings.size() : "no 'embeddings' array"));
        }
        List<float[]> out = new ArrayList<>(expected);
        for (int i = 0; i < embeddings.size(); i++) {
            out.add(vector(embeddings.get(i), "embeddings[" + i + "]"));
        }
        return out;
    }

    private static float[] vector(JsonNode embedding, String where) {
        JsonNode values = embedding.path("values");
        if (!values.isArray() || values.isEmpty()) {
            throw new IllegalArgumentException(where + " has no 'values' array");
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = values.get(i);
            if (!x.isNumber()) {
                throw new IllegalArgumentException(where + ".values[" + i + "] is not a number: " + x);
            }
            v[i] = x.floatValue();
        }
        return v;
    }
}
