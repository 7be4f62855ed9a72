package dev.costwise.llm.embedding;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The vectors for an {@link EmbeddingRequest}, in input order, with what they cost.
 *
 * @param model the model that answered
 * @param provider the provider id
 * @param embeddings one per input, in input order
 * @param usage input tokens (output is zero)
 * @param cost what the call cost
 * @param priceStatus how the cost is known
 * @param latency how long the call took
 */
public record EmbeddingResponse(String model, String provider, List<Embedding> embeddings, Usage usage, Money cost,
        PriceStatus priceStatus, Duration latency) {

    public EmbeddingResponse {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(provider, "provider");
        embeddings = List.copyOf(embeddings);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(priceStatus, "priceStatus");
        Objects.requireNonNull(latency, "latency");
    }

    /**
     * The vector of one input.
     *
     * @param i the input's position
     * @return its embedding
     */
    public Embedding get(int i) {
        return embeddings.get(i);
    }
}
