package dev.costwise.llm.chat;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How hard a reasoning model may think before it answers: the lever that sets most of a reasoning model's bill, since
 * its hidden reasoning is billed as output.
 *
 * <p>The names are OpenAI's {@code reasoning_effort} values plus Anthropic's {@code max}. Each provider adapter sends
 * the nearest value its API accepts: an effort for OpenAI-style APIs and Anthropic's adaptive thinking, a token budget
 * ({@link Reasoning#budgetTokens()}) for Anthropic's older models and Gemini.
 */
public enum ReasoningEffort {
    /** No reasoning (OpenAI {@code none}; thinking disabled elsewhere). */
    NONE,
    /** As little as the model allows. */
    MINIMAL,
    /** Light reasoning. */
    LOW,
    /** The usual default of reasoning models. */
    MEDIUM,
    /** Deep reasoning. */
    HIGH,
    /** Deeper than high (OpenAI and Anthropic {@code xhigh}). */
    XHIGH,
    /** No limit on depth (Anthropic {@code max}). */
    MAX;

    /** @return the lower-case name every API uses ({@code "low"}, {@code "xhigh"}) */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses an API's effort name.
     *
     * @param name a name such as {@code "low"} (case-insensitive)
     * @return the effort, or empty if the name is not one
     */
    public static Optional<ReasoningEffort> fromWireName(String name) {
        for (ReasoningEffort e : values()) {
            if (e.wireName().equalsIgnoreCase(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** @return the accepted names, for an error message: {@code none, minimal, low, ...} */
    public static String wireNames() {
        return Arrays.stream(values()).map(ReasoningEffort::wireName).collect(Collectors.joining(", "));
    }
}
