package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.concurrent.atomic.LongAdder;

/**
 * An exact, lock-free running sum of dollar amounts, at the ledger's precision: each amount is rounded up to the
 * pico-dollar, as the ledger stores it, so the sum equals the ledger's. It is kept as whole nano-dollars and, apart,
 * the pico-dollars below them, so that neither {@code long} overflows before $9.2 billion. Thread-safe.
 */
final class DollarSum {
    /** The ledger's decimals (pico-dollars). */
    private static final int LEDGER_SCALE = 12;
    private static final int NANO_SCALE = 9;
    private static final long PICOS_PER_NANO = 1000;

    private final LongAdder nanos = new LongAdder();
    private final LongAdder picosBelowNanos = new LongAdder();

    void add(Money amount) {
        BigInteger picos = amount.toBigDecimal().setScale(LEDGER_SCALE, RoundingMode.CEILING).unscaledValue();
        if (picos.bitLength() < Long.SIZE) {
            long p = picos.longValue();
            nanos.add(p / PICOS_PER_NANO);
            picosBelowNanos.add(p % PICOS_PER_NANO);
        } else {
            BigInteger[] split = picos.divideAndRemainder(BigInteger.valueOf(PICOS_PER_NANO));
            nanos.add(split[0].longValueExact());
            picosBelowNanos.add(split[1].longValue());
        }
    }

    /**
     * @return the double nearest the exact sum, which prints as the sum itself while it has at most 15 significant
     *     digits (to the pico-dollar below $1,000, to the nano-dollar below $1,000,000)
     */
    double dollars() {
        return BigDecimal.valueOf(nanos.sum(), NANO_SCALE).add(BigDecimal.valueOf(picosBelowNanos.sum(), LEDGER_SCALE))
                .doubleValue();
    }
}
