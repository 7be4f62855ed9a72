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
     * @return what was granted (pass it back to {@link #settle} or {@link #release}), or empty if some bucket has
     *     less than {@code minimum} left
     * @throws IllegalArgumentException if {@code minimum} is negative or above {@code maximum}
     */
    Optional<Grant> reserve(List<Claim> claims, Money minimum, Money maximum);

    /**
     * Turns a reservation into spend: every bucket's reserved amount drops by the grant's amount and its spend rises
     * by {@code actual}. {@code actual} may exceed the grant (a provider billed more than was estimated).
     *
     * @param grant what {@link #reserve} granted (or {@link #release} left of it); settled at most once
     * @param actual what the call really cost
     * @throws IllegalArgumentException if another store made the grant
     */
    void settle(Grant grant, Money actual);

    /**
     * Gives back {@code amount} of a reservation without spending it (the call failed, or less was needed).
     *
     * @param grant what {@link #reserve} granted
     * @param amount the amount to give back; at most the grant's amount
     * @return what is left of the grant, to settle or release later
     * @throws IllegalArgumentException if another store made the grant, or {@code amount} is negative or above the
     *     grant's amount
     */
    Grant release(Grant grant, Money amount);

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
     * What a store granted one reservation: the amount held in every bucket, and the store that holds it. Callers
     * pass it back unchanged, so a store that keeps reservations in two places (Redis, and this replica's memory
     * while Redis is unreachable) settles each where it was made rather than guessing.
     *
     * @param buckets the buckets, in the order of the claims
     * @param amount the amount held in each bucket; not negative
     * @param holder the store that holds the reservation: opaque to callers
     */
    record Grant(List<Bucket> buckets, Money amount, Object holder) {
        public Grant {
            buckets = List.copyOf(buckets);
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(holder, "holder");
            if (amount.isNegative()) {
                throw new IllegalArgumentException("a grant's amount cannot be negative, was " + amount);
            }
        }

        /**
         * @param released the amount given back
         * @return this grant with {@code released} less held
         * @throws IllegalArgumentException if {@code released} is negative or above the amount held
         */
        public Grant less(Money released) {
            if (released.isNegative() || released.isGreaterThan(amount)) {
                throw new IllegalArgumentException("cannot release " + released + " of a reservation of " + amount);
            }
            return new Grant(buckets, amount.minus(released), holder);
        }

        /** @return the error a store throws when asked to settle or release a grant it did not make */
        public IllegalArgumentException madeElsewhere() {
            return new IllegalArgumentException("the reservation " + amount + " in " + buckets
                    + " was made by another budget store");
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
