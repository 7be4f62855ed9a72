package dev.costwise.llm.provider.anthropic;

import java.util.Locale;

/**
 * Which Claude models take Anthropic's {@code output_config.effort}
 * (https://platform.claude.com/docs/en/build-with-claude/effort): Claude Opus 4.5, and every Claude model from 4.6 on
 * (Opus 4.6, Sonnet 4.6, Opus 4.7, the Claude 5 family). Older ones (Haiku 4.5, Sonnet 4.5, Opus 4.1 and before)
 * refuse it with a 400 ("This model does not support the effort parameter"): they have one effort, the default
 * {@code high}, so they are sent none. An id with no readable version gets the effort, for Anthropic to judge.
 */
final class ClaudeEffort {
    private ClaudeEffort() {}

    /**
     * @param modelId the Anthropic model id sent upstream, such as {@code claude-opus-4-6}
     * @return {@code true} if the model takes {@code output_config.effort}
     */
    static boolean takes(String modelId) {
        boolean opus = modelId.toLowerCase(Locale.ROOT).contains("opus");
        return ClaudeThinkingForm.Version.parse(modelId)
                .map(v -> v.atLeast(4, 6) || opus && v.atLeast(4, 5)).orElse(true);
    }
}
