package dev.costwise.llm.chat;

/** Why the model stopped, normalised across providers. */
public enum FinishReason {
    /** Natural end or a stop sequence (OpenAI {@code stop}, Anthropic {@code end_turn}/{@code stop_sequence}, Gemini {@code STOP}). */
    STOP,
    /** Hit the output limit (OpenAI {@code length}, Anthropic {@code max_tokens}, Gemini {@code MAX_TOKENS}). */
    LENGTH,
    /**
     * Filled the model's context window before the output limit (Anthropic's {@code model_context_window_exceeded}):
     * cut short like {@link #LENGTH}, but a larger output limit would not help; an agent compacts its context instead.
     */
    CONTEXT_WINDOW_EXCEEDED,
    /** The model called tools (OpenAI {@code tool_calls}, Anthropic {@code tool_use}). */
    TOOL_CALLS,
    /** Withheld by a safety filter (OpenAI {@code content_filter}, Gemini {@code SAFETY}/{@code RECITATION}, Anthropic {@code refusal}). */
    CONTENT_FILTER,
    /** Any other reason the provider gave. */
    OTHER;

    /**
     * @return the OpenAI wire name: {@code stop}, {@code length} (for {@link #CONTEXT_WINDOW_EXCEEDED} too, which
     *     OpenAI's format has no name for), {@code tool_calls}, {@code content_filter}
     */
    public String wireName() {
        return switch (this) {
            case STOP, OTHER -> "stop";
            case LENGTH, CONTEXT_WINDOW_EXCEEDED -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
        };
    }
}
