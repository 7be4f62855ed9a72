package dev.costwise.llm.cache;

import dev.costwise.llm.chat.ChatResponse;
import java.time.Instant;
import java.util.Objects;

/**
 * One cache entry: the answer, which model produced it, and whether a fallback produced it (such entries live for a
 * shorter time, so the primary model gets its chance again soon).
 *
 * @param response the answer as it was first served, with its original cost
 * @param producedBy the model that produced it, by the catalog name its call was recorded under when known (a hit's
 *     {@link dev.costwise.llm.cost.CostRecord#catalogModel()}); the response's {@code model} is the name the provider
 *     answered with
 * @param fromFallback {@code true} when a model other than the one requested answered
 * @param storedAt when it was cached
 */
public record CachedAnswer(ChatResponse response, String producedBy, boolean fromFallback, Instant storedAt) {
    public CachedAnswer {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(producedBy, "producedBy");
        Objects.requireNonNull(storedAt, "storedAt");
    }
}
