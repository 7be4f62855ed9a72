package dev.costwise.core.composition;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Instrumented;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Steps run one after the other, each consuming the previous step's output (the spec's {@code >>}).
 *
 * <p>Built step by step so types line up: {@code Sequential.start("pipeline", classify).then("answer", answer)}. A
 * failing step stops the sequence and its failure propagates unchanged. Records a {@code step} event ({@code step},
 * {@code index}) before each step. Immutable and thread-safe; {@link #then} returns a new sequence.
 *
 * @param <I> input of the first step
 * @param <O> output of the last step
 */
public final class Sequential<I, O> implements Primitive<I, O> {

    private record Step(String name, Primitive<Object, Object> primitive) {}

    private final String name;
    private final List<Step> steps;
    private final PrimitiveMetrics metrics;

    private Sequential(String name, List<Step> steps, PrimitiveMetrics metrics) {
        this.name = name;
        this.steps = List.copyOf(steps);
        this.metrics = metrics;
    }

    /**
     * A sequence of one step.
     *
     * @param name names the sequence in records and metrics
     * @param stepName names the first step
     * @param first the first step
     * @param <I> its input
     * @param <O> its output
     * @return the sequence
     * @throws IllegalArgumentException if a name is blank
     */
    public static <I, O> Sequential<I, O> start(String name, String stepName, Primitive<I, O> first) {
        return new Sequential<I, O>(Checks.requireName(name), List.of(), PrimitiveMetrics.NONE).append(stepName, first);
    }

    /**
     * A new sequence with {@code next} appended.
     *
     * @param stepName names the step
     * @param next consumes this sequence's output
     * @param <R> the new output type
     * @return the longer sequence
     */
    public <R> Sequential<I, R> then(String stepName, Primitive<? super O, ? extends R> next) {
        return append(stepName, next);
    }

    /**
     * A copy that reports to {@code metrics}.
     *
     * @param metrics the metrics
     * @return the new sequence
     */
    public Sequential<I, O> metrics(PrimitiveMetrics metrics) {
        return new Sequential<>(name, steps, PrimitiveMetrics.failSafe(Objects.requireNonNull(metrics, "metrics")));
    }

    @SuppressWarnings("unchecked")
    private <R> Sequential<I, R> append(String stepName, Primitive<?, ?> next) {
        Checks.requireName(stepName);
        Objects.requireNonNull(next, "next");
        List<Step> longer = new ArrayList<>(steps);
        longer.add(new Step(stepName, (Primitive<Object, Object>) next));
        return new Sequential<>(name, longer, metrics);
    }

    /** @return the step names, in order */
    public List<String> stepNames() {
        return steps.stream().map(Step::name).toList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public O execute(I input, WorkflowContext context) {
        return Instrumented.call(metrics, name, "sequential", context, () -> {
            Object value = input;
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                context.record(name, "step", Attributes.of("step", step.name(), "index", i));
                value = step.primitive().execute(value, context);
            }
            return (O) value;
        });
    }
}
