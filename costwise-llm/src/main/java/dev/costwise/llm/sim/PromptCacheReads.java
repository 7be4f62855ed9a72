package dev.costwise.llm.sim;

import dev.costwise.llm.chat.ChatRequest;

/**
 * How many of a call's prompt tokens the simulated provider reads from its prompt cache, billed at the model's
 * cached-input price: what OpenAI, Gemini and DeepSeek report as {@code cached_tokens} for a prompt prefix they served
 * recently. Implementations must be thread-safe and fast.
 */
@FunctionalInterface
public interface PromptCacheReads {

    /** Reads nothing from the cache: every prompt token is billed at the input price. */
    PromptCacheReads NONE = (model, request, promptTokens) -> 0;

    /**
     * @param model the catalog model answering
     * @param request the request as the model receives it
     * @param promptTokens the prompt tokens counted for it
     * @return the prompt tokens read from the cache, from 0 to {@code promptTokens}
     */
    long cachedTokens(String model, ChatRequest request, long promptTokens);
}
