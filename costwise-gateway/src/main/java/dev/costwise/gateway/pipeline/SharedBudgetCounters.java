package dev.costwise.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.BudgetDef;
import dev.costwise.llm.spi.BudgetStore;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.BucketState;
import dev.costwise.llm.spi.BudgetStore.Claim;
import dev.costwise.llm.spi.BudgetStore.Grant;
import dev.costwise.llm.spi.SpendLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

/**
 * {@link BudgetBook}'s counters kept in a {@link BudgetStore} (Redis) instead of this process, so a hard limit holds
 * across every replica: a request's reservation against all its budgets is one atomic store operation, settled with
 * the real cost afterwards. Amounts stay exact {@link Money} here; Redis keeps spend to the ledger's pico-dollar and
 * reservations in whole nano-dollars.
 *
 * <p>The ledger stays the source of truth: the first time this replica uses a budget window, the window's spend is
 * read from the ledger and restored into the store, which keeps what it already has (so replicas starting together
 * never count spend twice); after Redis lost its data, every window this replica knows is restored again. When this
 * replica cannot reach Redis (from the start, or when it drops) its local fallback counters start from the window's
 * spend in the ledger (every replica's), or from what Redis last showed spent and reserved when that is more, so a
 * budget spent or reserved before the outage stays refused during it; as the outage lasts they keep up with the ledger
 * (other replicas' spend), and a refusal names this replica's share of the limit when that is what refused it.
 * Thread-safe.
 */
final class SharedBudgetCounters {
    private final BudgetStore store;
    private final SpendLedger ledger;
    private final Clock clock;
    /**
     * The buckets this replica has used, with the hold last used with each (for statuses, which show its limit, and
     * rebuilds). Bounded like the
     * local counters, as user budgets make one per end user; a bucket pushed out is restored (kept as Redis has it)
     * the next time it is used.
     */
    private final ConcurrentMap<Bucket, BudgetBook.Hold> known = Caffeine.newBuilder()
            .maximumSize(BudgetBook.MAX_COUNTERS).<Bucket, BudgetBook.Hold>build().asMap();
    /** The counters last read or returned by a settle, for routing's reads of global budgets. */
    private final ConcurrentMap<Bucket, Seen> recent = Caffeine.newBuilder()
            .maximumSize(BudgetBook.MAX_COUNTERS).<Bucket, Seen>build().asMap();
    private final java.util.function.LongSupplier nanoTime = System::nanoTime;

    /** How long a bucket's counters, as a settle returned them, answer {@link #recentState}. */
    static final Duration RECENT = Duration.ofSeconds(2);

    private record Seen(BucketState state, long atNanos) {}

    SharedBudgetCounters(BudgetStore store, SpendLedger ledger, Clock clock) {
        this.store = store;
        this.ledger = ledger;
        this.clock = clock;
        if (store instanceof dev.costwise.redis.RedisBudgetStore redis) {
            // cut off from Redis, this replica's local counters start from every replica's spend in the ledger
            redis.fallbackSpendFrom(b -> Optional.ofNullable(known.get(b))
                    .map(h -> spentInLedger(h, b.windowStart())));
        }
    }

    /** Hears a settle's effect on one budget, to alert on thresholds crossed. */
    interface Settled {
        void accept(BudgetBook.Hold hold, Money spentBefore, Money spentAfter);
    }

