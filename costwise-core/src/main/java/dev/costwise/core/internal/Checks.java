package dev.costwise.core.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument and state checks that keep each builder validation on one line. Not part of the public API. */
public final class Checks {

    private Checks() {}

    /**
     * Fails with an {@link IllegalArgumentException} carrying the formatted message unless {@code ok}.
     *
     * @param ok the condition that must hold
     * @param format a {@link String#format} pattern naming the parameter and its value
     * @param args the pattern's arguments
     */
    public static void requireArgument(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }

    /**
     * Fails with an {@link IllegalStateException} carrying the formatted message unless {@code ok}.
     *
     * @param ok the condition that must hold
     * @param format a {@link String#format} pattern
     * @param args the pattern's arguments
     */
    public static void requireState(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalStateException(String.format(format, args));
        }
    }

    /**
     * Checks a duration is present and not negative.
     *
     * @param value the duration
     * @param name the parameter's name for the message
     * @return {@code value}
     */
    public static Duration requireNonNegative(Duration value, String name) {
        Objects.requireNonNull(value, name);
        requireArgument(!value.isNegative(), "%s cannot be negative, was %s", name, value);
        return value;
    }

    /**
     * Checks a duration is present and above zero.
     *
     * @param value the duration
     * @param name the parameter's name for the message
     * @return {@code value}
     */
    public static Duration requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        requireArgument(!value.isNegative() && !value.isZero(), "%s must be positive, was %s", name, value);
        return value;
    }

    /**
     * Checks a primitive's name is present and not blank.
     *
     * @param name the name
     * @return {@code name}
     */
    public static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        requireArgument(!name.isBlank(), "name cannot be blank, was '%s'", name);
        return name;
    }

    /** Saturating conversion to nanoseconds, for durations too long to fit a {@code long}. */
    public static long toNanosSaturated(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }
}
