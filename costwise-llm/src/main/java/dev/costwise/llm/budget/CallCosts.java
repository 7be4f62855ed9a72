package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.cost.CostRecord;
import java.util.List;
import java.util.Optional;

/** Reads the cost records a call appended to its context (event {@code cost}, attribute {@code record}). */
final class CallCosts {

    static final String EVENT = "cost";
    static final String ATTRIBUTE = "record";

    private CallCosts() {}

    /** @return how many cost records the context holds now; the mark to pass to {@link #since} */
    static int mark(WorkflowContext context) {
        return context.records(EVENT).size();
    }

    /** @return the total of the cost records appended after {@code mark}, if there are any */
    static Optional<Money> since(WorkflowContext context, int mark) {
        List<StepRecord> all = context.records(EVENT);
        if (all.size() <= mark) {
            return Optional.empty();
        }
        Money total = Money.ZERO;
        boolean any = false;
        for (StepRecord r : all.subList(mark, all.size())) {
            Optional<CostRecord> cost = r.attribute(ATTRIBUTE, CostRecord.class);
            if (cost.isPresent()) {
                total = total.plus(cost.get().cost());
                any = true;
            }
        }
        return any ? Optional.of(total) : Optional.empty();
    }
}
