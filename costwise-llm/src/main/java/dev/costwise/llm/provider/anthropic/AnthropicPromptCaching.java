package dev.costwise.llm.provider.anthropic;

/**
 * Which parts of a request {@link AnthropicChatModel} marks for Anthropic's prompt cache
 * (https://docs.claude.com/en/docs/build-with-claude/prompt-caching). Anthropic caches only up to explicit
 * {@code cache_control} breakpoints: a cached prefix is then read at a tenth of the input price, at the cost of 1.25×
 * the input price when it is first written (5-minute cache). Prefixes shorter than the model's minimum (1024 tokens
 * for most models) are not cached and cost nothing extra.
 */
public enum AnthropicPromptCaching {
    /** No breakpoints (the default): nothing is cached. */
    NONE,
    /**
     * A breakpoint after the last tool definition and after the system prompt, so the stable prefix of an agent or
     * assistant (tools, then instructions) is written once and read by later calls within five minutes.
     */
    TOOLS_AND_SYSTEM
}
