package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.gateway.config.ShownValue;

/**
 * The shapes OpenAI takes for an embeddings request's {@code input}
 * (https://platform.openai.com/docs/api-reference/embeddings/create), checked before anything is sent: a non-empty
 * string; an array of at most {@value #MAX_INPUTS} non-empty strings; one token array (token ids, whole numbers of at
 * least 0); or an array of at most {@value #MAX_INPUTS} non-empty token arrays. One form per request, not a mix. A
 * request that breaks them is a 400 naming the element ({@code input[3]}, {@code input[0][7]}), as OpenAI answers
 * it, without a round trip to the provider, a failure counted against it, or a ledger row. Stateless.
 */
final class EmbeddingInputRules {
    /** The most inputs one request takes. */
    static final int MAX_INPUTS = 2048;

    private EmbeddingInputRules() {}

    /**
     * @param input the request's {@code input}, present and a string or an array
     * @throws GatewayException.InvalidField naming the first element at fault
     */
    static void check(JsonNode input) {
        if (input.isTextual()) {
            requireText(input, "input");
            return;
        }
        if (input.isEmpty()) {
            throw new GatewayException.InvalidField("input", "cannot be an empty array: send at least one input");
        }
        JsonNode first = input.get(0);
        if (first.isNumber()) {
            requireTokens(input, "input"); // one token array: its length is the model's context window to judge
            return;
        }
        if (input.size() > MAX_INPUTS) {
            throw new GatewayException.InvalidField("input", "has " + input.size() + " inputs, more than the "
                    + MAX_INPUTS + " one request takes: split the batch");
        }
        for (int i = 0; i < input.size(); i++) {
            String at = "input[" + i + "]";
            JsonNode item = input.get(i);
            if (first.isTextual()) {
                requireText(item, at);
            } else if (first.isArray() && item.isArray()) {
                if (item.isEmpty()) {
                    throw new GatewayException.InvalidField(at, "cannot be an empty token array");
                }
                requireTokens(item, at);
            } else {
                // input[0] is a token array here, or neither form
                throw new GatewayException.InvalidField(at, "expected " + (first.isArray()
                        ? "a token array, like input[0]" : "a string or a token array") + ", was "
                        + ShownValue.of(item));
            }
        }
    }

    private static void requireText(JsonNode item, String at) {
        if (!item.isTextual()) {
            throw new GatewayException.InvalidField(at, "expected a string, like input[0], was " + ShownValue.of(item));
        }
        if (item.textValue().isEmpty()) {
            throw new GatewayException.InvalidField(at, "cannot be an empty string");
        }
    }

    private static void requireTokens(JsonNode tokens, String at) {
        for (int j = 0; j < tokens.size(); j++) {
            JsonNode id = tokens.get(j);
            if (!id.isIntegralNumber() || !id.canConvertToLong() || id.longValue() < 0) {
                throw new GatewayException.InvalidField(at + "[" + j + "]", "expected a token id (a whole number "
                        + "of at least 0), was " + ShownValue.of(id));
            }
        }
    }
}
