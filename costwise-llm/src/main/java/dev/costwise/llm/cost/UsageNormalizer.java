package dev.costwise.llm.cost;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns each provider's raw token counts into Costwise's normalised {@link Usage}, where {@code inputTokens} is the
 * whole prompt (cached and cache-write tokens included) and {@code outputTokens} includes reasoning.
 *
 * <p>Providers disagree on what their counts include:
 * <ul>
 *   <li>OpenAI (and OpenAI-compatible APIs): {@code prompt_tokens} already includes
 *       {@code prompt_tokens_details.cached_tokens}; {@code completion_tokens} already includes
 *       {@code completion_tokens_details.reasoning_tokens}.</li>
 *   <li>Anthropic: {@code input_tokens} <em>excludes</em> {@code cache_read_input_tokens} and
 *       {@code cache_creation_input_tokens}; the latter splits into {@code cache_creation.ephemeral_5m_input_tokens}
 *       and {@code ephemeral_1h_input_tokens}. The three are added up here.</li>
 *   <li>Gemini: {@code promptTokenCount} includes {@code cachedContentTokenCount}; {@code thoughtsTokenCount} is billed
 *       as output but is <em>not</em> part of {@code candidatesTokenCount}, so it is added here.</li>
 * </ul>
 *
 * <p>Every method rejects negative counts and inconsistent ones (cached above prompt) with an
 * {@link IllegalArgumentException} naming the provider field and its value, so an adapter bug surfaces at once.
 */
public final class UsageNormalizer {

    private UsageNormalizer() {}

    /**
     * OpenAI chat-completions usage (also Groq, OpenRouter, DeepSeek, Mistral, Hugging Face, vLLM, Ollama's OpenAI
     * endpoint).
     *
     * @param promptTokens {@code usage.prompt_tokens}, cached tokens included
     * @param cachedTokens {@code usage.prompt_tokens_details.cached_tokens}, 0 when absent
     * @param completionTokens {@code usage.completion_tokens}, reasoning included
     * @param reasoningTokens {@code usage.completion_tokens_details.reasoning_tokens}, 0 when absent
     * @return the normalised usage
     * @throws IllegalArgumentException if a count is negative, cached exceeds prompt, or reasoning exceeds completion
     */
    public static Usage fromOpenAi(long promptTokens, long cachedTokens, long completionTokens, long reasoningTokens) {
        return fromOpenAi(promptTokens, cachedTokens, 0, completionTokens, reasoningTokens);
    }

    /**
     * OpenAI-format usage with prompt-cache writes, as OpenRouter reports them
     * ({@code prompt_tokens_details.cache_write_tokens}, part of {@code prompt_tokens}; five-minute writes, as
     * OpenRouter does not tell the lifetime).
     *
     * @param promptTokens {@code prompt_tokens}, cached reads and writes included
     * @param cachedTokens {@code prompt_tokens_details.cached_tokens}
     * @param cacheWriteTokens {@code prompt_tokens_details.cache_write_tokens}, 0 when absent
     * @param completionTokens {@code completion_tokens}
     * @param reasoningTokens {@code completion_tokens_details.reasoning_tokens}
     * @return the usage
     * @throws IllegalArgumentException if a count is negative, or reads and writes exceed the prompt
     */
    public static Usage fromOpenAi(long promptTokens, long cachedTokens, long cacheWriteTokens, long completionTokens,
            long reasoningTokens) {
        requireNonNegative("openai", "prompt_tokens", promptTokens);
        requireNonNegative("openai", "cached_tokens", cachedTokens);
        requireNonNegative("openai", "completion_tokens", completionTokens);
        requireNonNegative("openai", "reasoning_tokens", reasoningTokens);
        if (cachedTokens > promptTokens) {
            throw new IllegalArgumentException("openai cached_tokens (" + cachedTokens
                    + ") cannot exceed prompt_tokens (" + promptTokens + "), which include them");
        }
        requireNonNegative("openai", "cache_write_tokens", cacheWriteTokens);
        if (cacheWriteTokens > 0 && cachedTokens + cacheWriteTokens > promptTokens) {
            throw new IllegalArgumentException("openai cached_tokens (" + cachedTokens + ") + cache_write_tokens ("
                    + cacheWriteTokens + ") cannot exceed prompt_tokens (" + promptTokens + "), which include them");
        }
        if (reasoningTokens > completionTokens) {
            throw new IllegalArgumentException("openai reasoning_tokens (" + reasoningTokens
                    + ") cannot exceed completion_tokens (" + completionTokens + "), which include them");
        }
        return new Usage(promptTokens, cachedTokens, cacheWriteTokens, 0, completionTokens, reasoningTokens, false);
    }

