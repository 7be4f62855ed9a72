package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The cost records one call appends to its request's context. The call runs on its own
 * {@linkplain WorkflowContext#scope() scope} of the context, so calls running at the same time on one context are
 * each charged their own records only; the records land in the request's context all the same.
 */
final class CallCosts {

    private final WorkflowContext scope;

    private CallCosts(WorkflowContext scope) {
        this.scope = scope;
    }

    /** @return the tracker of a call about to run on {@code context} */
    static CallCosts start(WorkflowContext context) {
        return new CallCosts(context.scope());
    }

    /** @return the context to run the call on */
    WorkflowContext context() {
        return scope;
    }

    /**
     * @return the total of the cost records the call appended so far, and each model's share of it (by the records'
     *     {@code catalogModel}), if it appended any
     */
    Optional<Spend> spend() {
        Money total = Money.ZERO;
        Map<String, Money> byModel = new LinkedHashMap<>();
        for (StepRecord r : scope.ownRecords(CostRecords.EVENT)) { // the scope is the call's own: its records only
            Optional<CostRecord> cost = r.attribute(CostRecords.ATTRIBUTE, CostRecord.class);
            if (cost.isPresent()) {
                total = total.plus(cost.get().cost());
                byModel.merge(cost.get().catalogModel(), cost.get().cost(), Money::plus);
            }
        }
        return byModel.isEmpty() ? Optional.empty() : Optional.of(new Spend(total, Optional.of(byModel)));
    }
}
