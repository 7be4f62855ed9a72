package dev.costwise.core.composition;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the branches of a {@link Parallel} produced, by branch name, in declaration order.
 *
 * @param values outputs of the branches that succeeded
 * @param failures failures of the branches that failed (always empty in fail-fast mode, which throws instead)
 * @param <O> output type
 */
public record BranchResults<O>(Map<String, O> values, Map<String, Throwable> failures) {

    public BranchResults {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    }

    /**
     * One branch's output.
     *
     * @param branch the branch name
     * @return its output, or empty if it failed or does not exist
     */
    public Optional<O> value(String branch) {
        return Optional.ofNullable(values.get(branch));
    }

    /** @return {@code true} when every branch succeeded */
    public boolean allSucceeded() {
        return failures.isEmpty();
    }
}
