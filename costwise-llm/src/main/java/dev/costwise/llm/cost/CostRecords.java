package dev.costwise.llm.cost;

import dev.costwise.core.Money;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one convention for putting {@link CostRecord}s into a {@link WorkflowContext} and reading them back: every billed
 * attempt is a step record with event {@value #EVENT} whose attribute {@value #ATTRIBUTE} holds the cost record.
 *
 * <pre>{@code
 * CostRecords.record(ctx, "gpt-4o", costRecord);     // in a model or adapter, after each attempt
 * List<CostRecord> attempts = CostRecords.of(ctx);   // in a budget, ledger writer or report
 * Money spent = CostRecords.total(ctx);
 * }</pre>
 */
public final class CostRecords {

    /** The step event a cost record is stored under. */
    public static final String EVENT = "cost";
    /** The attribute of that step holding the {@link CostRecord}. */
    public static final String ATTRIBUTE = "record";

    private CostRecords() {}

    /**
     * Appends {@code record} to the context as step {@value #EVENT} of primitive {@code name}.
     *
     * @param context the request's context
     * @param name the recording primitive's name (usually the model's {@code name()})
     * @param record the attempt's cost
     * @return the step record appended
     */
    public static StepRecord record(WorkflowContext context, String name, CostRecord record) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(record, "record");
        return context.record(name, EVENT, Map.of(ATTRIBUTE, record));
    }

    /**
     * Appends {@code record}, naming the step after the model that answered ({@link CostRecord#usedModel()}).
     *
     * @param context the request's context
     * @param record the attempt's cost
     * @return the step record appended
     */
    public static StepRecord record(WorkflowContext context, CostRecord record) {
        return record(context, record.usedModel(), record);
    }

    /**
     * Every cost record of the request so far, in the order they were recorded (merged branches included).
     *
     * @param context the request's context
     * @return the records
     */
    public static List<CostRecord> of(WorkflowContext context) {
        Objects.requireNonNull(context, "context");
        return context.records(EVENT).stream()
                .flatMap(r -> r.attribute(ATTRIBUTE, CostRecord.class).stream())
                .toList();
    }

    /**
     * The sum of the cost of every record of the request so far, wasted attempts included.
     *
     * @param context the request's context
     * @return the total
     */
    public static Money total(WorkflowContext context) {
        return of(context).stream().map(CostRecord::cost).reduce(Money.ZERO, Money::plus);
    }

    /**
     * The attempt number the next record of this request should carry: one more than the records so far.
     *
     * @param context the request's context
     * @return 1 for the first attempt
     */
    public static int nextAttempt(WorkflowContext context) {
        return of(context).size() + 1;
    }
}
