package dev.costwise.core.recovery;

import dev.costwise.core.CostwiseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Every target of a {@link Fallback} failed. Each target's failure is attached as a
 * {@linkplain #getSuppressed() suppressed} exception, in order, and summarised in the message; the last one is also
 * the cause.
 */
public final class AllFallbacksFailedException extends CostwiseException {

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
}
