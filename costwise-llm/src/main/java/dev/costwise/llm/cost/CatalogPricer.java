package dev.costwise.llm.cost;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelSnapshots;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Usage;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Prices usage exactly from a {@link ModelCatalog}.
 *
 * <p>For normalised {@link Usage} the cost is
 * <pre>
 *   uncached input × input price
 * + cached input   × cached-input price
 * + 5-minute cache writes × cacheWrite5m price
 * + 1-hour cache writes   × cacheWrite1h price
 * + output (reasoning included) × output price
 * </pre>
 * each per million tokens, in exact {@link Money}. When the model has {@linkplain Pricing#longContext() long-context
 * prices} and the prompt ({@link Usage#inputTokens()}, cached and cache-write tokens included) is above the threshold,
 * every part of the call is billed at the long-context prices, as Gemini 2.5 Pro and Claude Sonnet 4/4.5 bill above
 * 200K input tokens. A call served on another {@linkplain dev.costwise.llm.chat.ServiceTier service tier} (OpenAI's
 * flex or priority, {@link Usage#serviceTier()}) is billed at that tier's prices when the model has them
 * ({@link Pricing#serviceTiers()}), else at the standard ones. A call run in a geography the model bills apart
 * (Anthropic's US-only inference, {@link Usage#inferenceGeo()}) has every price multiplied by that geography's
 * multiplier ({@link Pricing#inferenceGeoMultipliers()}).
 *
 * <p>The TTL of cache writes comes from {@link Usage#cacheWrite1hTokens()}: the adapters (through
 * {@link UsageNormalizer#fromAnthropic}) report how many writes used the 1-hour TTL; the rest are priced at the
 * 5-minute rate, Anthropic's default.
 *
 * <p>The {@link PriceStatus} says how the cost is known: {@code PRICED}; {@code FREE_TIER} for a free deployment;
 * {@code LOCAL} for a free model of a local provider (Ollama by default); {@code UNPRICED} for a model with no price,
 * which is only returned when {@link Builder#allowUnpricedModels()} was set — otherwise pricing such a model fails.
 *
 * <p>Savings are measured against a baseline ({@link #baselineCost}): the model given to {@link #withBaseline}
 * (the "all GPT-4o" case), else the model each request asked for, so a request for {@code gpt-4o} that a router sent
 * to a local model records what it would have cost on {@code gpt-4o}:
 * <pre>{@code
 * CatalogPricer pricer = CatalogPricer.of(catalog).withBaseline("gpt-4o");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class CatalogPricer implements Pricer {

    /** Providers whose free models are local, not a free tier: Ollama, llama.cpp, vLLM, LM Studio. */
    public static final Set<String> DEFAULT_LOCAL_PROVIDERS = Set.of("ollama", "llamacpp", "vllm", "lmstudio", "local");

    private final ModelCatalog catalog;
    private final boolean allowUnpriced;
    private final Set<String> localProviders;
    private final Optional<String> baseline;

    private CatalogPricer(ModelCatalog catalog, boolean allowUnpriced, Set<String> localProviders,
            Optional<String> baseline) {
        this.catalog = catalog;
        this.allowUnpriced = allowUnpriced;
        this.localProviders = Set.copyOf(localProviders);
        this.baseline = baseline;
    }

    /**
     * A strict pricer over {@code catalog}: unknown and unpriced models fail.
     *
     * @param catalog the catalog
     * @return the pricer
     */
    public static CatalogPricer of(ModelCatalog catalog) {
        return builder(catalog).build();
    }

    /**
     * Starts a pricer over {@code catalog}.
     *
     * @param catalog the catalog
     * @return a builder
     */
    public static Builder builder(ModelCatalog catalog) {
        return new Builder(catalog);
    }

    /**
     * Prices one call.
     *
     * @param model the catalog name or alias of the model that answered
     * @param usage normalised usage
     * @return the exact cost and how it is known
     * @throws UnknownModelException if the model is not in the catalog and unpriced models are not allowed
     * @throws UnpricedModelException if the model has no price and unpriced models are not allowed
     */
    @Override
    public Priced price(String model, Usage usage) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(usage, "usage");
        Optional<ModelInfo> found = catalog.find(model);
        if (found.isEmpty() && allowUnpriced) {
            return new Priced(Money.ZERO, PriceStatus.UNPRICED);
        }
        ModelInfo info = found.orElseGet(() -> catalog.require(model));
        if (info.pricing().isEmpty()) {
            if (allowUnpriced) {
                return new Priced(Money.ZERO, PriceStatus.UNPRICED);
            }
            throw new UnpricedModelException(info.name());
        }
        Pricing pricing = effectivePricing(info.pricing().get(), usage);
        if (pricing.isFree()) {
            return new Priced(Money.ZERO, statusOfFree(info));
        }
        return new Priced(cost(pricing, usage), PriceStatus.PRICED);
    }

    /**
     * This pricer, measuring savings against {@code model}: every answer's {@link #baselineCost} is its tokens
     * priced on {@code model}, whatever model the request asked for.
     *
     * @param model the catalog name or alias of the baseline, such as {@code gpt-4o}
     * @return a pricer with that baseline, pricing calls as this one does
     * @throws UnknownModelException if the model is not in the catalog
     * @throws UnpricedModelException if the model has no price
     * @throws IllegalArgumentException if it has no price and unpriced models are allowed
     */
    public CatalogPricer withBaseline(String model) {
        String name = SavingsCalculator.of(this, model).baselineModel();
        return new CatalogPricer(catalog, allowUnpriced, localProviders,
                Optional.of(catalog.find(name).map(ModelInfo::name).orElse(name)));
    }

    /** @return the baseline set with {@link #withBaseline}, if any (else each request's own model is) */
    public Optional<String> baseline() {
        return baseline;
    }

    /**
     * What an answer's tokens would have cost on the baseline, as the gateway measures it: the tokens (cached,
     * cache-write and output tokens each at the baseline's own price, long-context prices past its threshold) priced
     * on the {@linkplain #withBaseline configured baseline}, else on the model the request asked for. They are priced
     * on the tier that served the answer, unless Costwise chose the tier ({@link ChatRequest#callerServiceTier()},
     * set by {@link dev.costwise.llm.budget.OnServiceTier}): then on the tier the caller asked for, so a flex answer
     * shows what flex saved ({@link SavingsCalculator#baselineTier}). What the provider reported charging is not a
     * baseline's price: the tokens are priced. The answer is its own baseline ({@code paid}, no savings) when the
     * baseline is the model that was called on the same tier, and when the request's model is not in the catalog or
     * has no price.
     *
     * @param request the caller's request: the model it asked for, and whether Costwise chose its tier
     * @param calledModel the catalog model that was called
     * @param usage the answer's tokens, on the tier that served them
     * @param paid what the answer cost
     * @return the baseline cost
     */
    @Override
    public Money baselineCost(ChatRequest request, String calledModel, Usage usage, Money paid) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(calledModel, "calledModel");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(paid, "paid");
        Optional<ModelInfo> base = baseline.or(() -> Optional.of(request.model())).flatMap(catalog::find)
                .filter(info -> info.pricing().isPresent());
        Optional<String> called = catalog.find(calledModel).map(ModelInfo::name);
        boolean sameTier = SavingsCalculator.baselineTier(usage.serviceTier(), request.callerServiceTier())
                == usage.serviceTier();
        if (base.isEmpty() || (called.equals(base.map(ModelInfo::name)) && sameTier)) {
            return paid;
        }
        // base is priced (filtered above), so the tokens are priced on it directly, on the baseline's tier
        return price(base.get().name(), usage.withServiceTier(
                SavingsCalculator.baselineTier(usage.serviceTier(), request.callerServiceTier()))).cost();
    }

    /**
     * Fails when {@link #price} would fail for {@code model}: an unknown or unpriced model while unpriced models are
     * not allowed.
     *
     * @param model the catalog name or alias
     * @throws UnknownModelException if the model is not in the catalog and unpriced models are not allowed
     * @throws UnpricedModelException if the model has no price and unpriced models are not allowed
     */
    @Override
    public void requirePriceable(String model) {
        Objects.requireNonNull(model, "model");
        if (allowUnpriced) {
            return;
        }
        ModelInfo info = catalog.require(model);
        if (info.pricing().isEmpty()) {
            throw new UnpricedModelException(info.name());
        }
    }

    /**
     * The id to send for {@code model}, when the catalog lists it at {@code provider}: the name as the caller wrote
     * it whenever the provider knows the model by that name, the catalog's {@linkplain ModelInfo#upstreamModel()
     * upstream id} only where the name is the catalog's own.
     *
     * <ul>
     *   <li>An entry's name is the catalog's id for a deployment ({@code gemini-2.5-pro:free},
     *       {@code groq/gpt-oss-120b}): its upstream id.</li>
     *   <li>A local provider's model ({@link Builder#localProviders}) is known by the tag it was pulled or loaded
     *       under ({@code llama3.2}, {@code llama3.2:latest}): as written.</li>
     *   <li>An alias pinning a snapshot of the upstream id ({@code gpt-4o-2024-11-20} of {@code gpt-4o}): as
     *       written, so the pinned snapshot answers.</li>
     *   <li>Any other alias is the catalog's spelling ({@code claude-sonnet-4.5}, {@code groq/llama-3.3-70b-versatile},
     *       {@code deepseek-r1:free}): the upstream id.</li>
     * </ul>
     *
     * @param provider the adapter's provider id
     * @param model the catalog name or alias
     * @return the id to send, if the catalog knows the model at that provider
     */
    @Override
    public Optional<String> upstreamModel(String provider, String model) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        return catalog.find(model).filter(info -> info.provider().equals(provider)).map(info -> wireId(info, model));
    }

    private String wireId(ModelInfo info, String written) {
        if (written.equalsIgnoreCase(info.name())) {
            return info.upstreamModel();
        }
        if (localProviders.contains(info.provider()) || ModelSnapshots.pinsSnapshotOf(written, info.upstreamModel())) {
            return written;
        }
        return info.upstreamModel();
    }

    /**
     * The catalog's name of {@code model}: its own when {@code model} is an alias.
     *
     * @param model the catalog name or alias
     * @return the model's catalog name, or {@code model} when the catalog does not know it
     */
    @Override
    public String catalogName(String model) {
        Objects.requireNonNull(model, "model");
        return catalog.find(model).map(ModelInfo::name).orElse(model);
    }

    /**
     * The prices that apply to {@code usage}: those of the {@linkplain Usage#serviceTier() tier that served it}, and
     * within them the long-context prices when the prompt is above their threshold. A tier's prices hold their own
     * long-context prices, if any: OpenAI serves long prompts asked for on priority at the standard tier instead.
     * They are then multiplied by what the model bills the {@linkplain Usage#inferenceGeo() geography the call ran
     * in} at ({@link Pricing#inferenceGeoMultipliers()}: Anthropic's US-only inference, 1.1×), if anything.
     *
     * @param pricing the model's prices
     * @param usage the call's usage
     * @return the prices to bill at
     */
    public static Pricing effectivePricing(Pricing pricing, Usage usage) {
        Pricing tier = pricing.onTier(usage.serviceTier());
        return tier.longContext()
                .filter(lc -> usage.inputTokens() > lc.thresholdInputTokens())
                .map(Pricing.LongContextPricing::pricing)
                .orElse(tier)
                .times(pricing.inferenceGeoMultiplier(usage.inferenceGeo()));
    }

    /**
     * The exact cost of {@code usage} at {@code pricing} (no long-context selection: see {@link #effectivePricing}).
     *
     * @param pricing the prices
     * @param usage the usage
     * @return the cost
     */
    public static Money cost(Pricing pricing, Usage usage) {
        return pricing.inputPerMillion().perMillion(usage.uncachedInputTokens())
                .plus(pricing.cachedInputPerMillion().perMillion(usage.cachedInputTokens()))
                .plus(pricing.cacheWrite5mPerMillion().perMillion(usage.cacheWrite5mTokens()))
                .plus(pricing.cacheWrite1hPerMillion().perMillion(usage.cacheWrite1hTokens()))
                .plus(pricing.outputPerMillion().perMillion(usage.outputTokens()));
    }

    /**
     * How a call to {@code model} is priced, without pricing one: {@code PRICED}, {@code FREE_TIER}, {@code LOCAL} or
     * {@code UNPRICED}.
     *
     * @param model a catalog entry
     * @return its status
     */
    public PriceStatus statusOf(ModelInfo model) {
        if (model.pricing().isEmpty()) {
            return PriceStatus.UNPRICED;
        }
        return model.isFree() ? statusOfFree(model) : PriceStatus.PRICED;
    }

    private PriceStatus statusOfFree(ModelInfo info) {
        return localProviders.contains(info.provider()) ? PriceStatus.LOCAL : PriceStatus.FREE_TIER;
    }

    /** @return the catalog prices come from */
    public ModelCatalog catalog() {
        return catalog;
    }

    @Override
    public String toString() {
        return "CatalogPricer[" + catalog + (allowUnpriced ? ", unpriced allowed" : "")
                + baseline.map(b -> ", baseline " + b).orElse("") + "]";
    }

    /** Builds a {@link CatalogPricer}. Not thread-safe. */
    public static final class Builder {
        private final ModelCatalog catalog;
        private boolean allowUnpriced;
        private Set<String> localProviders = DEFAULT_LOCAL_PROVIDERS;

        private Builder(ModelCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
        }

        /**
         * Prices models with no known price (and models missing from the catalog) at $0 with status
         * {@link PriceStatus#UNPRICED} instead of failing. Default: such calls fail with
         * {@link UnpricedModelException} or {@link UnknownModelException}.
         *
         * @return this builder
         */
        public Builder allowUnpricedModels() {
            this.allowUnpriced = true;
            return this;
        }

        /**
         * Sets the providers whose free models are reported {@link PriceStatus#LOCAL} rather than
         * {@link PriceStatus#FREE_TIER}. Default: {@link #DEFAULT_LOCAL_PROVIDERS}.
         *
         * @param providers provider ids
         * @return this builder
         */
        public Builder localProviders(Set<String> providers) {
            this.localProviders = Set.copyOf(Objects.requireNonNull(providers, "providers"));
            return this;
        }

        /** @return the pricer */
        public CatalogPricer build() {
            return new CatalogPricer(catalog, allowUnpriced, localProviders, Optional.empty());
        }
    }
}
