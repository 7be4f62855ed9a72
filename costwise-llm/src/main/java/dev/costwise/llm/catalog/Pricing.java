package dev.costwise.llm.catalog;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.ServiceTier;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Prices per million tokens.
 *
 * @param inputPerMillion uncached input
 * @param cachedInputPerMillion input read from the provider's prompt cache
 * @param cacheWrite5mPerMillion input written to a 5-minute prompt cache (Anthropic: 1.25× input)
 * @param cacheWrite1hPerMillion input written to a 1-hour prompt cache (Anthropic: 2× input)
 * @param outputPerMillion output, reasoning included
 * @param longContext prices that replace these when the prompt is above a threshold, if the provider charges more
 * @param serviceTiers the prices of the same tokens on another {@linkplain ServiceTier service tier} (OpenAI's flex
 *     and priority), by tier; these prices are the standard tier's. A tier with no entry is billed at these prices.
 * @param inferenceGeoMultipliers what every price is multiplied by for a call that ran in a geography the provider
 *     bills apart, by the name it reports the geography under ({@link dev.costwise.llm.chat.Usage#inferenceGeo()}):
 *     Anthropic bills US-only inference ({@code inference_geo: "us"}) at 1.1× on Claude Opus 4.6, Sonnet 4.6 and
 *     later models. A geography with no entry (Anthropic's {@code global}) is billed at the prices as they are. The
 *     multiplier applies on every tier and above the long-context threshold too; only these, the standard tier's
 *     prices, hold it.
 */
public record Pricing(Money inputPerMillion, Money cachedInputPerMillion, Money cacheWrite5mPerMillion,
        Money cacheWrite1hPerMillion, Money outputPerMillion, Optional<LongContextPricing> longContext,
        Map<ServiceTier, Pricing> serviceTiers, Map<String, BigDecimal> inferenceGeoMultipliers) {

    /** Every price zero: a free tier or a local model. */
    public static final Pricing FREE =
            new Pricing(Money.ZERO, Money.ZERO, Money.ZERO, Money.ZERO, Money.ZERO, Optional.empty());

    public Pricing {
        serviceTiers = Map.copyOf(serviceTiers);
        if (serviceTiers.containsKey(ServiceTier.STANDARD)) {
            throw new IllegalArgumentException("serviceTiers holds the other tiers; the standard prices are these");
        }
        if (serviceTiers.values().stream().anyMatch(p -> !p.serviceTiers().isEmpty())) {
            throw new IllegalArgumentException("a service tier's prices cannot have service tiers of their own");
        }
        inferenceGeoMultipliers = Map.copyOf(inferenceGeoMultipliers);
        if (serviceTiers.values().stream().anyMatch(p -> !p.inferenceGeoMultipliers().isEmpty())) {
            throw new IllegalArgumentException("a service tier's prices take the standard ones' geography multipliers");
        }
        inferenceGeoMultipliers.forEach((geo, multiplier) -> {
            if (geo.isBlank() || multiplier.signum() <= 0) {
                throw new IllegalArgumentException("an inference geography needs a name and a positive multiplier, "
                        + "was '" + geo + "' at " + multiplier);
            }
        });
        Objects.requireNonNull(inputPerMillion, "inputPerMillion");
        Objects.requireNonNull(cachedInputPerMillion, "cachedInputPerMillion");
        Objects.requireNonNull(cacheWrite5mPerMillion, "cacheWrite5mPerMillion");
        Objects.requireNonNull(cacheWrite1hPerMillion, "cacheWrite1hPerMillion");
        Objects.requireNonNull(outputPerMillion, "outputPerMillion");
        Objects.requireNonNull(longContext, "longContext");
        for (Money m : new Money[] {inputPerMillion, cachedInputPerMillion, cacheWrite5mPerMillion,
                cacheWrite1hPerMillion, outputPerMillion}) {
            if (m.isNegative()) {
                throw new IllegalArgumentException("a price cannot be negative, was " + m);
            }
        }
    }

    /**
     * Prices with no geography billed apart.
     *
     * @param inputPerMillion uncached input
     * @param cachedInputPerMillion input read from the provider's prompt cache
     * @param cacheWrite5mPerMillion input written to a 5-minute prompt cache
     * @param cacheWrite1hPerMillion input written to a 1-hour prompt cache
     * @param outputPerMillion output, reasoning included
     * @param longContext prices above a prompt size, if any
     * @param serviceTiers the prices of the same tokens on another tier, by tier
     */
    public Pricing(Money inputPerMillion, Money cachedInputPerMillion, Money cacheWrite5mPerMillion,
            Money cacheWrite1hPerMillion, Money outputPerMillion, Optional<LongContextPricing> longContext,
            Map<ServiceTier, Pricing> serviceTiers) {
        this(inputPerMillion, cachedInputPerMillion, cacheWrite5mPerMillion, cacheWrite1hPerMillion,
                outputPerMillion, longContext, serviceTiers, Map.of());
    }

    /**
     * Standard-tier prices only.
     *
     * @param inputPerMillion uncached input
     * @param cachedInputPerMillion input read from the provider's prompt cache
     * @param cacheWrite5mPerMillion input written to a 5-minute prompt cache
     * @param cacheWrite1hPerMillion input written to a 1-hour prompt cache
     * @param outputPerMillion output, reasoning included
     * @param longContext prices above a prompt size, if any
     */
    public Pricing(Money inputPerMillion, Money cachedInputPerMillion, Money cacheWrite5mPerMillion,
            Money cacheWrite1hPerMillion, Money outputPerMillion, Optional<LongContextPricing> longContext) {
        this(inputPerMillion, cachedInputPerMillion, cacheWrite5mPerMillion, cacheWrite1hPerMillion,
                outputPerMillion, longContext, Map.of());
    }

    /**
     * Input and output prices; cached input at the input price, no cache writes.
     *
     * @param input $ per 1M input tokens
     * @param output $ per 1M output tokens
     * @return the pricing
     */
    public static Pricing of(String input, String output) {
        Money in = Money.of(input);
        return new Pricing(in, in, in, in, Money.of(output), Optional.empty());
    }

    /**
     * These prices with {@code tier}'s added (or replaced).
     *
     * @param tier flex or priority
     * @param prices what the same tokens cost on that tier
     * @return the copy
     * @throws IllegalArgumentException if {@code tier} is {@link ServiceTier#STANDARD}
     */
    public Pricing withServiceTier(ServiceTier tier, Pricing prices) {
        Map<ServiceTier, Pricing> tiers = new EnumMap<>(ServiceTier.class);
        tiers.putAll(serviceTiers);
        tiers.put(tier, prices);
        return new Pricing(inputPerMillion, cachedInputPerMillion, cacheWrite5mPerMillion, cacheWrite1hPerMillion,
                outputPerMillion, longContext, tiers, inferenceGeoMultipliers);
    }

    /**
     * These prices with geography multipliers ({@link #inferenceGeoMultipliers()}) in place of their own.
     *
     * @param multipliers by geography name, such as {@code us} to 1.1
     * @return the copy
     * @throws IllegalArgumentException if a name is blank or a multiplier is not positive
     */
    public Pricing withInferenceGeoMultipliers(Map<String, BigDecimal> multipliers) {
        return new Pricing(inputPerMillion, cachedInputPerMillion, cacheWrite5mPerMillion, cacheWrite1hPerMillion,
                outputPerMillion, longContext, serviceTiers, multipliers);
    }

    /**
     * @param geo where a call ran, as its provider reported it, if it did
     * @return what these prices are multiplied by for such a call: 1 for none, or a geography with no entry
     */
    public BigDecimal inferenceGeoMultiplier(Optional<String> geo) {
        return geo.map(inferenceGeoMultipliers::get).orElse(BigDecimal.ONE);
    }

    /**
     * Every price of these (no tiers, no long-context prices: those of the call are chosen first) times
     * {@code multiplier}.
     *
     * @param multiplier the factor, such as a geography's
     * @return the prices, or these when the factor is 1
     */
    public Pricing times(BigDecimal multiplier) {
        if (multiplier.compareTo(BigDecimal.ONE) == 0) {
            return this;
        }
        return new Pricing(inputPerMillion.times(multiplier), cachedInputPerMillion.times(multiplier),
                cacheWrite5mPerMillion.times(multiplier), cacheWrite1hPerMillion.times(multiplier),
                outputPerMillion.times(multiplier), Optional.empty());
    }

    /**
     * The prices of a call served on {@code tier}.
     *
     * @param tier the tier the answer reported
     * @return that tier's prices, or these when the tier is standard or has no prices of its own
     */
    public Pricing onTier(ServiceTier tier) {
        return serviceTiers.getOrDefault(tier, this);
    }

    /**
     * @param tier a tier
     * @return whether these prices bill calls on that tier at prices of its own (the standard tier always)
     */
    public boolean sells(ServiceTier tier) {
        return tier == ServiceTier.STANDARD || serviceTiers.containsKey(tier);
    }

    /** @return {@code true} if every price is zero */
    public boolean isFree() {
        return inputPerMillion.isZero() && outputPerMillion.isZero() && cachedInputPerMillion.isZero()
                && cacheWrite5mPerMillion.isZero() && cacheWrite1hPerMillion.isZero();
    }

    /**
     * Higher prices above a prompt size (for example Gemini 2.5 Pro and Claude Sonnet beyond 200K input tokens).
     *
     * @param thresholdInputTokens prompts with more input tokens than this use {@code pricing}
     * @param pricing the prices that apply above the threshold
     */
    public record LongContextPricing(long thresholdInputTokens, Pricing pricing) {
        public LongContextPricing {
            Objects.requireNonNull(pricing, "pricing");
            if (thresholdInputTokens < 1) {
                throw new IllegalArgumentException("thresholdInputTokens must be >= 1, was " + thresholdInputTokens);
            }
        }
    }
}
