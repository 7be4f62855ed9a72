package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.Providers;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import java.util.Optional;

/**
 * Prices a model's usage from its configured price (or the well-known list price of its name), exactly, as the
 * library's {@link CatalogPricer} does: prompt-cache reads and five-minute and one-hour cache writes each at their own
 * price, and a model's long-context prices for a prompt above their threshold. Thread-safe and stateless.
 */
public final class CostCalculator {

    /**
     * The cost of {@code usage} on {@code model}.
     *
     * @param model the model that answered
     * @param usage the tokens
     * @return cost and how it is known
     */
    public Pricer.Priced price(Model model, Usage usage) {
        Optional<Pricing> price = priceOf(model);
        if (price.isEmpty()) {
            return new Pricer.Priced(Money.ZERO, PriceStatus.UNPRICED);
        }
        Money cost = CatalogPricer.cost(CatalogPricer.effectivePricing(price.get(), usage), usage);
        PriceStatus status = model.provider().equals(Providers.SIM) ? PriceStatus.SIMULATED
                : cost.isZero() ? PriceStatus.LOCAL : PriceStatus.PRICED;
        return new Pricer.Priced(cost, status);
    }

    /**
     * What an answer would have cost on the baseline: the baseline model's price for the same tokens, or what was
     * paid when there is no baseline or the baseline answered.
     *
     * @param baseline the model savings are measured against, if any
     * @param answered the model that answered
     * @param usage the tokens
     * @param paid what the answer cost
     * @return the baseline cost
     */
    public Money baselineCost(Optional<Model> baseline, Model answered, Usage usage, Money paid) {
        return baseline.filter(b -> !b.equals(answered)).map(b -> price(b, usage).cost()).orElse(paid);
    }

    /**
     * The worst-case cost of a call before it is made: every prompt token uncached plus the most output allowed.
     *
     * @param model the model
     * @param inputTokens estimated prompt tokens
     * @param maxOutputTokens the output limit
     * @return the cost
     */
    public Money worstCase(Model model, long inputTokens, long maxOutputTokens) {
        Usage worst = Usage.of(inputTokens, maxOutputTokens);
        return priceOf(model).map(p -> CatalogPricer.cost(CatalogPricer.effectivePricing(p, worst), worst))
                .orElse(Money.ZERO);
    }

    private static Optional<Pricing> priceOf(Model model) {
        return model.price().or(() -> EmbeddedDefaults.knownPrice(model.upstreamModel()));
    }
}
