package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one call spent, in all and, when its cost records say, at each model they name, so that a budget on one model
 * is charged only that model's share.
 *
 * @param total what the call cost
 * @param byModel the cost at each model, by the name the cost records give ({@code catalogModel}); empty when the call
 *     left no records and which model billed is unknown
 */
record Spend(Money total, Optional<Map<String, Money>> byModel) {

    Spend {
        Objects.requireNonNull(total, "total");
        byModel = byModel.map(Map::copyOf);
    }

    /** @return a spend whose model is unknown: every budget held for the call is charged all of it */
    static Spend unattributed(Money total) {
        return new Spend(total, Optional.empty());
    }
}
