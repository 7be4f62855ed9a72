package dev.costwise.core.internal;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.PrimitiveMetrics;

/** Times a call on the context's ticker and reports it to metrics. Not public API. */
public final class Instrumented {

    private Instrumented() {}

    /** The body of a timed call. */
    @FunctionalInterface
    public interface Body<O> {
        /** @return the call's output */
        O run();
    }

    /**
     * Runs {@code body} and reports its duration and outcome.
     *
     * @param metrics where to report; {@link PrimitiveMetrics#NONE} skips timing entirely
     * @param name the primitive's name
     * @param type the primitive's kind
     * @param context the request's context, whose ticker times the call
     * @param body the call
     * @param <O> the output type
     * @return what the body returned
     */
    public static <O> O call(PrimitiveMetrics metrics, String name, String type, WorkflowContext context, Body<O> body) {
        if (metrics == PrimitiveMetrics.NONE) {
            return body.run();
        }
        long start = context.ticker().read();
        boolean success = false;
        try {
            O out = body.run();
            success = true;
            return out;
        } finally {
            metrics.onCall(name, type, context.ticker().read() - start, success);
        }
    }
}
