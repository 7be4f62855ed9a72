package dev.costwise.core.recovery;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.FailureClassifier;
import dev.costwise.core.FailureVerdict;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Instrumented;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tries a primary target, then fallbacks in order, moving on only when the classifier calls the failure
 * {@code fallbackable}.
 *
 * <p>A {@link CircuitOpenException} always moves on (the target's breaker is open, it was skipped without a call, and
 * no attempt of the request's {@link AttemptBudget} is used). Every move to a further target takes one attempt from
 * the {@link AttemptBudget}, if the request has one. A failure that is not fallbackable is rethrown at once. When every
 * target fails, one {@link AllFallbacksFailedException} carries every cause. {@link AttemptBudgetExceededException} and
 * {@link dev.costwise.core.CallInterruptedException} always propagate at once.
 *
 * <p>Records one {@code fallback} event per target tried: attributes {@code target}, {@code outcome}
 * ({@code answered}; {@code skipped} for a target passed over; {@code failed} for one whose failure was not
 * fallbackable and ended the chain) and {@code reason} ({@code ok}, or the classifier's reason, or
 * {@code circuit_open}). Thread-safe.
 *
 * <pre>{@code
 * Primitive<Req, Resp> llm = Fallback.<Req, Resp>builder("llm")
 *     .primary("gpt-4o", gpt).fallback("claude", claude).fallback("local", local)
 *     .classifier(providerErrors).build();
 * }</pre>
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class Fallback<I, O> implements Primitive<I, O> {

    private final String name;
    private final List<Target<I, O>> targets;
    private final FailureClassifier classifier;
    private final PrimitiveMetrics metrics;

    private record Target<I, O>(String name, Primitive<I, O> primitive) {}

    private Fallback(Builder<I, O> b) {
        this.name = b.name;
        this.targets = List.copyOf(b.targets);
        this.classifier = b.classifier;
        this.metrics = PrimitiveMetrics.failSafe(b.metrics);
    }

    /**
     * Starts building a fallback.
     *
     * @param name names the fallback in records, metrics and errors
     * @param <I> input type
     * @param <O> output type
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <I, O> Builder<I, O> builder(String name) {
        return new Builder<>(Checks.requireName(name));
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /** @return the target names, primary first */
    public List<String> targetNames() {
        return targets.stream().map(Target::name).toList();
    }

    @Override
    public O execute(I input, WorkflowContext context) {
        return Instrumented.call(metrics, name, "fallback", context, () -> run(input, context));
    }

    private O run(I input, WorkflowContext context) {
        Map<String, Throwable> causes = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        RuntimeException last = null;
        for (int i = 0; i < targets.size(); i++) {
            Target<I, O> target = targets.get(i);
            if (i > 0) {
                AttemptBudget.consume(context, name, last);
            }
            try {
                O out = target.primitive().execute(input, context);
                note(context, target.name(), "answered", "ok");
                return out;
            } catch (AttemptBudgetExceededException | CallInterruptedException e) {
                throw e;
            } catch (CircuitOpenException e) {
                if (i > 0) {
                    AttemptBudget.refund(context);
                }
                last = e;
                causes.put(target.name(), e);
                reasons.put(target.name(), "circuit_open");
                note(context, target.name(), "skipped", "circuit_open");
            } catch (RuntimeException e) {
                FailureVerdict verdict = classifier.classify(e);
                if (!verdict.fallbackable()) {
                    note(context, target.name(), "failed", verdict.reason()); // ends the chain: nothing skipped to
                    throw e;
                }
                note(context, target.name(), "skipped", verdict.reason());
                last = e;
                causes.put(target.name(), e);
                reasons.put(target.name(), verdict.reason());
            }
        }
        throw new AllFallbacksFailedException(name, causes, reasons);
    }

    private void note(WorkflowContext context, String target, String outcome, String reason) {
        context.record(name, "fallback", Attributes.of("target", target, "outcome", outcome, "reason", reason));
        metrics.onFallback(name, target, outcome, reason);
    }

    @Override
    public String toString() {
        return "Fallback[" + name + ", targets=" + targetNames() + "]";
    }

    /**
     * Builds a {@link Fallback}. Not thread-safe.
     *
     * @param <I> input type
     * @param <O> output type
     */
    public static final class Builder<I, O> {
        private final String name;
        private final List<Target<I, O>> targets = new ArrayList<>();
        private boolean hasPrimary;
        private FailureClassifier classifier = FailureClassifier.ofDefaults();
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Sets the primary target, tried first. Required.
         *
         * @param targetName names the target in records and errors
         * @param primitive the target
         * @return this builder
         * @throws IllegalStateException if the primary was already set
         */
        public Builder<I, O> primary(String targetName, Primitive<I, O> primitive) {
            Checks.requireState(!hasPrimary, "primary of fallback '%s' was already set to '%s'", name,
                    hasPrimary ? targets.get(0).name() : "");
            targets.add(0, target(targetName, primitive));
            hasPrimary = true;
            return this;
        }

        /**
         * Adds a fallback target, tried after the primary and earlier fallbacks.
         *
         * @param targetName names the target; unique within this fallback
         * @param primitive the target, possibly wrapped by a {@link CircuitBreaker}
         * @return this builder
         * @throws IllegalArgumentException if {@code targetName} is blank or already used
         */
        public Builder<I, O> fallback(String targetName, Primitive<I, O> primitive) {
            targets.add(target(targetName, primitive));
            return this;
        }

        private Target<I, O> target(String targetName, Primitive<I, O> primitive) {
            Checks.requireName(targetName);
            Objects.requireNonNull(primitive, "primitive");
            Checks.requireArgument(targets.stream().noneMatch(t -> t.name().equals(targetName)),
                    "target name must be unique in fallback '%s', '%s' was already used", name, targetName);
            return new Target<>(targetName, primitive);
        }

        /**
         * Sets what moves on to the next target. Default {@link FailureClassifier#ofDefaults()}: a failure that
         * classifies itself (a provider's) decides, so a caller's mistake such as an invalid request or a rejected
         * key fails at once instead of being sent to every target; any other exception moves on.
         *
         * @param classifier the classifier; only {@code fallbackable} failures move on
         * @return this builder
         */
        public Builder<I, O> classifier(FailureClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /**
         * Sets where calls and per-target outcomes are reported. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder<I, O> metrics(PrimitiveMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * @return the fallback
         * @throws IllegalStateException if no primary was set
         */
        public Fallback<I, O> build() {
            Checks.requireState(hasPrimary, "fallback '%s' needs a primary target, had none (targets: %s)", name,
                    targets.stream().map(Target::name).toList());
            return new Fallback<>(this);
        }
    }
}
