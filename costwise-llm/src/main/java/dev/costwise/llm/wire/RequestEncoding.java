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
 * @param openRouterReasoning write the reasoning setting as OpenRouter's {@code reasoning} object (which takes a
 *     token budget as well as an effort) instead of {@code reasoning_effort}
 * @param anthropicExtensions write what only Anthropic reads, in the forms Anthropic-aware servers take (Costwise's own
 *     gateway, LiteLLM): assistant messages' reasoning blocks as {@code thinking_blocks}, a failed tool's result with
 *     {@code "is_error": true}, {@code context_management}, {@code output_config.effort} and the request's Anthropic
 *     betas as {@code anthropic_beta}; OpenAI refuses these fields
 * @param serviceTier write the request's {@code service_tier} (OpenAI's; other providers have no such tiers and
 *     some refuse the field)
 * @param topK write the request's {@code top_k} (OpenRouter, Together, vLLM and other open-model servers take it;
 *     OpenAI and Groq refuse it)
 */
public record RequestEncoding(boolean stream, boolean includeUsage, boolean maxCompletionTokens,
        boolean includeMetadata, boolean cacheControl, boolean openRouterReasoning, boolean anthropicExtensions,
        boolean serviceTier, boolean topK) {

    /**
     * Not streamed, {@code max_tokens}, metadata written, {@code reasoning_effort}, no breakpoints, blocks, service
     * tier or {@code top_k}.
     */
    public static final RequestEncoding DEFAULT =
            new RequestEncoding(false, false, false, true, false, false, false, false, false);

    /** The settings above with no breakpoints, {@code reasoning_effort}, no reasoning blocks, tier or {@code top_k}. */
    public RequestEncoding(boolean stream, boolean includeUsage, boolean maxCompletionTokens,
            boolean includeMetadata) {
        this(stream, includeUsage, maxCompletionTokens, includeMetadata, false, false, false, false, false);
    }

    /** @return these settings, streamed with usage requested */
    public RequestEncoding streamingWithUsage() {
        return new RequestEncoding(true, true, maxCompletionTokens, includeMetadata, cacheControl,
                openRouterReasoning, anthropicExtensions, serviceTier, topK);
    }

    /** @return these settings, writing {@code max_completion_tokens} */
    public RequestEncoding withMaxCompletionTokens() {
        return new RequestEncoding(stream, includeUsage, true, includeMetadata, cacheControl, openRouterReasoning,
                anthropicExtensions, serviceTier, topK);
    }

    /** @return these settings, leaving {@code metadata} out */
    public RequestEncoding withoutMetadata() {
        return new RequestEncoding(stream, includeUsage, maxCompletionTokens, false, cacheControl,
                openRouterReasoning, anthropicExtensions, serviceTier, topK);
    }

    /** @return these settings, writing prompt-cache breakpoints */
    public RequestEncoding withCacheControl() {
        return new RequestEncoding(stream, includeUsage, maxCompletionTokens, includeMetadata, true,
                openRouterReasoning, anthropicExtensions, serviceTier, topK);
    }

    /** @return these settings, writing OpenRouter's {@code reasoning} object */
    public RequestEncoding withOpenRouterReasoning() {
        return new RequestEncoding(stream, includeUsage, maxCompletionTokens, includeMetadata, cacheControl, true,
                anthropicExtensions, serviceTier, topK);
    }

    /** @return these settings, writing {@code thinking_blocks} and {@code is_error} */
    public RequestEncoding withAnthropicExtensions() {
        return new RequestEncoding(stream, includeUsage, maxCompletionTokens, includeMetadata, cacheControl,
                openRouterReasoning, true, serviceTier, topK);
    }

    /** @return these settings, writing {@code service_tier} */
    public RequestEncoding withServiceTier() {
        return new RequestEncoding(stream, includeUsage, maxCompletionTokens, includeMetadata, cacheControl,
                openRouterReasoning, anthropicExtensions, true, topK);
    }

    /** @return these settings, writing {@code top_k} */
    public RequestEncoding withTopK() {
        return new RequestEncoding(stream, includeUsage, maxCompletionTokens, includeMetadata, cacheControl,
                openRouterReasoning, anthropicExtensions, serviceTier, true);
    }
}
