package dev.costwise.llm.wire;

/**
 * How {@link OpenAiWire#writeRequest} writes a request for an upstream provider.
 *
 * @param stream write {@code "stream": true}
 * @param includeUsage with {@code stream}, write {@code "stream_options": {"include_usage": true}}
 * @param maxCompletionTokens write the output limit as {@code max_completion_tokens} (OpenAI's current name, required
 *     by its reasoning models) instead of {@code max_tokens} (what most compatible servers read)
 * @param includeMetadata write {@code metadata} (OpenAI only accepts it with stored completions; off for upstreams)
 * @param cacheControl write prompt-cache breakpoints as {@code cache_control} on content parts and tools (OpenRouter
 *     passes them on to Anthropic and Gemini; OpenAI's own API has no such field)
 */
public record RequestEncoding(boolean stream, boolean includeUsage, boolean maxCompletionTokens,
        boolean includeMetadata, boolean cacheControl) {

    /** Not streamed, {@code max_tokens}, metadata written, no breakpoints. */
    public static final RequestEncoding DEFAULT = new RequestEncoding(false, false, false, true, false);

    /** The settings above with no breakpoints written. */
    public RequestEncoding(boolean stream, boolean includeUsage, boolean maxCompletionTokens,
            boolean includeMetadata) {
        this(stream, includeUsage, maxCompletionTokens, includeMetadata, false);
    }

    /** @return these settings, streamed with usage requested */
    public RequestEncoding streamingWithUsage() {
        return new RequestEncoding(true, true, maxCompletionTokens, includeMetadata, cacheControl);
    }

    /** @return these settings, writing {@code max_completion_tokens} */
    public RequestEncoding withMaxCompletionTokens() {
        return new RequestEncoding(stream, includeUsage, true, includeMetadata, cacheControl);
    }

    /** @return these settings, leaving {@code metadata} out */
    public RequestEncoding withoutMetadata() {
        return new RequestEncoding(stream, includeUsage, maxCompletionTokens, false, cacheControl);
    }

    /** @return these settings, writing prompt-cache breakpoints */
    public RequestEncoding withCacheControl() {
        return new RequestEncoding(stream, includeUsage, maxCompletionTokens, includeMetadata, true);
    }
}
