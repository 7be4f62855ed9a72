package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.Providers;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.CacheControl;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.SavingsCalculator;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.WorstCaseCost;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Prices a model's usage from its configured price (or the well-known list price of its name), exactly, as the
 * library's {@link CatalogPricer} does: prompt-cache reads and five-minute and one-hour cache writes each at their own
 * price, a model's long-context prices for a prompt above their threshold, and a geography's multiplier for a call
 * that ran where the model bills more (Anthropic's US-only inference). Each configured model's prices are resolved
 * once, when the calculator is built: the bundled catalog is read once per process and never changes while it runs.
 * Thread-safe and immutable.
 */
public final class CostCalculator {
    /** The prices of the models given at build, by instance: the directory's models are the ones every call uses. */
    private final Map<Model, Optional<Pricing>> resolved;

    /**
     * @param models the models calls will be priced for (the pipelines' directory); a model not among them is still
     *     priced, its prices resolved on each call
     */
    public CostCalculator(Collection<Model> models) {
        Map<Model, Optional<Pricing>> byModel = new IdentityHashMap<>();
        models.forEach(m -> byModel.put(m, resolve(m)));
        this.resolved = Collections.unmodifiableMap(byModel);
    }

    /**
     * The cost of a call to {@code model}: what its provider reported charging for it ({@link Usage#reportedCost()},
     * OpenRouter's {@code usage.cost}), exactly, when it did; otherwise its tokens at the model's price.
     *
     * @param model the model that answered
     * @param usage the tokens
     * @return cost and how it is known
     */
    public Pricer.Priced price(Model model, Usage usage) {
        return Pricer.Priced.reportedIn(usage).orElseGet(() -> priceTokens(model, usage));
    }

    /** {@code usage}'s tokens at {@code model}'s price, whatever its provider reported charging for them. */
    private Pricer.Priced priceTokens(Model model, Usage usage) {
        Optional<Pricing> price = prices(model);
        if (price.isEmpty()) {
            return new Pricer.Priced(Money.ZERO, PriceStatus.UNPRICED);
        }
        Money cost = CatalogPricer.cost(CatalogPricer.effectivePricing(price.get(), usage), usage);
        PriceStatus status = model.provider().equals(Providers.SIM) ? PriceStatus.SIMULATED
                : cost.isZero() ? PriceStatus.LOCAL : PriceStatus.PRICED;
        return new Pricer.Priced(cost, status);
    }

    /**
     * The cost of a failed attempt: the usage its provider billed for it
     * ({@link dev.costwise.llm.provider.ProviderException#billedUsage()}) priced, else nothing.
     *
     * @param model the model called
     * @param billed the usage the provider reported for the failed attempt, if any
     * @return cost and how it is known
     */
    public Pricer.Priced priceFailure(Model model, Optional<Usage> billed) {
        return billed.map(u -> price(model, u)).orElseGet(() -> new Pricer.Priced(Money.ZERO, PriceStatus.PRICED));
    }

    /**
     * What an answer would have cost on the baseline: the baseline model's price for the same tokens, on the tier the
     * library's {@link SavingsCalculator#baselineTier} rule gives. A model configured on a tier of its own
     * ({@code service_tier: flex}) is Costwise's choice, so its baseline is on the tier the caller asked for (the
     * standard one if none), and with no other baseline model it is measured against itself there: a flex deployment
     * shows what it saved. Otherwise the baseline runs on the tier that served the answer, and with no other baseline
     * model it is what was paid.
     *
     * @param baseline the model savings are measured against, if any
     * @param answered the model that answered
     * @param usage the tokens, on the tier that served them
     * @param paid what the answer cost
     * @param askedTier the tier the caller's request asked for, if any
     * @return the baseline cost
     */
    public Money baselineCost(Optional<Model> baseline, Model answered, Usage usage, Money paid,
            Optional<ServiceTier> askedTier) {
        // a model's own tier is Costwise's choice, so the caller's is the one the baseline would have run on
        Optional<ServiceTier> callerTier = answered.serviceTier().map(own -> SavingsCalculator.callerTier(askedTier));
        Usage onBaselineTier = usage.withServiceTier(SavingsCalculator.baselineTier(usage.serviceTier(), callerTier));
        Optional<Model> other = baseline.filter(b -> !b.equals(answered));
        // the baseline prices the tokens: what the provider charged for them on this call is no baseline's price
        if (other.isPresent()) {
            return priceTokens(other.get(), onBaselineTier).cost();
        }
        return callerTier.isPresent() ? priceTokens(answered, onBaselineTier).cost() : paid;
    }

    /**
     * The worst-case cost of a call before it is made ({@link WorstCaseCost#of}): the most output allowed, and every
     * prompt token at the dearest input price it may be billed at, which is a cache write's when the request places
     * breakpoints or the model's {@code prompt_caching} does. A call that asks for a service tier is held at that
     * tier's prices; one that names none is held at the standard prices unless the caller passes the tier its account
     * serves such calls on ({@link DefaultTiers}).
     *
     * @param model the model
     * @param inputTokens estimated prompt tokens
     * @param maxOutputTokens the output limit
     * @param requestCacheWrites the longest cache lifetime among the request's own breakpoints, if any
     * @param askedTier the service tier the request asks for, if any (the model's own, if it has one, comes first)
     * @return the cost
     */
    public Money worstCase(Model model, long inputTokens, long maxOutputTokens,
            Optional<CacheControl.Ttl> requestCacheWrites, Optional<ServiceTier> askedTier) {
        Optional<CacheControl.Ttl> writes = WorstCaseCost.cacheWrites(requestCacheWrites, model.promptCaching());
        // the model's tier wins, as on the wire; a request that names none is held at the standard prices
        ServiceTier tier = model.serviceTier().or(() -> askedTier).orElse(ServiceTier.STANDARD);
        return prices(model).map(p -> WorstCaseCost.of(p, inputTokens, maxOutputTokens, tier, writes))
                .orElse(Money.ZERO);
    }

    /** @return {@code model}'s prices: resolved at build for the models given then, else now */
    private Optional<Pricing> prices(Model model) {
        Optional<Pricing> known = resolved.get(model);
        return known != null ? known : resolve(model);
    }

    /**
     * A model's prices ({@link Model#effectivePrice()}); a configured price that names no geography multipliers takes
     * the catalog's for the same model, so US-only inference on Claude Opus 4.6 and later is billed at 1.1× whatever
     * the price the deployment was given.
     */
    private static Optional<Pricing> resolve(Model model) {
        return model.effectivePrice().map(p -> p.inferenceGeoMultipliers().isEmpty()
                ? EmbeddedDefaults.knownPrice(model.provider(), model.upstreamModel())
                        .map(Pricing::inferenceGeoMultipliers).map(p::withInferenceGeoMultipliers).orElse(p)
                : p);
    }
}
