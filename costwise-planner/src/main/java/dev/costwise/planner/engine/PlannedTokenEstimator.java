package dev.costwise.planner.engine;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.sim.PromptCacheReads;
import java.util.Objects;

/**
 * Tells the simulator a request's prompt size and how much of it the provider's prompt cache serves: the planner puts
 * the planned counts in the request's metadata under {@link #INPUT_TOKENS} and {@link #CACHED_INPUT_TOKENS}
 * (metadata is not part of the request's identity); a prompt without a planned size is counted by the delegate, and
 * one without a planned cached count has none.
 */
final class PlannedTokenEstimator implements TokenEstimator, PromptCacheReads {

    /** The metadata key holding the planned prompt tokens. */
    static final String INPUT_TOKENS = "costwise.planner.input_tokens";
    /** The metadata key holding the planned prompt tokens read from the provider's prompt cache. */
    static final String CACHED_INPUT_TOKENS = "costwise.planner.cached_input_tokens";

    private final TokenEstimator delegate;

    PlannedTokenEstimator(TokenEstimator delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public TokenEstimate estimateInput(String model, ChatRequest request) {
        String planned = request.metadata().get(INPUT_TOKENS);
        return planned != null ? new TokenEstimate(Long.parseLong(planned), true)
                : delegate.estimateInput(model, request);
    }

    @Override
    public long cachedTokens(String model, ChatRequest request, long promptTokens) {
        String planned = request.metadata().get(CACHED_INPUT_TOKENS);
        return planned == null ? 0 : Math.min(promptTokens, Long.parseLong(planned));
    }

    @Override
    public long countText(String model, String text) {
        return delegate.countText(model, text);
    }
}
