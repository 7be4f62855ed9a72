package dev.costwise.planner.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Collects the problems of a gateway configuration, scenario or pipeline file as they are found, so that all of them
 * are reported at once, as the gateway lists them, rather than the first only. Each problem is one line
 * ({@code path: message}). A part read from parts ({@link #mark}, {@link #throwIfAnySince}) gives up, adding nothing,
 * when one of its parts had a problem: that problem is already listed, and what it would check across its parts
 * cannot be checked. Not thread-safe.
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
        } catch (AlreadyListed e) {
            return Optional.empty();
        } catch (ScenarioException e) {
            lines.add(e.getMessage());
            return Optional.empty();
        }
    }

    /** @return a mark of the problems found so far, for {@link #throwIfAnySince} */
    int mark() {
        return lines.size();
    }

    /**
     * Ends the reading of a part whose parts had problems; the {@link #check} around it adds no line of its own.
     *
     * @param mark {@link #mark()} before its parts were read
     * @throws RuntimeException (caught by the enclosing {@link #check}) if a problem was found since {@code mark}
     */
    void throwIfAnySince(int mark) {
        if (lines.size() > mark) {
            throw new AlreadyListed();
        }
    }

    /**
     * Runs one check of an optional value, as {@link #check(Supplier)}: past {@link #throwIfAnySince}, empty means
     * absent.
     *
     * @param read reads and checks one part of the file
     * @return what it read; empty if it was absent or had a problem
     */
    <T> Optional<T> checkOptional(Supplier<Optional<T>> read) {
        return check(read).flatMap(value -> value);
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

    /** A part that gives up for problems already listed; {@link #check} stops it, so it never leaves a reading. */
    private static final class AlreadyListed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AlreadyListed() {
            super("problems already listed", null, false, false);
        }
    }
}
