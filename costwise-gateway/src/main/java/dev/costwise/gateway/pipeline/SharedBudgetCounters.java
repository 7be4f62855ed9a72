package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.BudgetDef;
import dev.costwise.llm.spi.BudgetStore;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.BucketState;
import dev.costwise.llm.spi.BudgetStore.Claim;
import dev.costwise.llm.spi.SpendLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link BudgetBook}'s counters kept in a {@link BudgetStore} (Redis) instead of this process, so a hard limit holds
 * across every replica: a request's reservation against all its budgets is one atomic store operation, settled with
 * the real cost afterwards. Amounts stay exact {@link Money} here and whole nano-dollars in Redis.
 *
 * <p>The ledger stays the source of truth: the first time this replica uses a budget window, the window's spend is
 * read from the ledger and restored into the store, which keeps what it already has (so replicas starting together
 * never count spend twice); after Redis lost its data, every window this replica knows is restored again.
 * Thread-safe.
 */
final class SharedBudgetCounters {
    private final BudgetStore store;
    private final SpendLedger ledger;
    private final Clock clock;
    /** Every bucket this replica has used, with the hold that names it (for statuses and rebuilds). */
    private final ConcurrentHashMap<Bucket, BudgetBook.Hold> known = new ConcurrentHashMap<>();

    SharedBudgetCounters(BudgetStore store, SpendLedger ledger, Clock clock) {
        this.store = store;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Hears a settle's effect on one budget, to alert on thresholds crossed. */
    interface Settled {
        void accept(BudgetBook.Hold hold, Money spentBefore, Money spentAfter);
    }

    /**
     * Reserves {@code amount} against every hold, all or nothing.
     *
     * @return the buckets reserved in, or the first budget without room
     */
    Reserved reserve(List<BudgetBook.Hold> holds, Money amount) {
        List<Bucket> buckets = new ArrayList<>(holds.size());
        List<Claim> claims = new ArrayList<>(holds.size());
        for (BudgetBook.Hold h : holds) {
            Bucket b = bucket(h);
            buckets.add(b);
            claims.add(new Claim(b, h.limit()));
        }
        if (holds.isEmpty() || store.reserve(claims, amount, amount).isPresent()) {
            return new Reserved(buckets, Optional.empty());
        }
        for (int i = 0; i < holds.size(); i++) {
            BucketState s = store.state(buckets.get(i));
            Money used = s.spent().plus(s.reserved());
            if (used.plus(amount).isGreaterThan(holds.get(i).limit()) || i == holds.size() - 1) {
                BudgetBook.Hold h = holds.get(i);
                Instant reset = BudgetBook.windowEnd(h.def().window(), buckets.get(i).windowStart());
                return new Reserved(buckets, Optional.of(new BudgetBook.Exhausted(h.def(), h.limit(), used, reset,
                        Duration.between(clock.instant(), reset))));
            }
        }
        throw new IllegalStateException("unreachable: holds is not empty");
    }

    /**
     * The outcome of {@link #reserve}.
     *
     * @param buckets the buckets, one per hold
     * @param exhausted the first budget without room, if the reservation was refused
     */
    record Reserved(List<Bucket> buckets, Optional<BudgetBook.Exhausted> exhausted) {}

    /** Replaces the reservation {@code amount} in {@code buckets} by {@code actual}. */
    void settle(List<BudgetBook.Hold> holds, List<Bucket> buckets, Money amount, Money actual, Settled listener) {
        if (buckets.isEmpty()) {
            return;
        }
        store.settle(buckets, amount, actual);
        for (int i = 0; i < holds.size(); i++) {
            Money after = store.state(buckets.get(i)).spent();
            listener.accept(holds.get(i), after.minus(actual), after);
        }
    }

    /** @return the counters of the hold's current window */
    BucketState state(BudgetBook.Hold hold) {
        return store.state(bucket(hold));
    }

    /** @return every bucket this replica has used, with its hold */
    Map<Bucket, BudgetBook.Hold> known() {
        return Map.copyOf(known);
    }

    /** Restores every known window's spend from the ledger (after Redis came back without its data). */
    void rebuildFromLedger() {
        known.forEach((b, h) -> store.restore(b, spentInLedger(h, b.windowStart())));
    }

    /** The bucket of a hold's current window; restored from the ledger the first time this replica uses it. */
    private Bucket bucket(BudgetBook.Hold h) {
        BudgetDef d = h.def();
        Instant start = BudgetBook.windowStart(d.window(), clock.instant());
        Bucket b = new Bucket(d.name() + "|" + d.scope() + "|" + d.window() + "|" + h.scopeValue().orElse(""), start);
        if (!known.containsKey(b)) {
            store.restore(b, spentInLedger(h, start));
            known.putIfAbsent(b, h);
        }
        return b;
    }

    private Money spentInLedger(BudgetBook.Hold h, Instant start) {
        Map<String, String> match = switch (h.def().scope()) {
            case GLOBAL -> Map.of();
            case KEY -> Map.of("key", h.scopeValue().orElse(""));
            case MODEL -> Map.of("model", h.scopeValue().orElse(""));
        };
        return ledger.totalCost(match, start, BudgetBook.windowEnd(h.def().window(), start));
    }
}
