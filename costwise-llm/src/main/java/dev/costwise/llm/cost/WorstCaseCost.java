package dev.costwise.llm.cost;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.CacheControl;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.anthropic.AnthropicPromptCaching;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * The most a chat call can cost, known before it is made: what the gateway reserves against hard budgets for every
 * call, so that spend cannot pass a limit, and what the planner checks in the same way to predict the gateway's budget
 * decisions. Stateless.
 */
public final class WorstCaseCost {

    private static final String ANTHROPIC = "anthropic";

    private WorstCaseCost() {}

    /**
     * The most output a call can produce: the request's own limit, else the model's; for an Anthropic model asked to
     * think, plus a thinking budget at least as large as that limit (its adapter then sends the sum as
     * {@code max_tokens}).
     *
     * @param requested the request's {@code max_completion_tokens} or {@code max_tokens}; 0 when it sets neither
     * @param modelMaxOutput the model's maximum output
     * @param provider the model's provider id
     * @param reasoning the request's reasoning setting, if any
     * @return the output limit, in tokens
     */
    public static long outputLimit(long requested, long modelMaxOutput, String provider,
            Optional<Reasoning> reasoning) {
        if (requested > 0) {
            return requested;
        }
        long limit = modelMaxOutput;
        if (ANTHROPIC.equals(provider)) {
            int budget = reasoning.filter(r -> !r.isOff()).map(Reasoning::budgetOrNearest).orElse(0);
            if (budget >= limit) {
                limit += budget;
            }
        }
        return limit;
    }

    /**
     * The longest prompt-cache lifetime a call may write: that of the request's own {@code cache_control}
     * breakpoints; for a request that places none, the five-minute cache the model's {@code prompt_caching} marks
     * (Anthropic's adapter adds its breakpoints only then).
     *
     * @param requestBreakpoints the longest lifetime among the request's own breakpoints, if it places any
     * @param modelCaching what the model's adapter marks for the prompt cache
     * @return the lifetime to hold a cache write for ({@link #of}); empty when the call writes no cache
     */
    public static Optional<CacheControl.Ttl> cacheWrites(Optional<CacheControl.Ttl> requestBreakpoints,
            AnthropicPromptCaching modelCaching) {
        Objects.requireNonNull(modelCaching, "modelCaching");
        return requestBreakpoints.or(() -> modelCaching == AnthropicPromptCaching.NONE ? Optional.empty()
                : Optional.of(CacheControl.Ttl.FIVE_MINUTES));
    }

    /**
     * The worst-case cost of a call: the most output allowed, and every prompt token at the dearest input price it may
     * be billed at. That is the plain input price, unless the call may write the provider's prompt cache: a cache write
     * costs more (Anthropic: 1.25× for five minutes, 2× for an hour), and a budget must hold even if the whole prompt
     * is written. Long-context prices apply when the prompt is above their threshold. The prices are {@code tier}'s:
     * OpenAI serves a flex request on flex or refuses it (unbilled), and a priority request on priority or, cheaper,
     * on the standard tier. A model that bills a geography apart is held at its dearest one (Anthropic's US-only
     * inference, 1.1×): a workspace's {@code default_inference_geo} may run a call there without the request saying.
     *
     * @param pricing the model's prices
     * @param inputTokens estimated prompt tokens
     * @param maxOutputTokens the output limit ({@link #outputLimit})
     * @param tier the tier the call is held at
     * @param cacheWrites the longest prompt-cache lifetime the call may write, if it may write any
     * @return the cost
     */
    public static Money of(Pricing pricing, long inputTokens, long maxOutputTokens, ServiceTier tier,
            Optional<CacheControl.Ttl> cacheWrites) {
        Objects.requireNonNull(pricing, "pricing");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(cacheWrites, "cacheWrites");
        Pricing prices = CatalogPricer.effectivePricing(pricing,
                Usage.of(inputTokens, maxOutputTokens).withServiceTier(tier))
                .times(pricing.inferenceGeoMultipliers().values().stream().reduce(BigDecimal.ONE, BigDecimal::max));
        Money input = prices.inputPerMillion();
        if (cacheWrites.isPresent()) {
            input = input.max(prices.cacheWrite5mPerMillion());
        }
        if (cacheWrites.filter(w -> w == CacheControl.Ttl.ONE_HOUR).isPresent()) {
            input = input.max(prices.cacheWrite1hPerMillion());
        }
        return input.perMillion(inputTokens).plus(prices.outputPerMillion().perMillion(maxOutputTokens));
    }

    /**
     * The most prompt a verdict on an answer may take (the multi-model workflow's validation): the verdict's own text,
     * the longest answer it may judge, a quarter more since the orchestrator's tokenizer may split that answer finer
     * than the executor's, and 16 tokens of message framing.
     *
     * @param verdictPromptTokens the estimated tokens of the verdict's prompt besides the answer it judges
     * @param longestAnswer the longest answer, in the executor's tokens, the verdict may judge
     * @return the input tokens to hold
     */
    public static long verdictInput(long verdictPromptTokens, long longestAnswer) {
        return verdictPromptTokens + longestAnswer + longestAnswer / 4 + 16;
    }
}
