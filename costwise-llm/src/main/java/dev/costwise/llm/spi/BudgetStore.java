package dev.costwise.llm.spi;

import dev.costwise.core.Money;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where budget counters live: the spent and reserved amount of each budget in each window. In memory by default;
 * a Redis implementation shares them across gateway replicas.
 *
 * <p>Every operation over several buckets is atomic as a whole: a reservation either holds in every bucket or in
 * none, so concurrent callers can never together push a bucket past its limit. Implementations are thread-safe.
 */
public interface BudgetStore {

    /**
     * Reserves between {@code minimum} and {@code maximum} in every bucket of {@code claims}, all or nothing: the
     * amount reserved is the largest amount up to {@code maximum} that every bucket still has room for
     * ({@code limit - spent - reserved}), provided that it is at least {@code minimum}.
     *
     * @param claims the buckets and their limits; not empty
     * @param minimum the least amount worth reserving; not negative
     * @param maximum the most to reserve; at least {@code minimum}
     * @return the amount reserved in every bucket, or empty if some bucket has less than {@code minimum} left
     * @throws IllegalArgumentException if {@code minimum} is negative or above {@code maximum}
     */
    Optional<Money> reserve(List<Claim> claims, Money minimum, Money maximum);

    /**
     * Turns a reservation into spend: every bucket's reserved amount drops by {@code reserved} and its spend rises by
     * {@code actual}. {@code actual} may exceed {@code reserved} (a provider billed more than was estimated).
     *
     * @param buckets the buckets the reservation was made in
     * @param reserved the amount that was reserved
     * @param actual what the call really cost
     */
    void settle(List<Bucket> buckets, Money reserved, Money actual);

    /**
     * Gives back {@code amount} of a reservation without spending it (the call failed, or less was needed).
     *
     * @param buckets the buckets the reservation was made in
     * @param amount the amount to release
     */
    void release(List<Bucket> buckets, Money amount);

    /**
     * The counters of one bucket.
     *
     * @param bucket the bucket
     * @return its spend and outstanding reservations; zero for a bucket never used
     */
    BucketState state(Bucket bucket);

    /**
     * Sets a bucket's spend, keeping its reservations: how spend is rebuilt from the ledger at start.
     *
     * @param bucket the bucket
     * @param spent the spend to restore
     */
    void restore(Bucket bucket, Money spent);

    /**
     * One budget's counters in one window.
     *
     * @param budget the budget's name
     * @param windowStart the start of the window
     */
    record Bucket(String budget, Instant windowStart) {
        public Bucket {
            Objects.requireNonNull(budget, "budget");
            Objects.requireNonNull(windowStart, "windowStart");
        }
    }

    /**
     * A bucket and the hard limit it must stay under.
     *
     * @param bucket the bucket
     * @param limit the most the window may spend
     */
    record Claim(Bucket bucket, Money limit) {
        public Claim {
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(limit, "limit");
        }
    }

    /**
     * A bucket's counters.
     *
     * @param spent settled spend
     * @param reserved reservations of calls still running
     */
    record BucketState(Money spent, Money reserved) {
        /** No spend and no reservations. */
        public static final BucketState EMPTY = new BucketState(Money.ZERO, Money.ZERO);

        public BucketState {
            Objects.requireNonNull(spent, "spent");
            Objects.requireNonNull(reserved, "reserved");
        }
    }
}
