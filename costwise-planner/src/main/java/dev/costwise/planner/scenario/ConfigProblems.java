package dev.costwise.planner.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Collects the problems of a gateway configuration as they are found, so that all of them are reported at once, as
 * the gateway lists them, rather than the first only. Each problem is one of the gateway's problem lines
 * ({@code path: message}). Not thread-safe.
 */
final class ConfigProblems {

    private final List<String> lines = new ArrayList<>();

    /**
     * Runs one check; a problem it finds is kept, and the reading goes on.
     *
     * @param read reads and checks one part of the file
     * @return what it read; empty if it found a problem
     */
    <T> Optional<T> check(Supplier<T> read) {
        try {
            return Optional.ofNullable(read.get());
        } catch (ScenarioException e) {
            lines.add(e.getMessage());
            return Optional.empty();
        }
    }

    /** Runs one check that returns nothing, as {@link #check(Supplier)}. */
    void check(Runnable read) {
        check(() -> {
            read.run();
            return Boolean.TRUE;
        });
    }

    /** Keeps a problem found outside a check. */
    void add(ScenarioException problem) {
        lines.add(problem.getMessage());
    }

    /**
     * @throws ScenarioException with the one problem's line, or with every problem, one a line ({@code 3 problems:
     *     - models[0].provider: ...}), if any was found
     */
    void throwIfAny() {
        if (lines.size() == 1) {
            throw new ScenarioException(lines.getFirst());
        }
        if (!lines.isEmpty()) {
            throw new ScenarioException(lines.size() + " problems:\n  - " + String.join("\n  - ", lines));
        }
    }
}
