package dev.costwise.redis;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.costwise.core.Money;
import dev.costwise.llm.budget.InMemoryBudgetStore;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.Claim;
import dev.costwise.llm.spi.BudgetStore.Grant;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Where each bucket's local counter starts when {@link RedisBudgetStore} falls back to it, and how much of the limit
 * this replica may then spend alone.
 *
 * <p>A bucket's counter starts, the first time it is used in each outage ({@link RedisConnection#outages}), from the
 * spend counted before it: its spend in the ledger (from {@link #spendFrom}, or what a restore gave while Redis was
 * down) and, as reservations, what the bucket last held in Redis beyond that, as this replica last read it
 * ({@link #saw}): reservations still in flight on every replica when Redis went away, and spend not in the ledger yet.
 * So the counter starts from {@code max(ledger spend, last seen spent + reserved)}, and this replica may add its share
 * of what that leaves of the limit. Those reservations are held until Redis answers again. Thread-safe.
 */
final class OutageSeeds {

    /** The most buckets whose counters are remembered (a user budget makes one per end user). */
    static final int MAX_SEEN = 100_000;
    /** A claim nothing can pass: holding what was in flight must never be refused. */
    private static final Money NO_LIMIT = Money.ofDollars(Long.MAX_VALUE);

    private final InMemoryBudgetStore local;
    private final BigDecimal share;
    private volatile Function<Bucket, Optional<Money>> spendSource = b -> Optional.empty();
    /** Each bucket's spent plus reserved as this replica last read it from Redis. */
    private final ConcurrentMap<Bucket, Money> seen = Caffeine.newBuilder().maximumSize(MAX_SEEN)
            .<Bucket, Money>build().asMap();
    private final ConcurrentMap<Bucket, Seed> seeds = new ConcurrentHashMap<>();

    /**
     * @param local the fallback counters
     * @param share the share of what is left of a limit this replica may spend alone
     */
    OutageSeeds(InMemoryBudgetStore local, double share) {
        this.local = local;
        this.share = BigDecimal.valueOf(share);
    }

    /** @param source a bucket's spend in its window, read once per bucket per outage; empty when unknown */
    void spendFrom(Function<Bucket, Optional<Money>> source) {
        this.spendSource = Objects.requireNonNull(source, "spent");
    }

    /** Notes a bucket's counters as a script returned them. */
    void saw(Bucket bucket, BucketCounters counters) {
        seen.put(bucket, counters.inUse());
    }

    /**
     * @param claim a bucket and its limit
     * @param outage the outage under way
     * @return the claim's limit on the bucket's local counter: what it started from plus this replica's share of
     *     what that left
     */
    Money localLimit(Claim claim, long outage) {
        Money counted = seeded(claim.bucket(), outage).counted();
        Money left = claim.limit().minus(counted);
        return left.isPositive() ? counted.plus(left.times(share)) : claim.limit();
    }

    /** Starts the bucket's local counter in this outage unless it already started. */
    void seed(Bucket bucket, long outage) {
        seeded(bucket, outage);
    }

    /** Starts the bucket's local counter from {@code spent} (rebuilt from the ledger while Redis is down). */
    void restored(Bucket bucket, Money spent, long outage) {
        seeds.compute(bucket, (b, s) -> s != null && s.outage() == outage ? s : start(b, s, outage,
                Optional.of(spent)));
    }

    /**
     * Redis answers again: gives back what was held for reservations in flight and forgets the counters read before
     * the outage (those reservations have ended since, and the outage's spend is not in them), so the next outage
     * starts afresh.
     */
    void forget() {
        seen.clear();
        seeds.forEach((b, s) -> {
            if (seeds.remove(b, s)) {
                s.giveBack(local);
            }
        });
    }

    private Seed seeded(Bucket bucket, long outage) {
        Seed seed = seeds.get(bucket);
        if (seed != null && seed.outage() == outage) {
            return seed;
        }
        return seeds.compute(bucket, (b, s) -> s != null && s.outage() == outage ? s : start(b, s, outage,
                spendSource.apply(b)));
    }

    private Seed start(Bucket bucket, Seed previous, long outage, Optional<Money> spent) {
        if (previous != null) {
            previous.giveBack(local); // held in an earlier outage that ended without forget()
        }
        spent.ifPresent(s -> local.restore(bucket, s));
        Money base = spent.orElse(Money.ZERO); // unknown: the share of the whole limit, unless Redis was seen
        Money inFlight = seen.getOrDefault(bucket, Money.ZERO).minus(base);
        Optional<Grant> held = inFlight.isPositive()
                ? local.reserve(List.of(new Claim(bucket, NO_LIMIT)), inFlight, inFlight) : Optional.empty();
        return new Seed(outage, base.plus(held.map(Grant::amount).orElse(Money.ZERO)), held);
    }

    /**
     * How a bucket's local counter started in one outage.
     *
     * @param outage the outage
     * @param counted the spend and reservations it started from
     * @param inFlight what it holds for what Redis held beyond the ledger's spend
     */
    private record Seed(long outage, Money counted, Optional<Grant> inFlight) {
        void giveBack(InMemoryBudgetStore local) {
            inFlight.ifPresent(g -> local.release(g, g.amount()));
        }
    }
}
