package dev.costwise.core.performance;

import dev.costwise.core.WorkflowContext;

/**
 * Computes a {@link ResponseCache} key. The key must capture everything that changes the output (the whole canonical
 * request, not a prefix of it) and have proper {@code equals}/{@code hashCode}. Must be fast and thread-safe.
 *
 * @param <I> input type
 */
@FunctionalInterface
public interface CacheKeyFunction<I> {

    /**
     * @param input the input
     * @param context the request's context (for example to scope keys per tenant)
     * @return the key; {@code null} means "do not cache this call"
     */
    Object key(I input, WorkflowContext context);

    /**
     * The input itself is the key.
     *
     * @param <I> input type
     * @return the identity key function
     */
    static <I> CacheKeyFunction<I> identity() {
        return (input, context) -> input;
    }
}
