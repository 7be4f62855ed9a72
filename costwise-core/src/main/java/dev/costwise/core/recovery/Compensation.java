package dev.costwise.core.recovery;

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
 * A saga: steps run in order, each passing its output to the next; when a step fails, the compensations of the steps
 * already completed run in reverse order, and the step's failure is rethrown.
 *
 * <p>Each compensation receives the output of the step it undoes (a reservation id, a charge). A compensation that
 * throws does not stop the others; its failure is attached to the original failure as a
 * {@linkplain Throwable#getSuppressed() suppressed} exception, so nothing is lost.
 *
 * <p>Records {@code saga_step} ({@code step}) after each completed step, {@code saga_failed} ({@code step}) and one
 * {@code compensate} event ({@code step}, {@code outcome}: {@code ok|failed}) per compensation. Thread-safe if its
 * steps are.
 *
 * <pre>{@code
 * Compensation<Order> saga = Compensation.<Order>builder("checkout")
 *     .step("reserve", reserve, (order, ctx) -> release(order))
 *     .step("charge", charge, (order, ctx) -> refund(order))
 *     .build();
 * }</pre>
 *
 * @param <T> the state passed from step to step
 */
public final class Compensation<T> implements Primitive<T, T> {

    /**
     * Undoes one completed step.
     *
     * @param <T> the step's output type
     */
    @FunctionalInterface
    public interface Compensator<T> {
        /**
         * Undoes the step.
         *
         * @param stepOutput what the step returned
         * @param context the request's context
         */
        void compensate(T stepOutput, WorkflowContext context);
    }

    private record Step<T>(String name, Primitive<T, T> action, Compensator<T> compensator) {}

    private final String name;
    private final List<Step<T>> steps;
    private final PrimitiveMetrics metrics;

    private Compensation(Builder<T> b) {
        this.name = b.name;
        this.steps = List.copyOf(b.steps);
        this.metrics = PrimitiveMetrics.failSafe(b.metrics);
    }

    /**
     * Starts building a saga.
     *
     * @param name names the saga in records, metrics and errors
     * @param <T> the state type
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <T> Builder<T> builder(String name) {
        return new Builder<>(Checks.requireName(name));
    }

    @Override
    public T execute(T input, WorkflowContext context) {
        return Instrumented.call(metrics, name, "compensation", context, () -> run(input, context));
    }

    private T run(T input, WorkflowContext context) {
        List<Step<T>> done = new ArrayList<>();
        List<T> outputs = new ArrayList<>();
        T value = input;
        for (Step<T> step : steps) {
            try {
                value = step.action().execute(value, context);
            } catch (RuntimeException failure) {
                context.record(name, "saga_failed", Attributes.of("step", step.name()));
                compensate(done, outputs, context, failure);
                throw failure;
            }
            done.add(step);
            outputs.add(value);
            context.record(name, "saga_step", Attributes.of("step", step.name()));
        }
        return value;
    }

    private void compensate(List<Step<T>> done, List<T> outputs, WorkflowContext context, RuntimeException failure) {
        for (int i = done.size() - 1; i >= 0; i--) {
            Step<T> step = done.get(i);
            try {
                step.compensator().compensate(outputs.get(i), context);
                context.record(name, "compensate", Attributes.of("step", step.name(), "outcome", "ok"));
            } catch (RuntimeException compensationFailure) {
                failure.addSuppressed(compensationFailure);
                context.record(name, "compensate", Attributes.of("step", step.name(), "outcome", "failed"));
            }
        }
    }

    /**
     * Builds a {@link Compensation}. Not thread-safe.
     *
     * @param <T> the state type
     */
    public static final class Builder<T> {
        private final String name;
        private final List<Step<T>> steps = new ArrayList<>();
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Adds a step.
         *
         * @param stepName names the step; unique within the saga
         * @param action the step
         * @param compensator undoes the step, given its output
         * @return this builder
         * @throws IllegalArgumentException if {@code stepName} is blank or already used
         */
        public Builder<T> step(String stepName, Primitive<T, T> action, Compensator<T> compensator) {
            Checks.requireName(stepName);
            Checks.requireArgument(steps.stream().noneMatch(s -> s.name().equals(stepName)),
                    "step name must be unique in saga '%s', '%s' was already used", name, stepName);
            steps.add(new Step<>(stepName, Objects.requireNonNull(action, "action"),
                    Objects.requireNonNull(compensator, "compensator")));
            return this;
        }

        /**
         * Sets where calls are reported. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder<T> metrics(PrimitiveMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * @return the saga
         * @throws IllegalStateException if no step was added
         */
        public Compensation<T> build() {
            Checks.requireState(!steps.isEmpty(), "saga '%s' needs at least one step, had 0", name);
            return new Compensation<>(this);
        }
    }
}
