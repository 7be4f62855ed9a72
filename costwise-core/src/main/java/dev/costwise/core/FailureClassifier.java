package dev.costwise.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Judges a failure for the recovery primitives: retry it, move to the next fallback, or give up.
 *
 * <p>Core knows nothing of LLM providers; the LLM layer plugs in a classifier that understands rate limits, overloads,
 * context-length errors and {@code Retry-After}. Implementations must be fast, thread-safe and must not throw.
 */
@FunctionalInterface
public interface FailureClassifier {

    /**
     * Classifies one failure.
     *
     * @param failure the exception the wrapped primitive threw
     * @return the verdict; never {@code null}
     */
    FailureVerdict classify(Throwable failure);

    /**
     * The spec's {@code retry_on_exceptions}: a failure whose type is one of {@code types} (or a subtype) is transient
     * and may fall back; everything else is fatal. An interruption is never retried.
     *
     * @param types the exception types to retry
     * @return the classifier
     * @throws IllegalArgumentException if {@code types} is empty
     */
    @SafeVarargs
    static FailureClassifier retryOn(Class<? extends Throwable>... types) {
        List<Class<? extends Throwable>> copy = new ArrayList<>(types.length);
        for (Class<? extends Throwable> type : types) {
            copy.add(Objects.requireNonNull(type, "type"));
        }
        List<Class<? extends Throwable>> list = List.copyOf(copy);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("retryOn needs at least one exception type, was none");
        }
        return failure -> {
            Objects.requireNonNull(failure, "failure");
            if (failure instanceof InterruptedException) {
                return FailureVerdict.fatal("interrupted");
            }
            for (Class<? extends Throwable> type : list) {
                if (type.isInstance(failure)) {
                    return FailureVerdict.transientFailure(failure.getClass().getSimpleName());
                }
            }
            return FailureVerdict.fatal(failure.getClass().getSimpleName());
        };
    }

    /**
     * The default of the recovery primitives: a failure that {@linkplain ClassifiedFailure classifies itself} (found
     * in the cause chain, so a wrapped one counts) gets its own verdict, so a provider's authentication or invalid
     * request error is neither retried nor passed on while its rate limit is retried after the delay it asked for;
     * any other failure is judged as by {@link #anyException()}.
     *
     * @return the classifier
     */
    static FailureClassifier ofDefaults() {
        FailureClassifier otherwise = anyException();
        return failure -> {
            Objects.requireNonNull(failure, "failure");
            if (failure instanceof InterruptedException) {
                return FailureVerdict.fatal("interrupted");
            }
            Throwable t = failure;
            for (int depth = 0; t != null && depth < 16; depth++) {
                if (t instanceof ClassifiedFailure classified) {
                    return classified.verdict();
                }
                t = t.getCause();
            }
            return otherwise.classify(failure);
        };
    }

    /**
     * Every exception is transient, except an interruption ({@link InterruptedException},
     * {@link CallInterruptedException}); {@link Error}s are fatal, whatever the exception says of itself. A lenient
     * classifier for fallbacks over user code.
     *
     * @return the classifier
     */
    static FailureClassifier anyException() {
        return failure -> failure instanceof Exception && !(failure instanceof InterruptedException)
                && !(failure instanceof CallInterruptedException)
                ? FailureVerdict.transientFailure(failure.getClass().getSimpleName())
                : FailureVerdict.fatal(failure.getClass().getSimpleName());
    }
}
