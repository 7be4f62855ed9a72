package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import java.util.Objects;

/**
 * Prices usage from the catalog's per-million prices: uncached input, cached input, cache writes (5-minute price) and
 * output, switching to long-context prices above their threshold. The orchestration default when no pricer is given.
 */
final class CatalogPricer implements Pricer {
    private final ModelCatalog catalog;

    CatalogPricer(ModelCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    @Override
    public Priced price(String model, Usage usage) {
        ModelInfo info = catalog.require(model);
        if (info.pricing().isEmpty()) {
            return new Priced(Money.ZERO, PriceStatus.UNPRICED);
        }
        Pricing p = info.pricing().get();
        if (p.isFree()) {
            return new Priced(Money.ZERO, info.freeTier().isPresent() ? PriceStatus.FREE_TIER : PriceStatus.LOCAL);
        }
        if (p.longContext().isPresent() && usage.inputTokens() > p.longContext().get().thresholdInputTokens()) {
            p = p.longContext().get().pricing();
        }
        Money cost = p.inputPerMillion().perMillion(usage.uncachedInputTokens())
                .plus(p.cachedInputPerMillion().perMillion(usage.cachedInputTokens()))
                .plus(p.cacheWrite5mPerMillion().perMillion(usage.cacheWriteTokens()))
                .plus(p.outputPerMillion().perMillion(usage.outputTokens()));
        return new Priced(cost, PriceStatus.PRICED);
    }
}
