package dev.costwise.llm.cost;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Usage;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a call's usage into its exact cost. The catalog-backed implementation applies cached-input, cache-write and
 * long-context prices; adapters take a pricer so they can be tested with a fixed one.
 *
 * <p>{@link #price} prices tokens on a model, whatever the usage says its provider charged: that is what a baseline
 * or an estimate needs. {@link #priceCall} prices a call that was made, and takes the provider's own figure when it
 * reported one.
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
     * Prices a call that was made: what its provider reported charging ({@link Usage#reportedCost()}), exactly and
     * with status {@link PriceStatus#PROVIDER_REPORTED}, when it reported it; otherwise {@link #price}.
     *
     * @param model the catalog model name that answered
     * @param usage the call's usage
     * @return the cost and how it is known
     * @throws dev.costwise.llm.catalog.UnknownModelException if the provider reported no cost and {@link #price}
     *     fails for the model
     */
    default Priced priceCall(String model, Usage usage) {
        Objects.requireNonNull(model, "model");
        return Priced.reportedIn(usage).orElseGet(() -> price(model, usage));
    }

    /**
     * Checks, before any call is made, that calls to {@code model} can be priced, so an adapter refuses to build
     * instead of calling (and being billed by) a provider and then throwing the answer away. Default: every model can
     * be priced.
     *
     * @param model the catalog model name an adapter is built for
     * @throws dev.costwise.llm.catalog.UnknownModelException if {@link #price} would fail for an unknown model
     * @throws UnpricedModelException if {@link #price} would fail for a model with no price
     */
    default void requirePriceable(String model) {
        Objects.requireNonNull(model, "model");
    }

    /**
     * The id {@code provider} knows {@code model} by, when this pricer's catalog lists the model at that provider
     * under another id (a free-tier entry such as {@code gemini-2.5-pro:free} is {@code gemini-2.5-pro} on the wire);
     * a name the provider knows itself (a pinned snapshot, an Ollama tag) stays as the caller wrote it. Adapters send
     * this id and keep pricing and naming by {@code model}. Default: none.
     *
     * @param provider the adapter's provider id
     * @param model the catalog model name an adapter is built for
     * @return the id to send, or empty to send {@code model} as it is
     */
    default Optional<String> upstreamModel(String provider, String model) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        return Optional.empty();
    }

    /**
     * The name this pricer's catalog lists {@code model} under: an alias ({@code claude-haiku-4.5}, a pinned snapshot
     * such as {@code gpt-4o-2024-08-06}) resolves to its model's name ({@code claude-haiku-4-5}, {@code gpt-4o}), the
     * name budgets, the ledger and metrics count calls under ({@link CostRecord#catalogModel()}). Default:
     * {@code model} as it is.
     *
     * @param model a catalog name or alias
     * @return the catalog's name for it, or {@code model} when the catalog does not know it
     */
    default String catalogName(String model) {
        return Objects.requireNonNull(model, "model");
    }

    /**
     * What an answer's tokens would have cost on the baseline model: a {@link CostRecord}'s {@code baselineCost},
     * which its {@linkplain CostRecord#savings() savings} are measured against. Adapters ask for it for every answer,
     * and for every stream that ended early or broke after it started (its partial usage); a failed call has none.
     * Default: {@code paid}, so a pricer that knows no baseline claims no savings. {@link CatalogPricer} prices the
     * tokens on its {@linkplain CatalogPricer#withBaseline configured baseline}, else on the model the caller asked
     * for, as the gateway measures savings.
     *
     * @param request the caller's request: the model it asked for, and the tier it asked for when Costwise chose
     *     another ({@link ChatRequest#callerServiceTier()})
     * @param calledModel the catalog model that was called
     * @param usage the answer's tokens, on the tier that served them
     * @param paid what the answer cost
     * @return the baseline cost
     */
    default Money baselineCost(ChatRequest request, String calledModel, Usage usage, Money paid) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(calledModel, "calledModel");
        Objects.requireNonNull(usage, "usage");
        return Objects.requireNonNull(paid, "paid");
    }

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

        /**
         * The cost a call's provider reported charging for it, if it did.
         *
         * @param usage the call's usage
         * @return its {@link Usage#reportedCost()} with status {@link PriceStatus#PROVIDER_REPORTED}, or empty
         */
        public static Optional<Priced> reportedIn(Usage usage) {
            return usage.reportedCost().map(c -> new Priced(c, PriceStatus.PROVIDER_REPORTED));
        }
    }
}
