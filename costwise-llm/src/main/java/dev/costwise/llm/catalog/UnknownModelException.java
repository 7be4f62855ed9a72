package dev.costwise.llm.catalog;

import dev.costwise.core.CostwiseException;
import java.util.List;

/** A model name that is neither in the catalog nor an alias of a catalog entry. */
public final class UnknownModelException extends CostwiseException {
    private final String model;

    /**
     * @param model the unknown name
     * @param suggestions close known names, best first
     */
    public UnknownModelException(String model, List<String> suggestions) {
        super("unknown model '" + model + "'"
                + (suggestions.isEmpty() ? "" : "; did you mean " + String.join(", ", suggestions) + "?"));
        this.model = model;
    }

    /** @return the name that was not found */
    public String model() {
        return model;
    }
}
