package dev.costwise.core.composition;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Instrumented;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * Runs one of two primitives depending on a predicate over the input and context.
 *
 * <p>Records a {@code condition} event ({@code branch}: {@code then} or {@code else}). Thread-safe if its parts are.
 *
 * <pre>{@code
 * Primitive<Req, Resp> p = Conditional.of("long-prompt", (req, ctx) -> req.tokens() > 4000, bigModel, smallModel);
 * }</pre>
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class Conditional<I, O> implements Primitive<I, O> {

    private final String name;
    private final BiPredicate<? super I, WorkflowContext> predicate;
    private final Primitive<I, O> then;
    private final Primitive<I, O> otherwise;
    private final PrimitiveMetrics metrics;

    private Conditional(String name, BiPredicate<? super I, WorkflowContext> predicate, Primitive<I, O> then,
            Primitive<I, O> otherwise, PrimitiveMetrics metrics) {
        this.name = Checks.requireName(name);
        this.predicate = Objects.requireNonNull(predicate, "predicate");
        this.then = Objects.requireNonNull(then, "then");
        this.otherwise = Objects.requireNonNull(otherwise, "otherwise");
        this.metrics = PrimitiveMetrics.failSafe(Objects.requireNonNull(metrics, "metrics"));
    }

    /**
     * A conditional step.
     *
     * @param name names the step in records and metrics
     * @param predicate chooses {@code then} when true
     * @param then runs when the predicate holds
     * @param otherwise runs when it does not
     * @param <I> input type
     * @param <O> output type
     * @return the step
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <I, O> Conditional<I, O> of(String name, BiPredicate<? super I, WorkflowContext> predicate,
            Primitive<I, O> then, Primitive<I, O> otherwise) {
        return new Conditional<>(name, predicate, then, otherwise, PrimitiveMetrics.NONE);
    }

    /**
     * A copy that reports to {@code metrics}.
     *
     * @param metrics the metrics
     * @return the new step
     */
    public Conditional<I, O> metrics(PrimitiveMetrics metrics) {
        return new Conditional<>(name, predicate, then, otherwise, metrics);
    }

    @Override
    public O execute(I input, WorkflowContext context) {
        return Instrumented.call(metrics, name, "conditional", context, () -> {
            boolean holds = predicate.test(input, context);
            context.record(name, "condition", Attributes.of("branch", holds ? "then" : "else"));
            return (holds ? then : otherwise).execute(input, context);
        });
    }
}
