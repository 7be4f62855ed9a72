package dev.costwise.core;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * One step of a workflow: takes an input, does its work (call a model, look up a cache, route, retry…) and returns an
 * output.
 *
 * <p>Primitives are synchronous and are meant to run on virtual threads: a blocking call reads top to bottom and costs
 * no platform thread while it waits. Decorators such as {@code Retry}, {@code Fallback} or {@code ResponseCache} take a
 * primitive and return one, so concerns stack: {@code cache.wrap(router)}.
 *
 * <p>Implementations must be thread-safe: one instance serves many concurrent calls. Everything a call learns about
 * itself (route taken, cache hit, attempts, cost) goes into the {@link WorkflowContext} passed with it.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
@FunctionalInterface
public interface Primitive<I, O> {

    /**
     * Runs this step.
     *
     * @param input the input; implementations reject {@code null} unless they document otherwise
     * @param context the context of the request this call belongs to; never {@code null}
     * @return the output
     * @throws CostwiseException when the step fails in a way Costwise knows (timeout, open circuit, all fallbacks
     *     failed…); other runtime exceptions from user code pass through unchanged
     */
    O execute(I input, WorkflowContext context);

    /**
     * Returns a primitive that runs this one and feeds its output to {@code next} (the spec's {@code >>}).
     *
     * @param next the step that consumes this step's output
     * @param <R> the output type of {@code next}
     * @return the sequential composition of the two steps
     */
    default <R> Primitive<I, R> then(Primitive<? super O, ? extends R> next) {
        Objects.requireNonNull(next, "next");
        return (input, context) -> next.execute(execute(input, context), context);
    }

    /**
     * Runs this step on a new virtual thread. A convenience on top of {@link #execute}; not a second implementation.
     *
     * @param input the input
     * @param context the request's context
     * @return a future completed with the output or the failure
     */
    default CompletableFuture<O> executeAsync(I input, WorkflowContext context) {
        return executeAsync(input, context, VirtualThreads.EXECUTOR);
    }

    /**
     * Runs this step on the given executor.
     *
     * @param input the input
     * @param context the request's context
     * @param executor where the call runs
     * @return a future completed with the output or the failure
     */
    default CompletableFuture<O> executeAsync(I input, WorkflowContext context, Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return CompletableFuture.supplyAsync(() -> execute(input, context), executor);
    }
}

/** Holder of the shared virtual-thread executor; a per-task executor keeps no pool to manage. */
final class VirtualThreads {
    static final Executor EXECUTOR = Executors.newVirtualThreadPerTaskExecutor();

    private VirtualThreads() {}
}
