package dev.costwise.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.BudgetDef;
import dev.costwise.gateway.config.GatewayConfig.BudgetScope;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.gateway.pipeline.BudgetBook.Exhausted;
import dev.costwise.gateway.pipeline.BudgetBook.Hold;
import dev.costwise.gateway.pipeline.BudgetBook.Status;
import dev.costwise.llm.spi.SpendLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@link BudgetBook}'s counters kept in this process: the spend and the reservations of each budget window (a policy
 * for one scope value in one day or month), rebuilt from the ledger the first time a window is used.
 *
 * <p>Bounded, as user budgets make one window per end user, but never at a budget's expense:
 * <ul>
 *   <li>a window holding reservations of calls in flight is never pushed out (its Caffeine weight is zero while it
 *       holds any): those reservations are in no ledger, and a window rebuilt without them would let the same
 *       budget be spent twice;
 *   <li>a window pushed out is kept aside for {@link #PUSHED_OUT_KEPT} and taken back when its scope returns,
 *       because the ledger rows of its last calls may still be queued for the database; only after that is it
 *       rebuilt from the ledger.
 * </ul>
 *
 * <p>Every operation holds this object's lock: reservations are all-or-nothing across a request's budgets, and
 * eviction (run on the calling thread) then never meets a counter being changed. Thread-safe.
 */
final class LocalBudgetCounters {
    /** How long a window pushed out of memory is kept aside before its spend is read from the ledger again. */
    static final Duration PUSHED_OUT_KEPT = Duration.ofMinutes(1);

    private final SpendLedger ledger;
    private final Clock clock;
    private final Cache<CounterKey, Counter> counters;
    private final Cache<CounterKey, Counter> pushedOut;

    /**
     * Which counter: a budget by name, scope and window, for one scope value; as a Redis bucket is named. Its limit
     * is not part of it: a limit changed (a key's budget PATCHed) changes what the spend is compared with, never the
     * spend counted so far, which is everything the ledger matches in the window. Nor is its generation: a later one
     * replaces the counter (rebuilt from the ledger) as a new window does, so a call reserved in the earlier count
     * is still charged to the current one.
     */
    private record CounterKey(String name, BudgetScope scope, BudgetWindow window, Optional<String> scopeValue) {
        static CounterKey of(Hold h) {
            return new CounterKey(h.def().name(), h.def().scope(), h.def().window(), h.scopeValue());
        }
    }

    /** One budget's spend and reservations in one window; changed only under the lock. */
    static final class Counter {
        private final Instant start;
        /** The budget's generation counted here ({@link Hold#generation()}). */
        private final long generation;
        private Money spent;
        private Money reserved = Money.ZERO;
        /** The policy and limit last used with this counter, which statuses show. */
        private Hold latest;

        private Counter(Instant start, Money spent, Hold latest) {
            this.start = start;
            this.generation = latest.generation();
            this.spent = spent;
            this.latest = latest;
        }

        /** Shows the hold's limit from now on, unless it is of an earlier generation (a call reserved before). */
        private void usedWith(Hold h) {
            if (h.generation() == generation) {
                latest = h;
            }
        }

        /** @return whether this counter counts the hold's window: that window, and its generation or a later one */
        private boolean counts(Hold h, Instant windowStart) {
            return start.equals(windowStart) && generation >= h.generation();
        }
    }

    /**
     * @param ledger where a window's past spend is read from
     * @param clock decides the current window, and how long a pushed-out window is kept aside
     * @param maxCounters how many idle windows are kept in memory (windows holding reservations come on top)
     * @param maxAside at most how many pushed-out windows are kept aside
     */
    LocalBudgetCounters(SpendLedger ledger, Clock clock, int maxCounters, int maxAside) {
        this.ledger = ledger;
        this.clock = clock;
        // Maintenance on the calling thread, which holds the lock: nothing is pushed out between two steps of ours.
        this.pushedOut = Caffeine.newBuilder().maximumSize(maxAside).expireAfterWrite(PUSHED_OUT_KEPT)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).executor(Runnable::run).build();
        this.counters = Caffeine.newBuilder().maximumWeight(maxCounters)
                .weigher((CounterKey k, Counter c) -> c.reserved.isZero() ? 1 : 0)
                .evictionListener((CounterKey k, Counter c, RemovalCause cause) -> {
                    if (k != null && c != null && cause == RemovalCause.SIZE) {
                        pushedOut.put(k, c);
                    }
                })
                .executor(Runnable::run).build();
    }

    /**
     * Reserves each hold's amount in its window, all or nothing.
     *
     * @param reservedIn receives, per hold, the counter reserved in (to release it there)
     * @return the first budget without room; empty when every hold was reserved
     */
    synchronized Optional<Exhausted> reserve(List<Hold> holds, List<Counter> reservedIn) {
        List<Counter> found = new ArrayList<>(holds.size());
        Optional<Exhausted> full = firstWithoutRoom(holds, found);
        if (full.isPresent()) {
            return full;
        }
        for (int i = 0; i < holds.size(); i++) {
            Counter c = found.get(i);
            c.reserved = c.reserved.plus(holds.get(i).amount());
            keep(CounterKey.of(holds.get(i)), c);
            reservedIn.add(c);
        }
        return Optional.empty();
    }

    /**
     * Finds the first hold whose window has no room for its amount, reserving nothing.
     *
     * @param found receives the window of each hold that has room, up to the first that has none
     * @return the first budget without room; empty when every hold has room
     */
    synchronized Optional<Exhausted> firstWithoutRoom(List<Hold> holds, List<Counter> found) {
        for (Hold h : holds) {
            Counter c = counter(h);
            Money used = c.spent.plus(c.reserved);
            if (used.plus(h.amount()).isGreaterThan(h.limit())) {
                Instant reset = BudgetBook.windowEnd(h.def().window(), c.start);
                return Optional.of(new Exhausted(h.def(), h.limit(), c.spent, c.reserved, reset,
                        Duration.between(clock.instant(), reset)));
            }
            found.add(c);
        }
        return Optional.empty();
    }

    /**
     * Replaces each hold's reservation by the real cost. The spend counts in the window the ledger row lands in, the
     * current one; a request that started in the window before has its reservation released there.
     *
     * @param reservedIn the counters {@link #reserve} reserved in, per hold
     * @param settled hears each budget's spend before and after, for alerts (called after the lock is released)
     */
    void settle(List<Hold> holds, List<Counter> reservedIn, Money actual, SharedBudgetCounters.Settled settled) {
        Money[] before = new Money[holds.size()];
        Money[] after = new Money[holds.size()];
        synchronized (this) {
            for (int i = 0; i < holds.size(); i++) {
                Hold h = holds.get(i);
                CounterKey id = CounterKey.of(h);
                Counter held = reservedIn.get(i);
                held.reserved = held.reserved.minus(h.amount()).max(Money.ZERO);
                keep(id, held);
                Counter c = counter(h);
                before[i] = c.spent;
                c.spent = c.spent.plus(actual);
                after[i] = c.spent;
                keep(id, c);
            }
        }
        for (int i = 0; i < holds.size(); i++) {
            settled.accept(holds.get(i), before[i], after[i]);
        }
    }

    /** Adds a cost to the hold's current window, which reserved nothing for it (see {@link BudgetBook}). */
    synchronized void charge(Hold h, Money actual) {
        Counter c = counter(h);
        c.spent = c.spent.plus(actual);
    }

    /** @return the hold's window's spend and reservations over its limit */
    synchronized double utilization(Hold h) {
        Counter c = counter(h);
        return c.spent.plus(c.reserved).ratioOf(h.limit());
    }

    /** Makes the hold's window known (rebuilt from the ledger if new), so {@link #statuses} shows it. */
    synchronized void track(Hold h) {
        counter(h);
    }

    /** @return the state of every window in memory that is current (past windows not used since they ended aside) */
    synchronized List<Status> statuses() {
        List<Status> out = new ArrayList<>();
        Instant now = clock.instant();
        counters.asMap().forEach((key, c) -> {
            var w = key.window();
            if (c.start.equals(BudgetBook.windowStart(w, now))) {
                BudgetDef def = c.latest.def();
                out.add(new Status(def.name(), def.scope(), key.scopeValue(), w, c.latest.limit(), c.spent,
                        c.reserved, BudgetBook.windowEnd(w, c.start), def.onExhausted()));
            }
        });
        return out;
    }

    /** @return windows in memory, idle or holding reservations (not those kept aside) */
    synchronized long inMemory() {
        counters.cleanUp();
        return counters.estimatedSize();
    }

    /** @return whether the hold's window is in memory (not aside, not only in the ledger) */
    synchronized boolean inMemory(Hold h) {
        return counters.getIfPresent(CounterKey.of(h)) != null;
    }

    /**
     * The hold's current window: in memory, taken back from aside, or rebuilt from the ledger (a new window, or a
     * new generation of the budget).
     */
    private Counter counter(Hold h) {
        Instant start = BudgetBook.windowStart(h.def().window(), clock.instant());
        CounterKey id = CounterKey.of(h);
        Counter c = counters.getIfPresent(id);
        if (c != null && c.counts(h, start)) {
            c.usedWith(h);
            return c;
        }
        Counter aside = pushedOut.asMap().remove(id);
        Counter current = aside != null && aside.counts(h, start) ? aside
                : new Counter(start, ledger.totalCost(BudgetBook.ledgerMatch(h), start,
                        BudgetBook.windowEnd(h.def().window(), start)), h);
        current.usedWith(h);
        // Replaces a past window's counter, if any: reservations still held there are released on it directly.
        counters.put(id, current);
        return current;
    }

    /**
     * Writes a changed counter back, so its weight follows its reservations (pinned while it holds any), and puts
     * it back if it was pushed out while idle in this same operation. A past window's counter replaced by the
     * current one is left out.
     */
    private void keep(CounterKey id, Counter c) {
        counters.asMap().compute(id, (k, cur) -> cur == null || cur == c ? c : cur);
    }
}
