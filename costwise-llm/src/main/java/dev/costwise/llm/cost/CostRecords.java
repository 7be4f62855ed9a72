package dev.costwise.llm.cost;

import dev.costwise.core.Money;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

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
    /** The step event a router records as it picks a route. */
    public static final String ROUTE_EVENT = "route";
    /** The attribute of that step naming the route. */
    public static final String ROUTE_ATTRIBUTE = "route";

    /** The metadata key of the attempt numbers the request's calls took so far. */
    private static final String ATTEMPTS_KEY = "costwise.cost.attempts";

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
        CostRecord routed = record.route().isPresent() ? record : record.withRoute(routeOf(context));
        return context.record(name, EVENT, Map.of(ATTRIBUTE, routed));
    }

    /**
     * The route a router chose for this request: the {@value #ROUTE_ATTRIBUTE} of the latest {@value #ROUTE_EVENT}
     * step in the context (the core {@code Router} and {@code BudgetAwareRouter} record one as they pick a route).
     * A router among calls running at the same time on one context routes each on its own
     * {@linkplain WorkflowContext#scope() scope} ({@code ChatRouter} does), whose latest route is its call's.
     *
     * @param context the request's context
     * @return the route, or empty when no router chose one
     */
    public static Optional<String> routeOf(WorkflowContext context) {
        Objects.requireNonNull(context, "context");
        List<StepRecord> routes = context.records(ROUTE_EVENT);
        for (int i = routes.size() - 1; i >= 0; i--) {
            Optional<String> route = routes.get(i).attribute(ROUTE_ATTRIBUTE, String.class);
            if (route.isPresent()) {
                return route;
            }
        }
        return Optional.empty();
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
     * Records again on {@code into}, in order, what a {@linkplain WorkflowContext#fork(String) fork} held back
     * recorded: a cost record as {@code rewrite} makes it, through {@link #record(WorkflowContext, String, CostRecord)}
     * so it gets {@code into}'s route as if it had been recorded there at once, and any other step as it was. How a
     * layer that decides an attempt's outcome only after the attempt (an escalation, a timeout) keeps one cost record
     * per attempt, with its final outcome.
     *
     * @param held the fork the attempt ran on
     * @param into the context the fork was made from
     * @param rewrite what to make of each cost record ({@link UnaryOperator#identity()} to keep them)
     */
    public static void rejoin(WorkflowContext held, WorkflowContext into, UnaryOperator<CostRecord> rewrite) {
        Objects.requireNonNull(into, "into");
        Objects.requireNonNull(rewrite, "rewrite");
        for (StepRecord step : held.records()) {
            Optional<CostRecord> cost = EVENT.equals(step.event())
                    ? step.attribute(ATTRIBUTE, CostRecord.class) : Optional.empty();
            if (cost.isEmpty()) {
                into.record(step.primitive(), step.event(), step.attributes());
            } else {
                record(into, step.primitive(), rewrite.apply(cost.get()));
            }
        }
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
     * The attempt number the next record of this request should carry: one more than the records so far, and unique
     * among every call on the context, its {@linkplain WorkflowContext#scope() scopes} and forks, even when calls
     * running at the same time take numbers at once (the count lives in the context's shared metadata).
     *
     * @param context the request's context
     * @return 1 for the first attempt
     */
    public static int nextAttempt(WorkflowContext context) {
        Objects.requireNonNull(context, "context");
        int recorded = of(context).size();
        AtomicInteger taken = (AtomicInteger) context.metadata().computeIfAbsent(ATTEMPTS_KEY,
                k -> new AtomicInteger());
        return taken.updateAndGet(n -> Math.max(n, recorded) + 1);
    }
}
