package dev.costwise.planner.scenario;

import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.provider.anthropic.AnthropicPromptCaching;
import java.util.Objects;
import java.util.Optional;

/**
 * One place in a pipeline where a model is called: a route, an orchestration step or a fallback.
 *
 * @param model the catalog model name
 * @param inputTokens the prompt size at this site, when it differs from the request's own (an orchestration step
 *     sends its own prompt)
 * @param outputTokens the answer length at this site, when it differs from the traffic's default (models differ in
 *     verbosity: the spec's GPT-4o answers are longer than GPT-4o-mini's)
 * @param cache a cache in front of this site only (the spec caches some routes and not others)
 * @param label a name for reports (a step's role such as {@code plan}), defaults to the model
 * @param serviceTier the provider tier the calls ask for ({@code flex}: OpenAI's half-price tier), if any, whatever
 *     tier the request asked for (without one, the request's own is asked for); the sim serves it, and bills it,
 *     when the catalog prices the model on that tier
 * @param promptCaching what the deployment marks for Anthropic's prompt cache (a gateway model's
 *     {@code prompt_caching}): a call that may write the cache holds its prompt at the write price against a budget
 */
public record CallSite(String model, Optional<TokenDistribution> inputTokens, Optional<TokenDistribution> outputTokens,
        Optional<CacheSpec> cache, String label, Optional<ServiceTier> serviceTier,
        AnthropicPromptCaching promptCaching) {

    public CallSite {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(inputTokens, "inputTokens");
        Objects.requireNonNull(outputTokens, "outputTokens");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(serviceTier, "serviceTier");
        Objects.requireNonNull(promptCaching, "promptCaching");
    }

    /**
     * A site that marks nothing for the prompt cache.
     *
     * @param model the catalog model name
     * @param inputTokens the prompt size at this site, if it differs from the request's
     * @param outputTokens the answer length at this site, if it differs from the traffic's default
     * @param cache a cache in front of this site only
     * @param label a name for reports
     * @param serviceTier the provider tier the calls ask for, if any
     */
    public CallSite(String model, Optional<TokenDistribution> inputTokens, Optional<TokenDistribution> outputTokens,
            Optional<CacheSpec> cache, String label, Optional<ServiceTier> serviceTier) {
        this(model, inputTokens, outputTokens, cache, label, serviceTier, AnthropicPromptCaching.NONE);
    }

    /**
     * A site on the account's default tier.
     *
     * @param model the catalog model name
     * @param inputTokens the prompt size at this site, if it differs from the request's
     * @param outputTokens the answer length at this site, if it differs from the traffic's default
     * @param cache a cache in front of this site only
     * @param label a name for reports
     */
    public CallSite(String model, Optional<TokenDistribution> inputTokens, Optional<TokenDistribution> outputTokens,
            Optional<CacheSpec> cache, String label) {
        this(model, inputTokens, outputTokens, cache, label, Optional.empty());
    }

    /**
     * @param tier the tier the calls ask for
     * @return this site on {@code tier}
     */
    public CallSite withServiceTier(Optional<ServiceTier> tier) {
        return new CallSite(model, inputTokens, outputTokens, cache, label, tier, promptCaching);
    }

    /**
     * @param caching what the deployment marks for the prompt cache
     * @return this site with that prompt caching
     */
    public CallSite withPromptCaching(AnthropicPromptCaching caching) {
        return new CallSite(model, inputTokens, outputTokens, cache, label, serviceTier, caching);
    }

    /**
     * A plain call of {@code model} with the request's own token profile.
     *
     * @param model the catalog model
     * @return the site
     */
    public static CallSite of(String model) {
        return new CallSite(model, Optional.empty(), Optional.empty(), Optional.empty(), model);
    }
}
