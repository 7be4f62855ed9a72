package dev.costwise.llm.embedding;

import dev.costwise.core.Primitive;

/**
 * A model that turns texts into vectors. As a {@link Primitive} it composes with the core decorators (retry,
 * fallback, cache); each call records its cost in the context (event {@code cost}, attribute {@code record}).
 */
public interface EmbeddingModel extends Primitive<EmbeddingRequest, EmbeddingResponse> {

    /** @return the model name, such as {@code text-embedding-3-small} */
    String name();

    /** @return the provider id */
    String provider();
}
