package dev.costwise.core;

/**
 * A failure that says itself how recovery should treat it: whether the same call may succeed when retried, whether a
 * fallback should be tried, and when the failing side asked to be called again.
 *
 * <p>Core knows nothing of the layers above it; their exceptions implement this so that
 * {@link FailureClassifier#ofDefaults()}, the default of {@code Retry}, retries a provider's
 * 503 but not its 401 with no classifier configured. Implementations must be fast and must not throw.
 */
public interface ClassifiedFailure {

    /** @return how recovery should treat this failure; never {@code null} */
    FailureVerdict verdict();
}
