package dev.costwise.llm.orchestration;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.TokenEstimator;

/**
 * About four characters per token plus four tokens per message: the orchestration default when no estimator is given.
 * Good enough to rank models and size a task; pass the catalog's exact estimator for budgets.
 */
final class ApproximateTokenEstimator implements TokenEstimator {

    @Override
    public TokenEstimate estimateInput(String model, ChatRequest request) {
        long tokens = 3;
        for (Message m : request.messages()) {
            tokens += 4 + countText(model, m.text());
        }
        return new TokenEstimate(tokens, false);
    }

    @Override
    public long countText(String model, String text) {
        return (text.length() + 3) / 4;
    }
}
