package dev.costwise.redis;

import dev.costwise.core.Money;
import dev.costwise.llm.spi.BudgetStore.BucketState;
import java.util.List;

/**
 * A bucket's counters as a budget script returns them: four numbers, spent (whole nano-dollars), the pico-dollars
 * of spend below them, reserved (whole nano-dollars), and the bucket's generation.
 *
 * @param spent settled spend, exact to the pico-dollar
 * @param reservedNanos reservations still held
 * @param generation set when the bucket was restored from the ledger, so a bucket rebuilt after Redis lost it is
 *     told from the one before; {@link #MISSING} when Redis has no such bucket, 0 for one restored before
 *     generations existed
 */
record BucketCounters(NanosAndPicos spent, long reservedNanos, long generation) {

    /** How many numbers of a script's reply one bucket's counters take. */
    static final int SIZE = 4;
    /** The generation of a bucket Redis does not have. */
    static final long MISSING = -1;

    /**
     * @param reply a script's reply
     * @param from where the bucket's counters start in it
     * @return the counters
     */
    static BucketCounters read(List<?> reply, int from) {
        return new BucketCounters(new NanosAndPicos((Long) reply.get(from), (Long) reply.get(from + 1)),
                (Long) reply.get(from + 2), (Long) reply.get(from + 3));
    }

    /** @return spent plus reserved: what counts against the bucket's limit */
    Money inUse() {
        return spent.toMoney().plus(Money.ofNanos(reservedNanos));
    }

    /** @return the counters as the budget SPI reports them */
    BucketState state() {
        return new BucketState(spent.toMoney(), Money.ofNanos(reservedNanos));
    }
}
