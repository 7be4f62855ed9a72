package dev.costwise.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * One write to the Redis budget counters that can be sent again after a timeout without counting twice (see
 * {@link BudgetScripts}): what {@link RedisBudgetStore} keeps while Redis is away and sends when it answers again.
 */
sealed interface BudgetWrite {

    /**
     * Sends it.
     *
     * @return the script's reply
     * @throws RedisUnavailableException if Redis did not answer (send it again later)
     */
    Object sendTo(RedisConnection redis);

    /**
     * The buckets of one reservation, by key, and each bucket's lease set (a reservation's scripts take its hold,
     * then the buckets, then the lease sets).
     *
     * @param keys the bucket keys
     * @param leases the lease set of each bucket, in the same order
     */
    record BucketKeys(List<String> keys, List<String> leases) {
        public BucketKeys {
            keys = List.copyOf(keys);
            leases = List.copyOf(leases);
            if (keys.size() != leases.size()) {
                throw new IllegalArgumentException(keys.size() + " buckets but " + leases.size() + " lease sets");
            }
        }

        /** @return the hold, then the buckets, then their lease sets */
        List<String> after(String hold) {
            List<String> all = new ArrayList<>(1 + 2 * keys.size());
            all.add(hold);
            all.addAll(keys);
            all.addAll(leases);
            return all;
        }
    }

    /**
     * Replaces a reservation by what the call cost.
     *
     * @param hold the reservation's hold key
     * @param buckets the buckets
     * @param expiries each bucket's expiry
     * @param actual the cost, exact to the pico-dollar
     * @param generations each bucket's generation when the reservation was made (or last held again) there: a bucket
     *     of another generation, rebuilt since, gets the cost even though the hold is gone
     */
    record Settle(String hold, BucketKeys buckets, List<Long> expiries, NanosAndPicos actual, List<Long> generations)
            implements BudgetWrite {
        public Settle {
            expiries = List.copyOf(expiries);
            generations = List.copyOf(generations);
        }

        @Override
        public Object sendTo(RedisConnection redis) {
            return redis.eval(BudgetScripts.SETTLE, keys(), args());
        }

        /**
         * @return the script keys: the hold, the buckets, their lease sets (settle-and-store takes them after its
         *     own two)
         */
        List<String> keys() {
            return buckets.after(hold);
        }

        /** @return the script arguments: the cost, each bucket's expiry, each bucket's generation */
        List<String> args() {
            List<String> args = new ArrayList<>(2 + 2 * expiries.size());
            args.add(Long.toString(actual.nanos()));
            args.add(Long.toString(actual.picos()));
            expiries.forEach(e -> args.add(Long.toString(e)));
            generations.forEach(g -> args.add(Long.toString(g)));
            return args;
        }
    }

    /**
     * Gives back part of a reservation.
     *
     * @param hold the reservation's hold key
     * @param buckets the buckets
     * @param keepNanos what stays reserved
     */
    record Release(String hold, BucketKeys buckets, long keepNanos) implements BudgetWrite {
        @Override
        public Object sendTo(RedisConnection redis) {
            return redis.eval(BudgetScripts.RELEASE, buckets.after(hold), List.of(Long.toString(keepNanos)));
        }
    }

    /**
     * Undoes a reservation whose reply never came, if Redis made it, and keeps it from being made later.
     *
     * @param hold the reservation's hold key
     * @param buckets the buckets
     * @param holdExpiry when the void mark may go
     */
    record VoidReservation(String hold, BucketKeys buckets, long holdExpiry) implements BudgetWrite {
        @Override
        public Object sendTo(RedisConnection redis) {
            return redis.eval(BudgetScripts.VOID, buckets.after(hold), List.of(Long.toString(holdExpiry)));
        }
    }

    /**
     * Adds spend made in the local fallback while Redis was away, once.
     *
     * @param marker the key that marks this push as done
     * @param bucket the bucket key
     * @param spent the spend, exact to the pico-dollar
     * @param bucketExpiry the bucket's expiry
     * @param markerExpiry when the mark may go
     */
    record PushSpend(String marker, String bucket, NanosAndPicos spent, long bucketExpiry, long markerExpiry)
            implements BudgetWrite {
        @Override
        public Object sendTo(RedisConnection redis) {
            return redis.eval(BudgetScripts.PUSH_SPEND, List.of(marker, bucket), List.of(Long.toString(spent.nanos()),
                    Long.toString(spent.picos()), Long.toString(bucketExpiry), Long.toString(markerExpiry)));
        }
    }

    /**
     * Sets a bucket's spend rebuilt from the ledger, if Redis has none.
     *
     * @param bucket the bucket key
     * @param spent the spend, exact to the pico-dollar
     * @param bucketExpiry the bucket's expiry
     * @param generation the generation the bucket gets if this sets it
     */
    record Restore(String bucket, NanosAndPicos spent, long bucketExpiry, long generation) implements BudgetWrite {
        @Override
        public Object sendTo(RedisConnection redis) {
            return redis.eval(BudgetScripts.RESTORE, List.of(bucket), List.of(Long.toString(spent.nanos()),
                    Long.toString(spent.picos()), Long.toString(bucketExpiry), Long.toString(generation)));
        }
    }
}
