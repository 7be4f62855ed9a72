package dev.costwise.core.recovery;

import dev.costwise.core.ClassifiedFailure;
import dev.costwise.core.CostwiseException;
import dev.costwise.core.FailureClassifier;
import dev.costwise.core.FailureVerdict;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every target of a {@link Fallback} failed. Each target's failure is attached as a
 * {@linkplain #getSuppressed() suppressed} exception, in order, and summarised in the message; the last one is also
 * the cause.
 *
 * <p>As a {@link ClassifiedFailure} it is judged on every cause, not only the last: see {@link #verdict()}.
 */
public final class AllFallbacksFailedException extends CostwiseException implements ClassifiedFailure {

    private final String fallback;
    private final Map<String, Throwable> causes;

    /**
     * @param fallback the fallback's name
     * @param causes each target's failure, in the order they were tried; not empty
     * @param reasons each target's short failure reason, same keys
     */
    public AllFallbacksFailedException(String fallback, Map<String, Throwable> causes, Map<String, String> reasons) {
        super(message(fallback, causes, reasons), last(causes));
        this.fallback = Objects.requireNonNull(fallback, "fallback");
        this.causes = Collections.unmodifiableMap(new LinkedHashMap<>(causes));
        causes.values().forEach(this::addSuppressed);
    }

    private static String message(String fallback, Map<String, Throwable> causes, Map<String, String> reasons) {
        String summary = causes.entrySet().stream()
                .map(e -> e.getKey() + "=" + reasons.getOrDefault(e.getKey(), "failed") + " ("
                        + e.getValue().getClass().getSimpleName() + ")")
                .collect(Collectors.joining(", "));
        return "fallback '" + fallback + "': all " + causes.size() + " targets failed: " + summary;
    }

    private static Throwable last(Map<String, Throwable> causes) {
        Throwable last = null;
        for (Throwable t : causes.values()) {
            last = t;
        }
        return last;
    }

    /** @return the fallback's name */
    public String fallback() {
        return fallback;
    }

    /** @return each target's failure by target name, in the order tried */
    public Map<String, Throwable> causes() {
        return causes;
    }

    /**
     * The verdict on every cause by {@link FailureClassifier#ofDefaults()}, combined by {@link FailureVerdict#anyOf}:
     * retryable if any target's failure is, after the shortest retry-after a retryable one gave, so a retry of the
     * whole fallback keeps the primary's 429 hint when a later target failed otherwise.
     *
     * @return the combined verdict
     */
    @Override
    public FailureVerdict verdict() {
        return verdict(FailureClassifier.ofDefaults()::classify);
    }

    /**
     * The verdict on every cause by {@code classifier}, combined by {@link FailureVerdict#anyOf}.
     *
     * @param classifier judges each target's failure
     * @return the combined verdict
     */
    public FailureVerdict verdict(Function<Throwable, FailureVerdict> classifier) {
        return FailureVerdict.anyOf(causes.values().stream().map(classifier).toList());
    }
}
