package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.wire.PromptTokens;
import java.util.List;

/**
 * What an embeddings request's {@code input} weighs, for its budget reservation and its key's tokens per minute. The
 * input is one of OpenAI's four forms: a string, an array of strings, an array of token ids, or an array of such
 * arrays. A token array is its own count, exactly: it is what the provider bills. A string is estimated as a chat
 * prompt's text is ({@link PromptTokens#text}). The one count of an input: its budget reservation and, for a
 * provider that reports none (Gemini), its billed estimate agree. Stateless.
 */
public final class EmbeddingInputs {
    /**
     * Counts a text as {@link #tokens} does, for an embedding model whose provider reports no usage (Gemini's): the
     * texts it embedded before a later batch failed are billed at the same count as a whole answer's.
     */
    public static final TokenEstimator TEXT_ESTIMATOR = new TokenEstimator() {
        @Override
        public TokenEstimate estimateInput(String model, ChatRequest request) {
            throw new UnsupportedOperationException("counts the texts of embeddings, not chat prompts");
        }

        @Override
        public long countText(String model, String text) {
            return PromptTokens.text(text);
        }
    };

    private EmbeddingInputs() {}

    /**
     * @param input the request's {@code input}
     * @return its tokens: each token id counts one, each string its estimate
     */
    public static long tokens(JsonNode input) {
        long tokens = 0;
        for (JsonNode item : items(input)) {
            if (item.isTextual()) {
                tokens += PromptTokens.text(item.textValue());
            } else if (item.isArray()) {
                tokens += item.size(); // one of several token arrays
            } else {
                tokens++; // one token id of a single token array
            }
        }
        return tokens;
    }

    /**
     * @param input the request's {@code input}
     * @return the characters of its strings (token arrays have none)
     */
    public static long chars(JsonNode input) {
        long chars = 0;
        for (JsonNode item : items(input)) {
            chars += item.isTextual() ? item.textValue().length() : 0;
        }
        return chars;
    }

    private static Iterable<JsonNode> items(JsonNode input) {
        return input.isArray() ? input : List.of(input);
    }
}
