package dev.costwise.llm.chat;

import dev.costwise.core.Money;
import java.util.Objects;
import java.util.Optional;

/**
 * Tokens one call used, in Costwise's normalised form.
 *
 * <p>{@code inputTokens} is the whole prompt, <em>including</em> the cached and cache-write parts (OpenAI's and
 * Gemini's convention); adapters for providers that report them apart (Anthropic) add them in. So the uncached,
 * normally priced input is {@link #uncachedInputTokens()}. {@code outputTokens} includes {@code reasoningTokens}
 * (billed as output).
 *
 * @param inputTokens all prompt tokens
 * @param cachedInputTokens prompt tokens read from the provider's prompt cache
 * @param cacheWriteTokens prompt tokens written to the provider's prompt cache (Anthropic), at either TTL
 * @param cacheWrite1hTokens the part of {@code cacheWriteTokens} written with a 1-hour TTL (Anthropic bills it at 2×
 *     input instead of 1.25×); the rest were written with the default 5-minute TTL
 * @param outputTokens all generated tokens, reasoning included
 * @param reasoningTokens the part of the output spent on hidden reasoning
 * @param estimated {@code true} when the provider reported no usage and Costwise counted locally
 * @param serviceTier the tier the provider says served the call, which sets the prices the tokens are billed at
 *     ({@link ServiceTier#STANDARD} unless the answer reported another)
 * @param reportedCost what the provider says it charged for this call, when it says (OpenRouter's
 *     {@code usage.cost}): the call's cost is then that amount, not a catalog price (see
 *     {@link dev.costwise.llm.cost.Pricer#priceCall}). It belongs to the call and the model that answered it, so
 *     pricing the same tokens on another model (a baseline) ignores it, and a {@linkplain #plus sum} drops it
 * @param inferenceGeo where the provider says the call ran, when it says (Anthropic's {@code usage.inference_geo}:
 *     {@code us} or {@code global}): a model may bill a geography at a multiple of its prices
 *     ({@link dev.costwise.llm.catalog.Pricing#inferenceGeoMultipliers()})
 */
