package dev.costwise.llm.provider.http;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.TokenEstimator;

/**
 * A tokenizer-free estimate, about four characters per token plus a few tokens of overhead per message: the fallback
 * when no real {@link TokenEstimator} is configured. Thread-safe.
 */
final class ApproximateTokenEstimator implements TokenEstimator {

    static final ApproximateTokenEstimator INSTANCE = new ApproximateTokenEstimator();

    private ApproximateTokenEstimator() {}

    @Override
    public TokenEstimate estimateInput(String model, ChatRequest request) {
        long tokens = 3;
        for (Message m : request.messages()) {
            tokens += 4 + countText(model, m.text());
            for (var c : m.toolCalls()) {
                tokens += countText(model, c.name()) + countText(model, c.arguments());
            }
        }
        return new TokenEstimate(tokens, false);
    }

    @Override
    public long countText(String model, String text) {
        return (text.length() + 3) / 4;
    }
}
