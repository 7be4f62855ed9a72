package dev.costwise.llm.budget;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The period a budget's spend is counted over before it starts again: a calendar day or month in a time zone, or a
 * fixed period counted from an anchor instant.
 *
 * <p>Calendar windows follow the zone's wall clock: a daily window in {@code Europe/Paris} resets at local midnight,
 * and its length follows daylight-saving changes (23 or 25 hours on those days).
 */
public sealed interface BudgetWindow {

    /**
     * The window that holds {@code now}.
     *
     * @param now the instant
     * @return the window's start (inclusive) and end (exclusive)
     */
    Span spanAt(Instant now);

    /** @return a word for dashboards: {@code Daily}, {@code Monthly} or {@code Period} */
    String label();

    /**
     * A day from local midnight to local midnight in {@code zone}.
     *
     * @param zone the time zone whose midnight resets the budget
     * @return the window
     */
    static BudgetWindow daily(ZoneId zone) {
        return new Daily(zone);
    }

    /**
     * A calendar month from the first of the month, local midnight, in {@code zone}.
     *
     * @param zone the time zone
     * @return the window
     */
    static BudgetWindow monthly(ZoneId zone) {
        return new Monthly(zone);
    }

    /**
     * Consecutive periods of {@code length} starting at {@code anchor} (and before it, going back).
     *
     * @param length the period; at least one millisecond
     * @param anchor an instant at which a period starts
     * @return the window
     * @throws IllegalArgumentException if {@code length} is shorter than one millisecond
     */
    static BudgetWindow every(Duration length, Instant anchor) {
        return new Custom(length, anchor);
    }

    /**
     * One window.
     *
     * @param start inclusive
     * @param end exclusive
     */
    record Span(Instant start, Instant end) {
        public Span {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            if (!end.isAfter(start)) {
                throw new IllegalArgumentException("end (" + end + ") must be after start (" + start + ")");
            }
        }
    }

    /**
     * A calendar day in a zone.
     *
     * @param zone the zone
     */
    record Daily(ZoneId zone) implements BudgetWindow {
        public Daily {
            Objects.requireNonNull(zone, "zone");
        }

        @Override
        public Span spanAt(Instant now) {
            LocalDate day = now.atZone(zone).toLocalDate();
            return new Span(day.atStartOfDay(zone).toInstant(), day.plusDays(1).atStartOfDay(zone).toInstant());
        }

        @Override
        public String label() {
            return "Daily";
        }
    }

    /**
     * A calendar month in a zone.
     *
     * @param zone the zone
     */
    record Monthly(ZoneId zone) implements BudgetWindow {
        public Monthly {
            Objects.requireNonNull(zone, "zone");
        }

        @Override
        public Span spanAt(Instant now) {
            LocalDate first = now.atZone(zone).toLocalDate().withDayOfMonth(1);
            return new Span(first.atStartOfDay(zone).toInstant(), first.plusMonths(1).atStartOfDay(zone).toInstant());
        }

        @Override
        public String label() {
            return "Monthly";
        }
    }

    /**
     * Fixed periods counted from an anchor.
     *
     * @param length the period
     * @param anchor an instant at which a period starts
     */
    record Custom(Duration length, Instant anchor) implements BudgetWindow {
        public Custom {
            Objects.requireNonNull(length, "length");
            Objects.requireNonNull(anchor, "anchor");
            if (length.toMillis() < 1) {
                throw new IllegalArgumentException("window length must be at least 1 ms, was " + length);
            }
        }

        @Override
        public Span spanAt(Instant now) {
            long lengthMillis = length.toMillis();
            long periods = Math.floorDiv(now.toEpochMilli() - anchor.toEpochMilli(), lengthMillis);
            Instant start = anchor.plusMillis(periods * lengthMillis);
            return new Span(start, start.plusMillis(lengthMillis));
        }

        @Override
        public String label() {
            return "Period";
        }
    }
}
