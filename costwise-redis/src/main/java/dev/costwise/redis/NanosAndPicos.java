package dev.costwise.redis;

import dev.costwise.core.Money;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * An amount of spend as the Redis budget counters keep it: whole nano-dollars, and apart the pico-dollars below them
 * (0 to 999). The ledger stores costs to the pico-dollar, so spend kept this way sums to the ledger's exactly, while
 * each part stays a whole number a Lua script can add (a count of pico-dollars in one Lua number would be exact only
 * up to about $9,007).
 *
 * @param nanos whole nano-dollars, not negative
 * @param picos the pico-dollars below them, 0 to 999
 */
record NanosAndPicos(long nanos, long picos) {

    static final NanosAndPicos ZERO = new NanosAndPicos(0, 0);

    /** The ledger's decimals: pico-dollars. */
    private static final int PICO_SCALE = 12;
    private static final int NANO_SCALE = 9;
    private static final long PICOS_PER_NANO = 1000;
    private static final BigInteger PICOS_PER_NANO_BIG = BigInteger.valueOf(PICOS_PER_NANO);

    NanosAndPicos {
        if (nanos < 0 || picos < 0 || picos >= PICOS_PER_NANO) {
            throw new IllegalArgumentException("spend must be whole nano-dollars and 0 to 999 pico-dollars, was "
                    + nanos + " nanos and " + picos + " picos");
        }
    }

    /**
     * @param amount spend, not negative
     * @return the amount rounded up to the pico-dollar, as the ledger stores it, split at the nano-dollar
     * @throws IllegalArgumentException if {@code amount} is negative
     * @throws ArithmeticException if it does not fit in a {@code long} of nano-dollars (above $9.2 billion)
     */
    static NanosAndPicos of(Money amount) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("spend cannot be negative, was " + amount);
        }
        BigInteger[] split = amount.toBigDecimal().setScale(PICO_SCALE, RoundingMode.CEILING).unscaledValue()
                .divideAndRemainder(PICOS_PER_NANO_BIG);
        return new NanosAndPicos(split[0].longValueExact(), split[1].longValue());
    }

    /** @return this plus {@code other}, the pico-dollars carried into a nano-dollar when they reach 1,000 */
    NanosAndPicos plus(NanosAndPicos other) {
        long p = picos + other.picos;
        return new NanosAndPicos(Math.addExact(Math.addExact(nanos, other.nanos), p / PICOS_PER_NANO),
                p % PICOS_PER_NANO);
    }

    /** @return the exact amount */
    Money toMoney() {
        return Money.of(BigDecimal.valueOf(nanos, NANO_SCALE).add(BigDecimal.valueOf(picos, PICO_SCALE)));
    }

    /** @return {@code true} when both parts are zero */
    boolean isZero() {
        return nanos == 0 && picos == 0;
    }
}
