package dev.costwise.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Objects;

/**
 * An exact amount of US dollars.
 *
 * <p>Prices and costs are never accumulated in {@code double}: a budget of $100.00 stays exactly $100.00 after a million
 * additions. The amount is a {@link BigDecimal} with no rounding on {@link #plus}, {@link #minus} or {@link #times};
 * only {@link #perMillion} divides, and it divides exactly (a million is a power of ten, so it is a shift of the
 * decimal point).
 *
 * <p>Two amounts are {@link #equals equal} when they are numerically equal ({@code $1.0 == $1.00}). Instances are
 * immutable and thread-safe.
 */
public final class Money implements Comparable<Money> {

    /** Zero dollars. */
    public static final Money ZERO = new Money(BigDecimal.ZERO);

    private static final BigDecimal NANOS_PER_DOLLAR = BigDecimal.valueOf(1_000_000_000L);
    private static final BigDecimal ONE_MICRODOLLAR = new BigDecimal("0.000001");

    private final BigDecimal amount;

    private Money(BigDecimal amount) {
        this.amount = amount;
    }

    /**
     * Returns the amount parsed from a plain decimal string such as {@code "2.50"}.
     *
     * @param dollars a decimal number of dollars
     * @return the amount
     * @throws IllegalArgumentException if {@code dollars} is not a decimal number
     */
    public static Money of(String dollars) {
        Objects.requireNonNull(dollars, "dollars");
        try {
            return of(new BigDecimal(dollars.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a dollar amount: '" + dollars + "'", e);
        }
    }

    /**
     * Returns the given amount.
     *
     * @param dollars dollars
     * @return the amount
     */
    public static Money of(BigDecimal dollars) {
        Objects.requireNonNull(dollars, "dollars");
        return dollars.signum() == 0 ? ZERO : new Money(dollars);
    }

    /**
     * Returns a whole number of dollars.
     *
     * @param dollars dollars
     * @return the amount
     */
    public static Money ofDollars(long dollars) {
        return of(BigDecimal.valueOf(dollars));
    }

    /**
     * Returns an amount given in nano-dollars (10<sup>-9</sup> $), the unit used where an integer is needed (Redis
     * scripts, database columns).
     *
     * @param nanos nano-dollars
     * @return the amount
     */
    public static Money ofNanos(long nanos) {
        return of(BigDecimal.valueOf(nanos, 9));
    }

    /**
     * The cost of {@code tokens} tokens at this price per million tokens, exactly.
     *
     * @param tokens a token count, not negative
     * @return {@code this × tokens / 1,000,000}
     * @throws IllegalArgumentException if {@code tokens} is negative
     */
    public Money perMillion(long tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens cannot be negative: " + tokens);
        }
        if (tokens == 0 || amount.signum() == 0) {
            return ZERO;
        }
        // A shift of the decimal point, not divide(): exact and an order of magnitude cheaper on the request path.
        return of(amount.multiply(BigDecimal.valueOf(tokens)).movePointLeft(6));
    }

    /** @return this plus {@code other} */
    public Money plus(Money other) {
        return other.amount.signum() == 0 ? this : of(amount.add(other.amount));
    }

    /** @return this minus {@code other}; may be negative */
    public Money minus(Money other) {
        return other.amount.signum() == 0 ? this : of(amount.subtract(other.amount));
    }

    /** @return this times {@code factor} */
    public Money times(long factor) {
        return of(amount.multiply(BigDecimal.valueOf(factor)));
    }

    /** @return this times {@code factor}, exactly */
    public Money times(BigDecimal factor) {
        return of(amount.multiply(factor));
    }

    /** @return the larger of this and {@code other} */
    public Money max(Money other) {
        return compareTo(other) >= 0 ? this : other;
    }

    /** @return the smaller of this and {@code other} */
    public Money min(Money other) {
        return compareTo(other) <= 0 ? this : other;
    }

    /** @return {@code true} if this amount is zero */
    public boolean isZero() {
        return amount.signum() == 0;
    }

    /** @return {@code true} if this amount is below zero */
    public boolean isNegative() {
        return amount.signum() < 0;
    }

    /** @return {@code true} if this amount is above zero */
    public boolean isPositive() {
        return amount.signum() > 0;
    }

    /** @return {@code true} if this amount is strictly greater than {@code other} */
    public boolean isGreaterThan(Money other) {
        return compareTo(other) > 0;
    }

    /** @return the exact amount in dollars */
    public BigDecimal toBigDecimal() {
        return amount;
    }

    /**
     * Nano-dollars, rounded up, so a reservation computed in nanos never undercounts.
     *
     * @return the amount in nano-dollars, rounded towards positive infinity
     * @throws ArithmeticException if the amount does not fit in a {@code long} of nano-dollars (above $9.2 billion)
     */
    public long toNanosCeiling() {
        return amount.multiply(NANOS_PER_DOLLAR).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /**
     * This amount as a ratio of {@code whole}, for display and thresholds (utilization, savings %).
     *
     * @param whole the denominator
     * @return {@code this / whole}, or 0 when {@code whole} is zero
     */
    public double ratioOf(Money whole) {
        if (whole.amount.signum() == 0) {
            return 0.0;
        }
        return amount.divide(whole.amount, 12, RoundingMode.HALF_EVEN).doubleValue();
    }

    /**
     * Formats for people: {@code $0.0165}, {@code $19.50}, {@code $4,950.00}. At least two decimals, more when the
     * amount has them (up to 6, rounded half-even beyond), so small per-request costs stay visible; an amount under a
     * millionth of a dollar keeps its first three significant digits ({@code $0.000000123}), so that no cost shows as
     * zero. US-style whatever the default locale: a comma between thousands, a point before the cents. The gateway's
     * dashboard formats the same way.
     *
     * @return the amount with a dollar sign
     */
    public String format() {
        BigDecimal rounded = amount.setScale(decimalsShown(), RoundingMode.HALF_EVEN);
        BigDecimal shown = rounded.setScale(Math.max(2, rounded.stripTrailingZeros().scale()));
        return (shown.signum() < 0 ? "-$" : "$") + String.format(Locale.ROOT, "%,." + shown.scale() + "f", shown.abs());
    }

    private int decimalsShown() {
        BigDecimal stripped = amount.stripTrailingZeros();
        if (stripped.signum() != 0 && stripped.abs().compareTo(ONE_MICRODOLLAR) < 0) {
            // scale - precision + 1 is the place of the first significant digit
            return Math.min(stripped.scale(), stripped.scale() - stripped.precision() + 3);
        }
        return Math.min(6, Math.max(2, stripped.scale()));
    }

    /** @return the plain decimal string, such as {@code 0.0165}, that {@link #of(String)} reads back */
    @Override
    public String toString() {
        return amount.stripTrailingZeros().toPlainString();
    }

    @Override
    public int compareTo(Money other) {
        return amount.compareTo(other.amount);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Money other && amount.compareTo(other.amount) == 0;
    }

    @Override
    public int hashCode() {
        return amount.stripTrailingZeros().hashCode();
    }
}
