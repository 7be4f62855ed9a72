package dev.costwise.llm.cost;

import dev.costwise.core.CostwiseException;

/**
 * A model is in the catalog but has no known price, and the pricer was not told to allow unpriced models. Costwise
 * never prices such a call at a silent $0: either add a price (a catalog override) or allow unpriced models, and the
 * cost record then says {@link PriceStatus#UNPRICED}.
 */
public final class UnpricedModelException extends CostwiseException {
    private final String model;

    /**
     * @param model the model with no price
     */
    public UnpricedModelException(String model) {
        super("model '" + model + "' has no known price; add one with ModelCatalogs.builder().override(\"" + model
                + "\", pricing) or build the pricer with allowUnpricedModels()");
        this.model = model;
    }

    /** @return the model with no price */
    public String model() {
        return model;
    }
}
