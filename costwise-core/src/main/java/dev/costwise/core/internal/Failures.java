package dev.costwise.core.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Unwraps failures that crossed a thread boundary so callers see the original exception. Not public API. */
public final class Failures {

    private Failures() {}

    /**
     * Returns the failure a future or executor wrapped.
     *
     * @param t a failure, possibly an {@link ExecutionException} or {@link CompletionException}
     * @return the innermost meaningful cause
     */
    public static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof ExecutionException || current instanceof CompletionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /**
     * Rethrows an unwrapped failure as it was when unchecked, wrapped in a {@link CompletionException} otherwise.
     *
     * @param t the failure
     * @return never returns; declared so callers can write {@code throw Failures.propagate(e)}
     */
    public static RuntimeException propagate(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof RuntimeException re) {
            throw re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        throw new CompletionException(cause);
    }
}
