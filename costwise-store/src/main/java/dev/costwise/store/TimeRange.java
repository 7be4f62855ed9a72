package dev.costwise.store;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A query's {@code [from, to)} as the ledger compares it: epoch milliseconds for records, and the UTC days wholly
 * inside the range for daily aggregates (a rolled-up day counts only if the range covers all of it).
 */
record TimeRange(long fromMillis, long toMillis, String fromDay, String toDay) {

    private static final LocalDate FIRST_DAY = LocalDate.of(1, 1, 1);
    private static final LocalDate LAST_DAY = LocalDate.of(9999, 12, 31);

    /**
     * @throws IllegalArgumentException if {@code from} is after {@code to}
     */
    static TimeRange of(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("from (" + from + ") must not be after to (" + to + ")");
        }
        return new TimeRange(millis(from), millis(to), firstWholeDay(from), day(to));
    }

    private static long millis(Instant at) {
        try {
            return at.toEpochMilli();
        } catch (ArithmeticException e) {
            return at.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static String firstWholeDay(Instant from) {
        LocalDate day = clamp(from);
        boolean midnight = from.equals(day.atStartOfDay(ZoneOffset.UTC).toInstant());
        return (midnight || day.equals(LAST_DAY) ? day : day.plusDays(1)).toString();
    }

    private static String day(Instant at) {
        return clamp(at).toString();
    }

    private static LocalDate clamp(Instant at) {
        if (at.isBefore(FIRST_DAY.atStartOfDay(ZoneOffset.UTC).toInstant())) {
            return FIRST_DAY;
        }
        if (at.isAfter(LAST_DAY.atStartOfDay(ZoneOffset.UTC).toInstant())) {
            return LAST_DAY;
        }
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }
}
