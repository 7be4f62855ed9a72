package dev.costwise.core.composition;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.DeadlineExceededException;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Failures;
import dev.costwise.core.internal.Instrumented;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs named branches on the same input at once, each on its own virtual thread (the spec's {@code |}).
 *
 * <p>Each branch runs on {@link WorkflowContext#fork(String) ctx.fork(branchName)}; when the parallel step ends, every
 * branch's records are {@linkplain WorkflowContext#merge merged} into the parent context, marked with the branch name,
 * in declaration order. Two modes:
 * <ul>
 *   <li>{@link Mode#FAIL_FAST} (default): the first failure interrupts the sibling branches and is rethrown; the
 *       failures of siblings that had already failed are attached as suppressed.</li>
 *   <li>{@link Mode#COLLECT_ALL}: waits for every branch and returns successes and failures side by side.</li>
 * </ul>
 * The wait respects the context's deadline: when it passes, the branches are interrupted and a
 * {@link DeadlineExceededException} is thrown. Records {@code parallel} ({@code branches}, {@code failed}). Thread-safe.
 *
 * <pre>{@code
 * Parallel<String, String> both = Parallel.<String, String>builder("compare")
 *     .branch("cheap", cheapModel).branch("premium", premiumModel).mode(Parallel.Mode.COLLECT_ALL).build();
 * }</pre>
 *
 * @param <I> input type shared by the branches
 * @param <O> output type of each branch
 */
public final class Parallel<I, O> implements Primitive<I, BranchResults<O>> {

    /** How a parallel step treats a failing branch. */
    public enum Mode {
        /** The first failure cancels the other branches and is thrown. */
        FAIL_FAST,
        /** Every branch runs to the end; failures are returned with the successes. */
        COLLECT_ALL
    }

    private final String name;
    private final Map<String, Primitive<I, O>> branches;
    private final Mode mode;
    private final PrimitiveMetrics metrics;

    private Parallel(Builder<I, O> b) {
        this.name = b.name;
        this.branches = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.branches));
        this.mode = b.mode;
        this.metrics = PrimitiveMetrics.failSafe(b.metrics);
    }

    /**
     * Starts building a parallel step.
     *
     * @param name names the step in records and metrics
     * @param <I> input type
     * @param <O> branch output type
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <I, O> Builder<I, O> builder(String name) {
        return new Builder<>(Checks.requireName(name));
    }

    /** @return the mode */
    public Mode mode() {
        return mode;
    }

    @Override
    public BranchResults<O> execute(I input, WorkflowContext context) {
        return Instrumented.call(metrics, name, "parallel", context, () -> run(input, context));
    }

    private BranchResults<O> run(I input, WorkflowContext context) {
        List<String> names = new ArrayList<>(branches.keySet());
        Map<String, WorkflowContext> forks = new LinkedHashMap<>();
        Map<Future<O>, String> futures = new LinkedHashMap<>();
        Map<String, O> values = new LinkedHashMap<>();
        Map<String, Throwable> failures = new LinkedHashMap<>();
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("costwise-parallel-" + name + "-", 0).factory());
        CompletionService<O> completion = new ExecutorCompletionService<>(executor);
        try {
            for (String branch : names) {
                WorkflowContext fork = context.fork(branch);
                forks.put(branch, fork);
                Primitive<I, O> p = branches.get(branch);
                futures.put(completion.submit(() -> p.execute(input, fork)), branch);
            }
            for (int done = 0; done < names.size(); done++) {
                Future<O> f = next(completion, context);
                if (f == null) {
                    cancelAll(futures.keySet());
                    throw new DeadlineExceededException(name, Duration.ZERO);
                }
                String branch = futures.get(f);
                try {
                    values.put(branch, f.get());
                } catch (ExecutionException e) {
                    Throwable cause = Failures.unwrap(e);
                    failures.put(branch, cause);
                    if (mode == Mode.FAIL_FAST) {
                        cancelAll(futures.keySet());
                        throw Failures.propagate(cause);
                    }
                }
            }
            return new BranchResults<>(ordered(names, values), ordered(names, failures));
        } catch (InterruptedException e) {
            cancelAll(futures.keySet());
            Thread.currentThread().interrupt();
            throw new CallInterruptedException(name, e);
        } finally {
            executor.shutdownNow();
            forks.values().forEach(context::merge);
            context.record(name, "parallel", Attributes.of("branches", names.size(), "failed", failures.size()));
        }
    }

    private Future<O> next(CompletionService<O> completion, WorkflowContext context) throws InterruptedException {
        Optional<Duration> remaining = context.remaining();
        if (remaining.isEmpty()) {
            return completion.take();
        }
        return completion.poll(Checks.toNanosSaturated(remaining.get()), TimeUnit.NANOSECONDS);
    }

    private static void cancelAll(Iterable<? extends Future<?>> futures) {
        for (Future<?> f : futures) {
            f.cancel(true);
        }
    }

    private static <V> Map<String, V> ordered(List<String> names, Map<String, V> map) {
        Map<String, V> out = new LinkedHashMap<>();
        for (String n : names) {
            if (map.containsKey(n)) {
                out.put(n, map.get(n));
            }
        }
        return out;
    }

    /**
     * Builds a {@link Parallel}. Not thread-safe.
     *
     * @param <I> input type
     * @param <O> branch output type
     */
    public static final class Builder<I, O> {
        private final String name;
        private final Map<String, Primitive<I, O>> branches = new LinkedHashMap<>();
        private Mode mode = Mode.FAIL_FAST;
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Adds a branch.
         *
         * @param branchName names the branch; unique; marks the branch's records in the parent context
         * @param primitive the branch
         * @return this builder
         * @throws IllegalArgumentException if {@code branchName} is blank or already used
         */
        public Builder<I, O> branch(String branchName, Primitive<I, O> primitive) {
            Checks.requireName(branchName);
            Checks.requireArgument(!branches.containsKey(branchName),
                    "branch name must be unique in parallel '%s', '%s' was already used", name, branchName);
            branches.put(branchName, Objects.requireNonNull(primitive, "primitive"));
            return this;
        }

        /**
         * Sets the failure mode. Default {@link Mode#FAIL_FAST}.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder<I, O> mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets where calls are reported. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder<I, O> metrics(PrimitiveMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * @return the parallel step
         * @throws IllegalStateException if no branch was added
         */
        public Parallel<I, O> build() {
            Checks.requireState(!branches.isEmpty(), "parallel '%s' needs at least one branch, had 0", name);
            return new Parallel<>(this);
        }
    }
}
