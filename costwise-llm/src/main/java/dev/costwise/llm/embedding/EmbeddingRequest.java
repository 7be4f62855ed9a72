package dev.costwise.llm.embedding;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Texts to embed.
 *
 * @param model the model name as the caller wrote it
 * @param inputs the texts, at least one
 * @param dimensions a shorter output size, for models that support it (OpenAI {@code text-embedding-3-*})
 * @param user the caller's end-user id, if any
 */
public record EmbeddingRequest(String model, List<String> inputs, Optional<Integer> dimensions,
        Optional<String> user) {

    public EmbeddingRequest {
        Objects.requireNonNull(model, "model");
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(dimensions, "dimensions");
        Objects.requireNonNull(user, "user");
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("inputs cannot be empty");
        }
        dimensions.ifPresent(d -> {
            if (d < 1) {
                throw new IllegalArgumentException("dimensions must be >= 1, was " + d);
            }
        });
    }

    /**
     * A request for {@code model} with the given texts.
     *
     * @param model the model
     * @param inputs the texts
     * @return the request
     */
    public static EmbeddingRequest of(String model, String... inputs) {
        return new EmbeddingRequest(model, List.of(inputs), Optional.empty(), Optional.empty());
    }
}
