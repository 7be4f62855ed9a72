package dev.costwise.llm.wire;

/**
 * How {@link OpenAiWire#writeRequest} writes a request for an upstream provider.
 *
 * @param stream write {@code "stream": true}
 * @param includeUsage with {@code stream}, write {@code "stream_options": {"include_usage": true}}
 * @param maxCompletionTokens write the output limit as {@code max_completion_tokens} (OpenAI's current name, required
 *     by its reasoning models) instead of {@code max_tokens} (what most compatible servers read)
 * @param includeMetadata write {@code metadata} (OpenAI only accepts it with stored completions; off for upstreams)
 */
public record RequestEncoding(boolean stream, boolean includeUsage, boolean maxCompletionTokens,
        boolean includeMetadata) {

    /** Not streamed, {@code max_tokens}, metadata written. */
    public static final RequestEncoding DEFAULT = new RequestEncoding(false, false, false, true);

    /** @return these settings, streamed with usage requested */
    public RequestEncoding streamingWithUsage() {
        return new RequestEncoding(true, true, maxCompletionTokens, includeMetadata);
    }

    /** @return these settings, writing {@code max_completion_tokens} */
    public RequestEncoding withMaxCompletionTokens() {
        return new RequestEncoding(stream, includeUsage, true, includeMetadata);
    }

    /** @return these settings, leaving {@code metadata} out */
    public RequestEncoding withoutMetadata() {
        return new RequestEncoding(stream, includeUsage, maxCompletionTokens, false);
    }
}