    /**
     * Reserves {@code amount} against every hold, all or nothing.
     *
     * @return what the store granted, or the first budget without room
     */
    Reserved reserve(List<BudgetBook.Hold> holds, Money amount) {
        List<Bucket> buckets = new ArrayList<>(holds.size());
        List<Claim> claims = new ArrayList<>(holds.size());
        for (BudgetBook.Hold h : holds) {
            Bucket b = bucket(h);
            buckets.add(b);
            claims.add(new Claim(b, h.limit()));
        }
        if (holds.isEmpty()) {
            return new Reserved(Optional.empty(), Optional.empty()); // no budget applies: nothing to hold
        }
        Optional<Grant> granted = store.reserve(claims, amount, amount);
        if (granted.isPresent()) {
            return new Reserved(granted, Optional.empty());
        }
        for (int i = 0; i < holds.size(); i++) {
            Optional<BudgetBook.Exhausted> full = withoutRoom(holds.get(i), buckets.get(i), amount);
            if (full.isPresent()) {
                return new Reserved(Optional.empty(), full);
            }
        }
        // the counters moved since the refusal: the last budget names it
        BudgetBook.Hold last = holds.getLast();
        Bucket b = buckets.getLast();
        return new Reserved(Optional.empty(), Optional.of(exhausted(last, b, store.state(b), outageLimit(last, b))));
    }

    /**
     * Finds the first hold whose window has no room for {@code amount}, reserving nothing.
     *
     * @return the first budget without room; empty when every hold has room
     */
    Optional<BudgetBook.Exhausted> firstWithoutRoom(List<BudgetBook.Hold> holds, Money amount) {
        for (BudgetBook.Hold h : holds) {
            Optional<BudgetBook.Exhausted> full = withoutRoom(h, bucket(h), amount);
            if (full.isPresent()) {
                return full;
            }
        }
        return Optional.empty();
    }

    /**
     * @return the hold's budget if its bucket has no room for {@code amount} under its limit, or, while Redis is
     *     unreachable, under this replica's share of it
     */
    private Optional<BudgetBook.Exhausted> withoutRoom(BudgetBook.Hold h, Bucket b, Money amount) {
        BucketState s = store.state(b);
        Optional<Money> share = outageLimit(h, b);
        Money cap = share.map(h.limit()::min).orElse(h.limit());
        return s.spent().plus(s.reserved()).plus(amount).isGreaterThan(cap)
                ? Optional.of(exhausted(h, b, s, share)) : Optional.empty();
    }

    /** @return while Redis is unreachable, how much of the hold's limit this replica may count alone */
    private Optional<Money> outageLimit(BudgetBook.Hold h, Bucket b) {
        return store instanceof dev.costwise.redis.RedisBudgetStore redis
                ? redis.outageLimit(new Claim(b, h.limit())) : Optional.empty();
    }

    private BudgetBook.Exhausted exhausted(BudgetBook.Hold h, Bucket b, BucketState s, Optional<Money> share) {
        Instant reset = BudgetBook.windowEnd(h.def().window(), b.windowStart());
        return new BudgetBook.Exhausted(h.def(), h.limit(), s.spent(), s.reserved(), reset,
                Duration.between(clock.instant(), reset), share.filter(h.limit()::isGreaterThan));
    }

    /**
     * The outcome of {@link #reserve}.
     *
     * @param grant what the store granted, one bucket per hold; empty when refused or when no budget applies
     * @param exhausted the first budget without room, if the reservation was refused
     */
    record Reserved(Optional<Grant> grant, Optional<BudgetBook.Exhausted> exhausted) {}

    /** Replaces the reservation {@code grant} by {@code actual}. */
    void settle(List<BudgetBook.Hold> holds, Grant grant, Money actual, Settled listener) {
        store.settle(grant, actual);
        heard(holds, grant.buckets(), actual, listener);
    }

    /** Whatever a bucket holds, a reservation of nothing under this limit has room: {@link #charge} cannot fail. */
    private static final Money NO_LIMIT = Money.ofDollars(1_000_000_000L);

    /**
     * Adds a cost to the hold's window without a reservation of it before (a call that was in flight when a key's own
     * budget started a new count): reserves nothing there, whatever it holds, and settles the cost.
     */
    void charge(BudgetBook.Hold hold, Money actual) {
        Bucket b = bucket(hold);
        store.reserve(List.of(new Claim(b, NO_LIMIT)), Money.ZERO, Money.ZERO)
                .ifPresent(grant -> store.settle(grant, actual));
    }

    /** Writes a settle together with something else in one round trip (see {@link BudgetBook.Reservation}). */
    interface Combined {
        /** @return {@code false} when it did nothing (settle apart) */
        boolean settle(dev.costwise.redis.RedisBudgetStore store, Grant grant, Money actual);
    }

