package dev.costwise.llm.resilience;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.FailureClassifier;
import dev.costwise.core.FailureVerdict;
import dev.costwise.core.recovery.AllFallbacksFailedException;
import dev.costwise.core.recovery.TimeoutExceededException;
import dev.costwise.llm.provider.ProviderException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * Judges provider failures for {@code Retry} and {@code Fallback}.
 *
 * <table>
 *   <caption>Verdicts</caption>
 *   <tr><th>failure</th><th>retry</th><th>fall back</th></tr>
 *   <tr><td>rate limited, overloaded (with the provider's retry-after)</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>server error, timeout, connection, malformed response</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>context length exceeded (a larger window may take it), quota exhausted</td><td>no</td><td>yes</td></tr>
 *   <tr><td>invalid request, authentication, permission, not found, content filtered, answer too large</td>
 *       <td>no</td><td>no</td></tr>
 * </table>
 *
 * <p>A provider exception wrapped in another exception (a {@code CompletionException}, an {@code ExecutionException})
 * is found in the cause chain. Anything else goes to the fallback classifier; the default treats I/O failures,
 * {@link TimeoutException} and an attempt's own {@link TimeoutExceededException} (a {@code TimeLimitedChatModel}'s
 * first-token or total timeout) as transient, and every other exception, the caller's
 * {@link dev.costwise.core.DeadlineExceededException} and any interruption as fatal.
 *
 * <p>When every target of a {@code Fallback} failed, the {@link AllFallbacksFailedException} is judged on all its
 * causes ({@link FailureVerdict#anyOf}): retryable if any is, after the shortest retry-after a retryable one gave.
 *
 * <p>The verdict's reason is the provider exception's {@link ProviderException#kind()} ({@code rate_limited},
 * {@code context_length}…). Immutable, thread-safe and never throws.
 */
public final class ProviderFailureClassifier implements FailureClassifier {

    private static final int MAX_CAUSE_DEPTH = 16;

    private final FailureClassifier otherwise;

    private ProviderFailureClassifier(FailureClassifier otherwise) {
        this.otherwise = otherwise;
    }

    /**
     * The classifier with the default handling of non-provider failures (I/O and an attempt's timeouts transient, the
     * rest, a caller's deadline included, fatal).
     *
     * @return the classifier
     */
    public static ProviderFailureClassifier ofDefaults() {
        return new ProviderFailureClassifier(ProviderFailureClassifier::classifyOther);
    }

    /**
     * A classifier that hands failures which are not provider exceptions to {@code otherwise}.
     *
     * @param otherwise the classifier for everything else, such as {@link FailureClassifier#anyException()}
     * @return the classifier
     */
    public static ProviderFailureClassifier withFallback(FailureClassifier otherwise) {
        return new ProviderFailureClassifier(Objects.requireNonNull(otherwise, "otherwise"));
    }

    @Override
    public FailureVerdict classify(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        if (failure instanceof InterruptedException || failure instanceof CallInterruptedException) {
            return FailureVerdict.fatal("interrupted"); // the caller cancelled: no provider's failure
        }
        if (failure instanceof AllFallbacksFailedException all) {
            return all.verdict(this::classify);
        }
        ProviderException provider = findProviderException(failure);
        if (provider == null) {
            return otherwise.classify(failure);
        }
        return classify(provider);
    }

    /**
     * The verdict for one provider failure: its own {@link ProviderException#verdict()}.
     *
     * @param failure the failure
     * @return the verdict
     */
    public FailureVerdict classify(ProviderException failure) {
        return failure.verdict();
    }

    private static ProviderException findProviderException(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++) {
            if (t instanceof ProviderException p) {
                return p;
            }
            t = t.getCause();
        }
        return null;
    }

    private static FailureVerdict classifyOther(Throwable failure) {
        if (failure instanceof IOException || failure instanceof UncheckedIOException) {
            return FailureVerdict.transientFailure("io");
        }
        if (failure instanceof TimeoutException || failure instanceof TimeoutExceededException) {
            // a per-attempt Timeout expired: the next attempt or target may answer in time; a caller's deadline
            // (DeadlineExceededException) has no time left for one, so it stays fatal
            return FailureVerdict.transientFailure("timeout");
        }
        return FailureVerdict.fatal(failure.getClass().getSimpleName());
    }

    @Override
    public String toString() {
        return "ProviderFailureClassifier";
    }
}