    /**
     * What an OpenRouter call cost, from the amounts its {@code usage} reports
     * (https://openrouter.ai/docs/use-cases/usage-accounting): {@code cost} is what OpenRouter charged the account's
     * credits. On a BYOK call ({@code is_byok: true}, the caller's own provider key) that is only OpenRouter's fee,
     * and {@code cost_details.upstream_inference_cost} is what the upstream provider charged the caller's key, so the
     * call cost both. (On other calls OpenRouter repeats {@code cost} there: it is not added.)
     *
     * @param cost {@code usage.cost}, in US dollars
     * @param byok {@code usage.is_byok}, {@code false} when absent
     * @param upstreamInferenceCost {@code usage.cost_details.upstream_inference_cost}, if reported
     * @return the call's cost; empty for a BYOK call that does not say what its upstream charged, whose
     *     {@code cost} alone would hide most of its price
     * @throws IllegalArgumentException if an amount is negative
     */
    public static Optional<Money> fromOpenRouterCost(BigDecimal cost, boolean byok,
            Optional<BigDecimal> upstreamInferenceCost) {
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(upstreamInferenceCost, "upstreamInferenceCost");
        requireNonNegative("openrouter", "cost", cost);
        upstreamInferenceCost.ifPresent(u -> requireNonNegative("openrouter", "upstream_inference_cost", u));
        if (!byok) {
            return Optional.of(Money.of(cost));
        }
        return upstreamInferenceCost.map(upstream -> Money.of(cost.add(upstream)));
    }

    /**
     * Anthropic Messages usage.
     *
     * @param inputTokens {@code usage.input_tokens}: the uncached prompt only
     * @param cacheReadTokens {@code usage.cache_read_input_tokens}, 0 when absent
     * @param cacheWrite5mTokens {@code usage.cache_creation.ephemeral_5m_input_tokens}; when the response has only the
     *     total {@code cache_creation_input_tokens}, pass it here (5 minutes is Anthropic's default TTL)
     * @param cacheWrite1hTokens {@code usage.cache_creation.ephemeral_1h_input_tokens}, 0 when absent
     * @param outputTokens {@code usage.output_tokens} (extended thinking included)
     * @return the normalised usage, with {@code inputTokens = input + cacheRead + cacheWrite5m + cacheWrite1h}
     * @throws IllegalArgumentException if a count is negative
     */
    public static Usage fromAnthropic(long inputTokens, long cacheReadTokens, long cacheWrite5mTokens,
            long cacheWrite1hTokens, long outputTokens) {
        requireNonNegative("anthropic", "input_tokens", inputTokens);
        requireNonNegative("anthropic", "cache_read_input_tokens", cacheReadTokens);
        requireNonNegative("anthropic", "ephemeral_5m_input_tokens", cacheWrite5mTokens);
        requireNonNegative("anthropic", "ephemeral_1h_input_tokens", cacheWrite1hTokens);
        requireNonNegative("anthropic", "output_tokens", outputTokens);
        long writes = Math.addExact(cacheWrite5mTokens, cacheWrite1hTokens);
        long prompt = Math.addExact(Math.addExact(inputTokens, cacheReadTokens), writes);
        return new Usage(prompt, cacheReadTokens, writes, cacheWrite1hTokens, outputTokens, 0, false);
    }

