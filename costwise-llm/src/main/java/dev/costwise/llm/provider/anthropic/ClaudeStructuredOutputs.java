package dev.costwise.llm.provider.anthropic;

/**
 * Whether a Claude model takes Anthropic's native structured outputs
 * (https://platform.claude.com/docs/en/build-with-claude/structured-outputs): JSON outputs
 * ({@code output_config.format} of type {@code json_schema}, generally available with no beta header) and strict tool
 * use ({@code tools[].strict}). Decided from the model id, as {@link ClaudeThinkingForm} is: Claude 4.5 and later
 * (Haiku 4.5, Sonnet 4.5, Opus 4.5, 4.6 and the later ones) take them; older models (Opus 4.1, Sonnet 4, Claude 3.x)
 * and an id with no readable version do not, and get the JSON instruction in the system prompt instead.
 */
final class ClaudeStructuredOutputs {

    private ClaudeStructuredOutputs() {}

    /**
     * @param modelId the Anthropic model id sent upstream, such as {@code claude-sonnet-4-5}
     * @return {@code true} for Claude 4.5 and later
     */
    static boolean supportedBy(String modelId) {
        return ClaudeThinkingForm.Version.parse(modelId).filter(v -> v.atLeast(4, 5)).isPresent();
    }
}
