package dev.costwise.redis;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.costwise.core.Money;
import dev.costwise.llm.budget.InMemoryBudgetStore;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.Claim;
import dev.costwise.llm.spi.BudgetStore.Grant;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Where each bucket's local counter starts when {@link RedisBudgetStore} falls back to it, how much of the limit
 * this replica may then spend alone, and how the counter keeps up with the ledger while the outage lasts.
 *
 * <p>A bucket's counter starts, the first time it is used in each outage ({@link RedisConnection#outages}), from the
 * spend counted before it: its spend in the ledger (from {@link #spendFrom}, or what a restore gave while Redis was
 * down) and, as reservations, what the bucket last held in Redis beyond that, as this replica last read it
 * ({@link #saw}): reservations still in flight on every replica when Redis went away, and spend not in the ledger yet.
 * So the counter starts from {@code max(ledger spend, last seen spent + reserved)}, and this replica may add its share
 * of what that leaves of the limit.
 *
 * <p>While the outage lasts, each use of the counter reads the ledger again (at most once per {@link #REFRESH}): what
 * it gained that is not this replica's own spend (other replicas' calls, and the calls in flight when Redis went away,
 * as they settle) is added to the counter's spend, and what is held for those calls in flight shrinks by as much, so
 * the counter shows what this replica knows was spent and never counts less than it did. Once every call in flight
 * when the counter started has had time to end ({@link #callsEndWithin}), nothing is held for them any more.
 * Thread-safe.
 */
final class OutageSeeds {

    /** The most buckets whose counters are remembered (a user budget makes one per end user). */
    static final int MAX_SEEN = 100_000;
    /** How often a bucket's counter reads the ledger again while the outage lasts. */
    static final Duration REFRESH = Duration.ofSeconds(1);
    /** A claim nothing can pass: holding what was in flight must never be refused. */
    private static final Money NO_LIMIT = Money.ofDollars(Long.MAX_VALUE);

    private final InMemoryBudgetStore local;
    private final BigDecimal share;
    private final Clock clock;
    private volatile Function<Bucket, Optional<Money>> spendSource = b -> Optional.empty();
    private volatile Duration callsEnd;
    /** Each bucket's spent plus reserved as this replica last read it from Redis. */
    private final ConcurrentMap<Bucket, Money> seen = Caffeine.newBuilder().maximumSize(MAX_SEEN)
            .<Bucket, Money>build().asMap();
    private final ConcurrentMap<Bucket, Seed> seeds = new ConcurrentHashMap<>();

    /**
     * @param local the fallback counters
     * @param share the share of what is left of a limit this replica may spend alone
     * @param clock when a counter started and was last refreshed
     * @param callsEnd how long a call in flight when Redis went away may still run; {@link #callsEndWithin}
     */
    OutageSeeds(InMemoryBudgetStore local, double share, Clock clock, Duration callsEnd) {
        this.local = local;
        this.share = BigDecimal.valueOf(share);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.callsEnd = Objects.requireNonNull(callsEnd, "callsEnd");
    }

    /** @param source a bucket's spend in its window, read when its counter starts and as it refreshes */
    void spendFrom(Function<Bucket, Optional<Money>> source) {
        this.spendSource = Objects.requireNonNull(source, "spent");
    }

    /** @param within how long a call may run at most: after it, nothing is held for calls that Redis last showed */
    void callsEndWithin(Duration within) {
        this.callsEnd = Objects.requireNonNull(within, "within");
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
        Money counted = refreshed(claim.bucket(), outage).counted();
        Money left = claim.limit().minus(counted);
        return left.isPositive() ? counted.plus(left.times(share)) : claim.limit();
    }

    /** Starts the bucket's local counter in this outage unless it already started, and brings it up to date. */
    void refresh(Bucket bucket, long outage) {
        refreshed(bucket, outage);
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

    private Seed refreshed(Bucket bucket, long outage) {
        Seed seed = seeds.get(bucket);
        if (seed == null || seed.outage() != outage) {
            seed = seeds.compute(bucket, (b, s) -> s != null && s.outage() == outage ? s : start(b, s, outage,
                    spendSource.apply(b)));
        }
        seed.refresh(bucket, local, clock.instant(), callsEnd, spendSource);
        return seed;
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
        Money heldAmount = held.map(Grant::amount).orElse(Money.ZERO);
        return new Seed(outage, base.plus(heldAmount), heldAmount, held, clock.instant());
    }

    /** How a bucket's local counter started in one outage, and what it holds for calls in flight then. */
    private static final class Seed {
        private final long outage;
        /** The spend and reservations it started from: this replica's share is of what they left. */
        private final Money counted;
        /** What it held at the start for calls in flight when Redis went away. */
        private final Money heldAtStart;
        private final Instant started;
        /** What it holds for them now: less as the ledger shows them settled, none once they must have ended. */
        private Optional<Grant> inFlight;
        /** Spend the ledger showed that was not this replica's, added to the counter since it started. */
        private Money added = Money.ZERO;
        private Instant refreshed;

        Seed(long outage, Money counted, Money heldAtStart, Optional<Grant> inFlight, Instant started) {
            this.outage = outage;
            this.counted = counted;
            this.heldAtStart = heldAtStart;
            this.inFlight = inFlight;
            this.started = started;
            this.refreshed = started; // the ledger was read as it started
        }

        long outage() {
            return outage;
        }

        Money counted() {
            return counted;
        }

        /**
         * Brings the counter up to the ledger, at most once per {@link #REFRESH}: the ledger's spend beyond what the
         * counter has (its start and this replica's own settles) is added, and the hold for calls in flight shrinks
         * by it; after {@code callsEnd} the hold is given back whole.
         */
        synchronized void refresh(Bucket bucket, InMemoryBudgetStore local, Instant now, Duration callsEnd,
                Function<Bucket, Optional<Money>> spendSource) {
            if (now.isBefore(refreshed.plus(REFRESH))) {
                return;
            }
            refreshed = now;
            if (!now.isBefore(started.plus(callsEnd))) {
                giveBack(local);
            }
            // The ledger is read before the counter: a local settle after this read has its row written after it,
            // so it is never counted from both.
            Optional<Money> ledger = spendSource.apply(bucket);
            if (ledger.isEmpty()) {
                return;
            }
            Money own = local.state(bucket).spent().minus(added); // where it started, plus this replica's spend
            Money others = ledger.get().minus(own);
            if (others.isGreaterThan(added)) {
                Money more = others.minus(added);
                Claim unlimited = new Claim(bucket, NO_LIMIT);
                local.reserve(List.of(unlimited), more, more).ifPresent(g -> local.settle(g, more));
                added = others;
            }
            Money stillHeld = heldAtStart.minus(added).max(Money.ZERO);
            inFlight.ifPresent(g -> {
                if (g.amount().isGreaterThan(stillHeld)) {
                    Grant left = local.release(g, g.amount().minus(stillHeld));
                    inFlight = left.amount().isPositive() ? Optional.of(left) : Optional.empty();
                }
            });
        }

        synchronized void giveBack(InMemoryBudgetStore local) {
            inFlight.ifPresent(g -> local.release(g, g.amount()));
            inFlight = Optional.empty();
        }
    }
}
