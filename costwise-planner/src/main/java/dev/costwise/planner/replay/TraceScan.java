package dev.costwise.planner.replay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a replay must know of a trace before its first request runs, read by a first pass over the trace that holds
 * no line: how many requests there are (for the progress and the report's timeline), the earliest timestamp (where
 * lines without one arrive, and the budget windows' calendar), the latest (the trace's period) and the bad lines.
 *
 * @param lines non-blank lines
 * @param entries usable lines (the requests replayed)
 * @param untimed usable lines without a timestamp
 * @param first the earliest timestamp of a usable line, if any has one
 * @param last the latest timestamp of a usable line, if any has one
 * @param badLines lines skipped as bad
 * @param errors the first {@link #MAX_KEPT_ERRORS} bad lines, in order, with their reasons
 */
public record TraceScan(long lines, long entries, long untimed, Optional<Instant> first, Optional<Instant> last,
        long badLines, List<TraceError> errors) {

    /** Bad lines kept with their reasons; past this many, a trace's bad lines are only counted. */
    public static final int MAX_KEPT_ERRORS = 10_000;

    public TraceScan {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(last, "last");
        errors = List.copyOf(errors);
        if (errors.size() > badLines) {
            throw new IllegalArgumentException(errors.size() + " errors kept of " + badLines + " bad lines");
        }
    }

    /**
     * @param trace a trace read whole
     * @return what the first pass would have found in it
     */
    public static TraceScan of(TraceReader.Trace trace) {
        Tally t = new Tally();
        trace.entries().forEach(e -> t.entry(e.timestamp()));
        trace.errors().forEach(t::error);
        return t.scan(trace.lines());
    }

    /** Adds up a first pass, one line at a time. */
    static final class Tally {
        private long entries;
        private long untimed;
        private Instant first;
        private Instant last;
        private long badLines;
        private final List<TraceError> errors = new ArrayList<>();

        void entry(Optional<Instant> timestamp) {
            entries++;
            if (timestamp.isEmpty()) {
                untimed++;
                return;
            }
            Instant t = timestamp.get();
            first = first == null || t.isBefore(first) ? t : first;
            last = last == null || t.isAfter(last) ? t : last;
        }

        void error(TraceError e) {
            badLines++;
            if (errors.size() < MAX_KEPT_ERRORS) {
                errors.add(e);
            }
        }

        TraceScan scan(long lines) {
            return new TraceScan(lines, entries, untimed, Optional.ofNullable(first), Optional.ofNullable(last),
                    badLines, errors);
        }
    }
}
