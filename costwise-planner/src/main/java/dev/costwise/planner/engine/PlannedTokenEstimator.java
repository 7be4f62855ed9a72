package dev.costwise.planner.engine;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.cost.TokenEstimator;
import java.util.Objects;

/**
 * Tells the simulator a request's prompt size: the planner puts the planned count in the request's metadata under
 * {@link #INPUT_TOKENS} (metadata is not part of the request's identity); requests without it are counted by the
 * delegate.
 */
final class PlannedTokenEstimator implements TokenEstimator {

    /** The metadata key holding the planned prompt tokens. */
    static final String INPUT_TOKENS = "costwise.planner.input_tokens";

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
    public long countText(String model, String text) {
        return delegate.countText(model, text);
    }
}
