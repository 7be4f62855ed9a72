package dev.costwise.llm.provider.anthropic;

import java.util.Locale;
import java.util.Optional;

/**
 * The form of Anthropic's {@code thinking} parameter a Claude model takes, decided from its model id.
 *
 * <p>Claude 4.6 and later (Opus 4.6, Sonnet 4.6, Opus 4.7, the Claude 5 family) take adaptive thinking with an
 * effort ({@code output_config.effort}); Opus 4.7 and the Claude 5 family refuse the budget form. Older models take
 * only a token budget ({@code type: enabled}). An id with no readable version gets the budget form.
 */
enum ClaudeThinkingForm {

    /** {@code "thinking": {"type": "adaptive"}} with {@code "output_config": {"effort": ...}}. */
    ADAPTIVE,
    /** {@code "thinking": {"type": "enabled", "budget_tokens": N}}. */
    BUDGET;

    /**
     * @param modelId the Anthropic model id sent upstream, such as {@code claude-sonnet-4-6}
     * @return {@link #ADAPTIVE} for Claude 4.6 and later, else {@link #BUDGET}
     */
    static ClaudeThinkingForm of(String modelId) {
        return Version.parse(modelId).filter(v -> v.atLeast(4, 6)).isPresent() ? ADAPTIVE : BUDGET;
    }

    /**
     * A Claude model version read from an id.
     *
     * @param major the first number ({@code 4} in {@code claude-opus-4-7})
     * @param minor the second number, 0 when there is none
     */
    record Version(int major, int minor) {

        /**
         * Reads the version of an id. Ids put the numbers after the family ({@code claude-sonnet-4-6},
         * {@code claude-haiku-4-5-20251001}, {@code claude-sonnet-5}) or before it
         * ({@code claude-3-7-sonnet-20250219}); provider prefixes and suffixes
         * ({@code us.anthropic.claude-opus-4-6-v1:0}, {@code claude-opus-4-1@20250805}) do not matter. The first number
         * is the major; the next token, if it is a number and not an 8-digit date, the minor.
         *
         * @param modelId the id
         * @return the version, or empty if the id has no number other than a date
         */
        static Optional<Version> parse(String modelId) {
            String[] tokens = modelId.toLowerCase(Locale.ROOT).split("[^a-z0-9]+");
            for (int i = 0; i < tokens.length; i++) {
                if (isVersionNumber(tokens[i])) {
                    int minor = i + 1 < tokens.length && isVersionNumber(tokens[i + 1])
                            ? Integer.parseInt(tokens[i + 1]) : 0;
                    return Optional.of(new Version(Integer.parseInt(tokens[i]), minor));
                }
            }
            return Optional.empty();
        }

        /** A version number is a short run of digits; 8 digits are a snapshot date ({@code 20250219}). */
        private static boolean isVersionNumber(String token) {
            return !token.isEmpty() && token.length() <= 3 && token.chars().allMatch(c -> c >= '0' && c <= '9');
        }

        boolean atLeast(int major, int minor) {
            return this.major > major || (this.major == major && this.minor >= minor);
        }
    }
}
