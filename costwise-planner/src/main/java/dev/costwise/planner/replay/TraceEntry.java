package dev.costwise.planner.replay;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Usage;
import dev.costwise.planner.engine.PromptText;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One usable line of a trace.
 *
 * @param line the 1-based line number
 * @param timestamp when it was sent, if logged
 * @param request the request
 * @param recorded the usage the provider reported, if logged
 * @param estimatedPromptTokens the prompt tokens the gateway estimates for the request before calling a model (what
 *     its budgets reserve for), from the request's JSON
 * @param text the text the gateway's router reads, from the request's JSON
 * @param key the virtual key the request came with (the wrapper's {@code key}: a key's id), if logged
 * @param cacheKey the gateway's response-cache key of the request's JSON, its reasoning lowered to the replayed
 *     pipeline's cap as the gateway lowers it ({@link TraceReader})
 * @param choices the answers it asks for (its {@code n}), at least 1; a recorded usage counts all of them
 */
public record TraceEntry(int line, Optional<Instant> timestamp, ChatRequest request, Optional<Usage> recorded,
        long estimatedPromptTokens, PromptText text, Optional<String> key, String cacheKey, long choices) {
    public TraceEntry {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(recorded, "recorded");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(cacheKey, "cacheKey");
        if (choices < 1) {
            throw new IllegalArgumentException("choices must be >= 1, was " + choices);
        }
        if (estimatedPromptTokens < 0) {
            throw new IllegalArgumentException("estimatedPromptTokens cannot be negative, was "
                    + estimatedPromptTokens);
        }
    }
}
