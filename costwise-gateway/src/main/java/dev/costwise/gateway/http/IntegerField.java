package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.gateway.config.ShownValue;
import java.util.OptionalInt;

/**
 * An integer field of a request body with the range the gateway takes it in, read strictly: a value that is not a
 * JSON integer within the range is refused (a 400 naming the field), never wrapped, rounded or clamped. What the
 * gateway checks and budgets for is then exactly what it forwards: read as a {@code long}, a {@code max_tokens} of
 * 2^64 + 5 would wrap to 5, so 5 tokens would be reserved while the upstream was sent the huge number.
 *
 * <p>The ranges are the providers' documented ones where they give one (OpenAI's {@code n} up to 128 and
 * {@code top_logprobs} up to 20, Anthropic's {@code budget_tokens} from 1,024), else whatever a 32-bit count holds.
 *
 * @param path the field's path in the caller's body, such as {@code thinking.budget_tokens}
 * @param min the smallest value taken
 * @param max the largest value taken
 */
public record IntegerField(String path, int min, int max) {
    private static final int MAX_COUNT = Integer.MAX_VALUE;

    /** The chat API's output limit, and Anthropic's (required there). */
    public static final IntegerField MAX_TOKENS = new IntegerField("max_tokens", 1, MAX_COUNT);
    /** The chat API's output limit under its newer name, which wins over {@code max_tokens}. */
    public static final IntegerField MAX_COMPLETION_TOKENS = new IntegerField("max_completion_tokens", 1, MAX_COUNT);
    /** The Responses API's output limit. */
    public static final IntegerField MAX_OUTPUT_TOKENS = new IntegerField("max_output_tokens", 1, MAX_COUNT);
    /** How many choices to generate, each billed. */
    public static final IntegerField N = new IntegerField("n", 1, 128);
    /** Sampling from the k likeliest tokens (Anthropic, Gemini, OpenRouter, self-hosted servers). */
    public static final IntegerField TOP_K = new IntegerField("top_k", 1, MAX_COUNT);
    /** How many likeliest tokens to report with each output token. */
    public static final IntegerField TOP_LOGPROBS = new IntegerField("top_logprobs", 0, 20);
    /** Anthropic's extended-thinking budget. */
    public static final IntegerField THINKING_BUDGET = new IntegerField("thinking.budget_tokens", 1024, MAX_COUNT);

    /**
     * @throws IllegalArgumentException if {@code min} is above {@code max}
     */
    public IntegerField {
        if (min > max) {
            throw new IllegalArgumentException("min must be <= max, was " + min + " > " + max + " for " + path);
        }
    }

    /**
     * A field of a whole number from 1 up to what a 32-bit count holds.
     *
     * @param path the field's path in the caller's body
     * @return the field
     */
    public static IntegerField positive(String path) {
        return new IntegerField(path, 1, MAX_COUNT);
    }

    /**
     * The output limit a chat body sets: {@code max_completion_tokens}, which wins, else {@code max_tokens}.
     *
     * @param body a chat body
     * @return the limit; empty when the body sets neither
     * @throws GatewayException.InvalidField naming the field whose value is not an integer in range
     */
    public static OptionalInt outputLimitOf(JsonNode body) {
        OptionalInt completion = MAX_COMPLETION_TOKENS.readFrom(body);
        return completion.isPresent() ? completion : MAX_TOKENS.readFrom(body);
    }

    /**
     * Reads the field from the object that holds it (the body, or for {@code thinking.budget_tokens} the
     * {@code thinking} object).
     *
     * @param holder the object that holds the field; another node holds nothing
     * @return the value; empty when the field is absent or {@code null}
     * @throws GatewayException.InvalidField naming {@link #path} when the value is not an integer in range
     */
    public OptionalInt readFrom(JsonNode holder) {
        JsonNode v = holder == null ? null : holder.get(path.substring(path.lastIndexOf('.') + 1));
        if (v == null || v.isNull()) {
            return OptionalInt.empty();
        }
        // canConvertToInt before intValue: 2^64 + 5 would otherwise read as 5, and 2^31 as a negative number
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw new GatewayException.InvalidField(path, "expected a whole number from " + min + " to " + max
                    + ", was " + ShownValue.of(v));
        }
        return OptionalInt.of(v.intValue());
    }
}
