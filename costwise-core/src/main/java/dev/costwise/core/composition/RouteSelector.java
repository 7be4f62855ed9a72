package dev.costwise.core.composition;

import dev.costwise.core.WorkflowContext;

/**
 * Names the route an input should take. Must be fast, thread-safe and free of side effects, since
 * {@link Router#select} calls it without running anything.
 *
 * @param <I> input type
 */
@FunctionalInterface
public interface RouteSelector<I> {

    /**
     * Chooses a route.
     *
     * @param input the input
     * @param context the request's context
     * @return the route's name; an unknown name goes to the router's default route
     */
    String select(I input, WorkflowContext context);
}