    /**
     * Anthropic usage with extended-thinking tokens known separately (they are already inside {@code output_tokens};
     * this only records how many were reasoning).
     *
     * @param inputTokens {@code usage.input_tokens}
     * @param cacheReadTokens {@code usage.cache_read_input_tokens}
     * @param cacheWrite5mTokens 5-minute cache writes
     * @param cacheWrite1hTokens 1-hour cache writes
     * @param outputTokens {@code usage.output_tokens}, thinking included
     * @param thinkingTokens the part of {@code outputTokens} that was thinking
     * @return the normalised usage
     * @throws IllegalArgumentException if a count is negative or thinking exceeds output
     */
    public static Usage fromAnthropic(long inputTokens, long cacheReadTokens, long cacheWrite5mTokens,
            long cacheWrite1hTokens, long outputTokens, long thinkingTokens) {
        Usage base = fromAnthropic(inputTokens, cacheReadTokens, cacheWrite5mTokens, cacheWrite1hTokens, outputTokens);
        requireNonNegative("anthropic", "thinking tokens", thinkingTokens);
        if (thinkingTokens > outputTokens) {
            throw new IllegalArgumentException("anthropic thinking tokens (" + thinkingTokens
                    + ") cannot exceed output_tokens (" + outputTokens + "), which include them");
        }
        return new Usage(base.inputTokens(), base.cachedInputTokens(), base.cacheWriteTokens(),
                base.cacheWrite1hTokens(), outputTokens, thinkingTokens, false);
    }

    /**
     * Gemini {@code usageMetadata}.
     *
     * @param promptTokenCount {@code promptTokenCount}, cached content included
     * @param cachedContentTokenCount {@code cachedContentTokenCount}, 0 when absent
     * @param candidatesTokenCount {@code candidatesTokenCount}, thoughts <em>not</em> included
     * @param thoughtsTokenCount {@code thoughtsTokenCount}, 0 when absent; billed as output
     * @return the normalised usage, with {@code outputTokens = candidates + thoughts} and
     *     {@code reasoningTokens = thoughts}
     * @throws IllegalArgumentException if a count is negative or cached exceeds prompt
     */
    public static Usage fromGemini(long promptTokenCount, long cachedContentTokenCount, long candidatesTokenCount,
            long thoughtsTokenCount) {
        requireNonNegative("gemini", "promptTokenCount", promptTokenCount);
        requireNonNegative("gemini", "cachedContentTokenCount", cachedContentTokenCount);
        requireNonNegative("gemini", "candidatesTokenCount", candidatesTokenCount);
        requireNonNegative("gemini", "thoughtsTokenCount", thoughtsTokenCount);
        if (cachedContentTokenCount > promptTokenCount) {
            throw new IllegalArgumentException("gemini cachedContentTokenCount (" + cachedContentTokenCount
                    + ") cannot exceed promptTokenCount (" + promptTokenCount + "), which includes it");
        }
        long output = Math.addExact(candidatesTokenCount, thoughtsTokenCount);
        return new Usage(promptTokenCount, cachedContentTokenCount, 0, 0, output, thoughtsTokenCount, false);
    }

    /**
     * Ollama native usage ({@code prompt_eval_count}, {@code eval_count}); no caching or reasoning split.
     *
     * @param promptEvalCount {@code prompt_eval_count}
     * @param evalCount {@code eval_count}
     * @return the normalised usage
     * @throws IllegalArgumentException if a count is negative
     */
    public static Usage fromOllama(long promptEvalCount, long evalCount) {
        requireNonNegative("ollama", "prompt_eval_count", promptEvalCount);
        requireNonNegative("ollama", "eval_count", evalCount);
        return Usage.of(promptEvalCount, evalCount);
    }

    private static void requireNonNegative(String provider, String field, BigDecimal value) {
        if (value.signum() < 0) {
            throw new IllegalArgumentException(provider + " " + field + " cannot be negative, was "
                    + value.toPlainString());
        }
    }

    private static void requireNonNegative(String provider, String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(provider + " " + field + " cannot be negative, was " + value);
        }
    }
}
