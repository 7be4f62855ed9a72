package dev.costwise.llm.cost;

import dev.costwise.llm.chat.ChatRequest;

/**
 * Counts (or estimates) the input tokens of a request before it is sent, for budgets and routers.
 *
 * <p>Implementations are thread-safe.
 */
public interface TokenEstimator {

    /**
     * The prompt tokens {@code request} will use on {@code model}, including per-message overhead.
     *
     * @param model the catalog model the request will go to
     * @param request the request
     * @return the estimate
     */
    TokenEstimate estimateInput(String model, ChatRequest request);

    /**
     * Tokens in a plain text on {@code model}.
     *
     * @param model the catalog model
     * @param text the text
     * @return the count
     */
    long countText(String model, String text);

    /**
     * An estimate and how far it can be trusted.
     *
     * @param tokens the count
     * @param exact {@code true} when the model's own tokenizer counted (OpenAI families via jtokkit); otherwise a
     *     calibrated estimate, to which budgets add a safety margin
     */
    record TokenEstimate(long tokens, boolean exact) {
        public TokenEstimate {
            if (tokens < 0) {
                throw new IllegalArgumentException("tokens cannot be negative, was " + tokens);
            }
        }
    }
}