    /** Like {@link #settle}, in the round trip of {@code combined}; {@code false}: nothing done, settle apart. */
    boolean settleAlong(List<BudgetBook.Hold> holds, Grant grant, Money actual, Settled listener,
            Combined combined) {
        if (!(store instanceof dev.costwise.redis.RedisBudgetStore redis)
                || !combined.settle(redis, grant, actual)) {
            return false;
        }
        heard(holds, grant.buckets(), actual, listener);
        return true;
    }

    /** The counters after a settle (answered from the settle's own reply, no round trip), to alert and route. */
    private void heard(List<BudgetBook.Hold> holds, List<Bucket> buckets, Money actual, Settled listener) {
        for (int i = 0; i < holds.size(); i++) {
            BucketState s = store.state(buckets.get(i));
            recent.put(buckets.get(i), new Seen(s, nanoTime.getAsLong()));
            Money after = s.spent();
            listener.accept(holds.get(i), after.minus(actual), after);
        }
    }

    /** @return the buckets and claims of {@code holds}, for a reservation made with a cache lookup */
    List<Claim> claims(List<BudgetBook.Hold> holds, List<Bucket> buckets) {
        List<Claim> claims = new ArrayList<>(holds.size());
        for (int i = 0; i < holds.size(); i++) {
            claims.add(new Claim(buckets.get(i), holds.get(i).limit()));
        }
        return claims;
    }

    /** @return the buckets of {@code holds} */
    List<Bucket> buckets(List<BudgetBook.Hold> holds) {
        return holds.stream().map(this::bucket).toList();
    }

    /**
     * The counters of the hold's current window as a settle on this replica left them at most {@link #RECENT} ago,
     * else read (and remembered): routing reads global budgets on every request without a round trip each.
     */
    BucketState recentState(BudgetBook.Hold hold) {
        Bucket b = bucket(hold);
        Seen seen = recent.get(b);
        long now = nanoTime.getAsLong();
        if (seen != null && now - seen.atNanos() < RECENT.toNanos()) {
            return seen.state();
        }
        BucketState s = store.state(b);
        recent.put(b, new Seen(s, now));
        return s;
    }

    /** @return the counters of the hold's current window */
    BucketState state(BudgetBook.Hold hold) {
        return store.state(bucket(hold));
    }

    /** Counts the hold's current window among this replica's buckets, restored from the ledger if Redis lacks it. */
    void track(BudgetBook.Hold hold) {
        bucket(hold);
    }

    /** @return every bucket this replica has used, with its hold */
    Map<Bucket, BudgetBook.Hold> known() {
        return Map.copyOf(known);
    }

    /**
     * The bucket of a hold's current window; restored from the ledger the first time this replica uses it. A later
     * generation of a budget (a key's own, added back or moved to another window) is another bucket, which Redis
     * lacks: restored from the ledger, it counts all the spend of the window, not the earlier count found in Redis.
     */
    private Bucket bucket(BudgetBook.Hold h) {
        BudgetDef d = h.def();
        Instant start = BudgetBook.windowStart(d.window(), clock.instant());
        Bucket b = new Bucket(d.name() + "|" + d.scope() + "|" + d.window() + "|" + h.scopeValue().orElse("")
                + (h.generation() == 0 ? "" : "|" + h.generation()), start);
        BudgetBook.Hold held = known.get(b);
        if (held == null) {
            store.restore(b, spentInLedger(h, start));
            known.putIfAbsent(b, h);
        } else if (!held.limit().equals(h.limit()) || !held.def().equals(h.def())) {
            known.put(b, h); // statuses show the limit in force now (a key's budget PATCHed on any replica)
        }
        return b;
    }

    private Money spentInLedger(BudgetBook.Hold h, Instant start) {
        return ledger.totalCost(BudgetBook.ledgerMatch(h), start, BudgetBook.windowEnd(h.def().window(), start));
    }
}
