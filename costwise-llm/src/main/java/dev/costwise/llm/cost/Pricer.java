package dev.costwise.llm.cost;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.util.Objects;

/**
 * Turns a call's usage into its exact cost. The catalog-backed implementation applies cached-input, cache-write and
 * long-context prices; adapters take a pricer so they can be tested with a fixed one.
 */
@FunctionalInterface
public interface Pricer {

    /**
     * Prices one call.
     *
     * @param model the catalog model name that answered
     * @param usage normalised usage (see {@link Usage})
     * @return the cost and how it is known
     * @throws dev.costwise.llm.catalog.UnknownModelException if the model has no price and unpriced models are not
     *     allowed
     */
    Priced price(String model, Usage usage);

    /**
     * A cost and how it is known.
     *
     * @param cost the cost
     * @param status priced, free tier, local, unpriced…
     */
    record Priced(Money cost, PriceStatus status) {
        public Priced {
            Objects.requireNonNull(cost, "cost");
            Objects.requireNonNull(status, "status");
        }
    }
}
