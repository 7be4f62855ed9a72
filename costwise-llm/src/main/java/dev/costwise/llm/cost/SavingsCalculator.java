package dev.costwise.llm.cost;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import java.util.Objects;
import java.util.Optional;

/**
 * Prices the same usage on a configured baseline model (the spec's "all GPT-4o" or "all Claude" case), so every call
 * can report what it saved: {@code savings = baseline cost − actual cost}.
 *
 * <pre>{@code
 * SavingsCalculator savings = SavingsCalculator.of(pricer, "gpt-4o");
 * Savings s = savings.savings("gpt-4o-mini", usage);   // s.baselineCost(), s.cost(), s.saved()
 * }</pre>
 *
 * <p>The baseline is priced on the exact same {@link Usage} (cached and cache-write tokens at the baseline's own
 * cache prices, long-context prices if the prompt passes its threshold). A baseline with no price fails at
 * construction, so savings are never computed against a silent $0. Immutable and thread-safe.
 */
public final class SavingsCalculator {

    private final Pricer pricer;
    private final String baselineModel;

    private SavingsCalculator(Pricer pricer, String baselineModel) {
        this.pricer = pricer;
        this.baselineModel = baselineModel;
    }

    /**
     * A calculator against {@code baselineModel}.
     *
     * @param pricer prices both the baseline and the actual calls
     * @param baselineModel the catalog model the savings are measured against
     * @return the calculator
     * @throws dev.costwise.llm.catalog.UnknownModelException if the pricer does not know the baseline
     * @throws IllegalArgumentException if the baseline has no price (its status is {@code UNPRICED})
     */
    public static SavingsCalculator of(Pricer pricer, String baselineModel) {
        Objects.requireNonNull(pricer, "pricer");
        Objects.requireNonNull(baselineModel, "baselineModel");
        Pricer.Priced probe = pricer.price(baselineModel, Usage.ZERO);
        if (probe.status() == PriceStatus.UNPRICED) {
            throw new IllegalArgumentException("baseline model '" + baselineModel
                    + "' has no known price; savings against it would be meaningless");
        }
        return new SavingsCalculator(pricer, baselineModel);
    }

    /** @return the baseline model's name */
    public String baselineModel() {
        return baselineModel;
    }

    /**
     * What {@code usage} would have cost on the baseline model.
     *
     * @param usage the call's usage
     * @return the baseline cost
     */
    public Money baselineCost(Usage usage) {
        return pricer.price(baselineModel, usage).cost();
    }

    /**
     * What an answer would have cost on the baseline, on the service tier the baseline call would have run on
     * ({@link #baselineTier}).
     *
     * @param usage the answer's tokens, on the tier that served them
     * @param callerTier when Costwise chose the call's tier, the tier the caller asked for
     *     ({@link ChatRequest#callerServiceTier()}); empty when the tier asked for was the caller's own
     * @return the baseline cost
     */
    public Money baselineCost(Usage usage, Optional<ServiceTier> callerTier) {
        return baselineCost(usage.withServiceTier(baselineTier(usage.serviceTier(), callerTier)));
    }

    /**
     * The service tier an answer's baseline is priced on: the one rule the library ({@link CatalogPricer}) and the
     * gateway share. Savings count only what Costwise chose. When Costwise put the call on a tier
     * ({@link dev.costwise.llm.budget.OnServiceTier}, a gateway model's {@code service_tier: flex}), the baseline is
     * priced on the tier the caller asked for, so a flex deployment shows what flex saved. Otherwise the baseline
     * would have run on the tier the provider served (one the caller asked for, or its account's default), and a tier
     * Costwise did not choose saves nothing, nor costs extra.
     *
     * @param served the tier that served the answer ({@link Usage#serviceTier()})
     * @param callerTier when Costwise chose the tier, the tier the caller asked for ({@link #callerTier}); empty when
     *     the tier asked for was the caller's own
     * @return {@code callerTier} when present, else {@code served}
     */
    public static ServiceTier baselineTier(ServiceTier served, Optional<ServiceTier> callerTier) {
        return callerTier.orElse(Objects.requireNonNull(served, "served"));
    }

    /**
     * The tier a call would have run on without Costwise, once Costwise puts it on a tier of its choosing.
     *
     * @param askedTier the tier the caller's request asked for, if any
     * @return that tier, or the standard one when it asked for none
     */
    public static ServiceTier callerTier(Optional<ServiceTier> askedTier) {
        return askedTier.orElse(ServiceTier.STANDARD);
    }

    /**
     * Prices a call and its baseline.
     *
     * @param model the model that answered
     * @param usage the call's usage
     * @return the cost, the baseline cost and their difference
     * @throws dev.costwise.llm.catalog.UnknownModelException if the model is unknown and the pricer is strict
     * @throws UnpricedModelException if the model has no price and the pricer is strict
     */
    public Savings savings(String model, Usage usage) {
        Pricer.Priced actual = pricer.priceCall(model, usage);
        return new Savings(actual.cost(), baselineCost(usage), actual.status());
    }

    /**
     * Savings of a cache hit: the whole call that was avoided, priced on the baseline; nothing was paid.
     *
     * @param usage the usage the cached answer originally had
     * @return the savings with a zero cost
     */
    public Savings cacheHitSavings(Usage usage) {
        return new Savings(Money.ZERO, baselineCost(usage), PriceStatus.CACHE_HIT);
    }

    /**
     * One call's cost against its baseline.
     *
     * @param cost what was paid
     * @param baselineCost what the baseline would have cost
     * @param status how {@code cost} is known
     */
    public record Savings(Money cost, Money baselineCost, PriceStatus status) {
        public Savings {
            Objects.requireNonNull(cost, "cost");
            Objects.requireNonNull(baselineCost, "baselineCost");
            Objects.requireNonNull(status, "status");
        }

        /** @return baseline cost minus cost; negative when the call cost more than the baseline */
        public Money saved() {
            return baselineCost.minus(cost);
        }

        /** @return the saved share of the baseline, 0 when the baseline is $0 (for display) */
        public double savedRatio() {
            return saved().ratioOf(baselineCost);
        }
    }
}
