package dev.costwise.planner.engine;

import java.util.random.RandomGenerator;

/**
 * A "random" generator whose doubles follow the golden-ratio sequence {@code frac(offset + k·φ⁻¹)}: evenly spread
 * over [0, 1), so a failure rate of 20% over 10,000 calls fails exactly 2,000 of them (±1) instead of about 2,000 ±
 * 40. The planner gives it to the simulated models so a one-day simulation has the scenario's failure rates without
 * sampling noise. Not for anything that needs independence. Not thread-safe (the simulator draws under its lock).
 */
final class EvenlySpreadRandom implements RandomGenerator {

    private static final double GOLDEN = 0.6180339887498949;

    private double value;

    EvenlySpreadRandom(double offset) {
        this.value = offset - Math.floor(offset);
    }

    @Override
    public double nextDouble() {
        value += GOLDEN;
        if (value >= 1) {
            value -= 1;
        }
        return value;
    }

    @Override
    public long nextLong() {
        return (long) (nextDouble() * 0x1p53) << 11;
    }
}