public record Usage(long inputTokens, long cachedInputTokens, long cacheWriteTokens, long cacheWrite1hTokens,
        long outputTokens, long reasoningTokens, boolean estimated, ServiceTier serviceTier,
        Optional<Money> reportedCost, Optional<String> inferenceGeo) {

    /** No tokens. */
    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0, false);

    public Usage {
        Objects.requireNonNull(serviceTier, "serviceTier");
        Objects.requireNonNull(reportedCost, "reportedCost");
        Objects.requireNonNull(inferenceGeo, "inferenceGeo");
        if (inferenceGeo.filter(String::isBlank).isPresent()) {
            throw new IllegalArgumentException("inferenceGeo cannot be blank");
        }
        if (reportedCost.filter(Money::isNegative).isPresent()) {
            throw new IllegalArgumentException("reportedCost cannot be negative, was " + reportedCost.get());
        }
        requireNonNegative("inputTokens", inputTokens);
        requireNonNegative("cachedInputTokens", cachedInputTokens);
        requireNonNegative("cacheWriteTokens", cacheWriteTokens);
        requireNonNegative("cacheWrite1hTokens", cacheWrite1hTokens);
        if (cacheWrite1hTokens > cacheWriteTokens) {
            throw new IllegalArgumentException("cacheWrite1hTokens (" + cacheWrite1hTokens
                    + ") cannot exceed cacheWriteTokens (" + cacheWriteTokens + ")");
        }
        requireNonNegative("outputTokens", outputTokens);
        requireNonNegative("reasoningTokens", reasoningTokens);
        if (cachedInputTokens + cacheWriteTokens > inputTokens) {
            throw new IllegalArgumentException("cachedInputTokens (" + cachedInputTokens + ") + cacheWriteTokens ("
                    + cacheWriteTokens + ") cannot exceed inputTokens (" + inputTokens + ")");
        }
        if (reasoningTokens > outputTokens) {
            throw new IllegalArgumentException("reasoningTokens (" + reasoningTokens
                    + ") cannot exceed outputTokens (" + outputTokens + ")");
        }
    }

    /**
     * Usage with no geography reported.
     *
     * @param inputTokens all prompt tokens
     * @param cachedInputTokens prompt tokens read from the prompt cache
     * @param cacheWriteTokens prompt tokens written to the prompt cache, at either TTL
     * @param cacheWrite1hTokens the part of {@code cacheWriteTokens} written with a 1-hour TTL
     * @param outputTokens all generated tokens, reasoning included
     * @param reasoningTokens the part of the output spent on hidden reasoning
     * @param estimated {@code true} when counted locally
     * @param serviceTier the tier that served the call
     * @param reportedCost what the provider says it charged, if it says
     */
    public Usage(long inputTokens, long cachedInputTokens, long cacheWriteTokens, long cacheWrite1hTokens,
            long outputTokens, long reasoningTokens, boolean estimated, ServiceTier serviceTier,
            Optional<Money> reportedCost) {
        this(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens, reasoningTokens,
                estimated, serviceTier, reportedCost, Optional.empty());
    }

    /**
     * Usage whose provider reported no cost.
     *
     * @param inputTokens all prompt tokens
     * @param cachedInputTokens prompt tokens read from the prompt cache
     * @param cacheWriteTokens prompt tokens written to the prompt cache, at either TTL
     * @param cacheWrite1hTokens the part of {@code cacheWriteTokens} written with a 1-hour TTL
     * @param outputTokens all generated tokens, reasoning included
     * @param reasoningTokens the part of the output spent on hidden reasoning
     * @param estimated {@code true} when counted locally
     * @param serviceTier the tier that served the call
     */
    public Usage(long inputTokens, long cachedInputTokens, long cacheWriteTokens, long cacheWrite1hTokens,
            long outputTokens, long reasoningTokens, boolean estimated, ServiceTier serviceTier) {
        this(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens, reasoningTokens,
                estimated, serviceTier, Optional.empty());
    }

    /**
     * Usage served on the standard tier.
     *
     * @param inputTokens all prompt tokens
     * @param cachedInputTokens prompt tokens read from the prompt cache
     * @param cacheWriteTokens prompt tokens written to the prompt cache, at either TTL
     * @param cacheWrite1hTokens the part of {@code cacheWriteTokens} written with a 1-hour TTL
     * @param outputTokens all generated tokens, reasoning included
     * @param reasoningTokens the part of the output spent on hidden reasoning
     * @param estimated {@code true} when counted locally
     */
    public Usage(long inputTokens, long cachedInputTokens, long cacheWriteTokens, long cacheWrite1hTokens,
            long outputTokens, long reasoningTokens, boolean estimated) {
        this(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens, reasoningTokens,
                estimated, ServiceTier.STANDARD);
    }

    /**
     * Usage whose cache writes (if any) all used the default 5-minute TTL, served on the standard tier.
     *
     * @param inputTokens all prompt tokens
     * @param cachedInputTokens prompt tokens read from the prompt cache
     * @param cacheWriteTokens prompt tokens written to the prompt cache with a 5-minute TTL
     * @param outputTokens all generated tokens, reasoning included
     * @param reasoningTokens the part of the output spent on hidden reasoning
     * @param estimated {@code true} when counted locally
     */
    public Usage(long inputTokens, long cachedInputTokens, long cacheWriteTokens, long outputTokens,
            long reasoningTokens, boolean estimated) {
        this(inputTokens, cachedInputTokens, cacheWriteTokens, 0, outputTokens, reasoningTokens, estimated);
    }

    /**
     * Plain usage with no caching or reasoning.
     *
     * @param inputTokens prompt tokens
     * @param outputTokens generated tokens
     * @return the usage
     */
    public static Usage of(long inputTokens, long outputTokens) {
        return new Usage(inputTokens, 0, 0, outputTokens, 0, false);
    }

    /** @return prompt tokens billed at the normal input price */
    public long uncachedInputTokens() {
        return inputTokens - cachedInputTokens - cacheWriteTokens;
    }

    /** @return prompt tokens written to the prompt cache with the default 5-minute TTL */
    public long cacheWrite5mTokens() {
        return cacheWriteTokens - cacheWrite1hTokens;
    }

    /** @return input plus output */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /**
     * This usage as served on {@code tier}.
     *
     * @param tier the tier the answer reported
     * @return the copy (or this, when the tier is the same)
     */
    public Usage withServiceTier(ServiceTier tier) {
        return tier == serviceTier ? this : new Usage(inputTokens, cachedInputTokens, cacheWriteTokens,
                cacheWrite1hTokens, outputTokens, reasoningTokens, estimated, tier, reportedCost, inferenceGeo);
    }

    /**
     * This usage with the cost its provider reported charging for it.
     *
     * @param cost what the provider says the call cost
     * @return the copy
     * @throws IllegalArgumentException if {@code cost} is negative
     */
    public Usage withReportedCost(Money cost) {
        return new Usage(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens,
                reasoningTokens, estimated, serviceTier, Optional.of(Objects.requireNonNull(cost, "cost")),
                inferenceGeo);
    }

    /**
     * This usage as run in {@code geo}, as the provider reported it.
     *
     * @param geo the geography, such as Anthropic's {@code us}; empty when the provider named none
     * @return the copy (or this, when the geography is the same)
     * @throws IllegalArgumentException if {@code geo} is blank
     */
    public Usage withInferenceGeo(Optional<String> geo) {
        return geo.equals(inferenceGeo) ? this : new Usage(inputTokens, cachedInputTokens, cacheWriteTokens,
                cacheWrite1hTokens, outputTokens, reasoningTokens, estimated, serviceTier, reportedCost, geo);
    }

    /**
     * The sum of this and {@code other}: estimated if either is; on their tier when they share one, otherwise on the
     * standard tier (a sum over tiers cannot be priced at one tier's prices: price each call on its own), and in their
     * geography when they share one, otherwise in none; with no {@linkplain #reportedCost() reported cost}, as a sum
     * is priced as tokens (a baseline), never as one call.
     *
     * @param other the usage to add
     * @return the sum
     */
    public Usage plus(Usage other) {
        return new Usage(inputTokens + other.inputTokens, cachedInputTokens + other.cachedInputTokens,
                cacheWriteTokens + other.cacheWriteTokens, cacheWrite1hTokens + other.cacheWrite1hTokens,
                outputTokens + other.outputTokens, reasoningTokens + other.reasoningTokens,
                estimated || other.estimated, serviceTier == other.serviceTier ? serviceTier : ServiceTier.STANDARD,
                Optional.empty(), inferenceGeo.equals(other.inferenceGeo) ? inferenceGeo : Optional.empty());
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " cannot be negative, was " + value);
        }
    }
}
