package dev.costwise.redis;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.costwise.core.Money;
import dev.costwise.llm.budget.InMemoryBudgetStore;
import dev.costwise.llm.spi.BudgetStore;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A {@link BudgetStore} in Redis, shared by every replica: a reservation over several buckets is one Lua script, so it
 * holds in every bucket or in none and concurrent replicas together can never pass a hard limit.
 *
 * <p>Each bucket is a hash {@code <prefix>:budget:<budget>:<windowStartMillis>}: {@code reserved} in whole nano-dollars
 * (reservations are rounded up to the nano-dollar, limits down), and the spend exact to the pico-dollar as the ledger
 * keeps it, whole nano-dollars in {@code spent} and the pico-dollars below them in {@code spent_picos}, so
 * {@link #state} shows what the ledger sums. A limit check counts a part of a nano-dollar spent as a whole one, so
 * rounding never lets spend pass a limit; counters are exact up to 2<sup>53</sup> nano-dollars, about $9 million, per
 * bucket. A bucket expires {@link RedisOptions#bucketRetention()} after its window starts. Scripts run by
 * {@code EVALSHA}: one round trip per reserve, settle or release. Each reservation also keeps a hold key with the
 * amount it still holds ({@link BudgetScripts}), so a write whose reply never came can be sent again without counting
 * twice, and a reservation whose reply never came is voided (undone if Redis made it) before shared reservations
 * resume. Needs Redis 6.2 or later ({@code SET ... PXAT}). The settle script returns the counters it left, and the
 * first {@link #state} read of each of those buckets by the same thread within a second is answered from them (the
 * budget guard reads the state right after settling, to check soft thresholds), which saves a round trip per call.
 *
 * <p>{@link #restore} only fills a counter Redis lacks ({@code HSETNX}), so replicas that start together and all
 * rebuild from the ledger never count the same spend twice. It also gives the bucket a random <em>generation</em>,
 * which every script returns with the counters. <b>A bucket Redis lost</b> (restarted empty, failed over, flushed),
 * even without an outage this replica noticed, is rebuilt before it is used again: a reservation that finds it missing
 * restores it from {@link #fallbackSpendFrom}'s source (the ledger) first. The reservations this replica made in Redis
 * and has not settled yet are then held again in the rebuilt bucket, by the replica that rebuilt it at once and by
 * every other as soon as a reply shows it the new generation; a settle whose hold is gone adds its cost to a bucket of
 * another generation than the one it reserved in (a rebuilt bucket never held it, and its row is not in the ledger yet:
 * the gateway settles before it writes the row), and to no other (a settle sent twice counts once). A settle that
 * finds its bucket missing rebuilds it and adds its cost there.
 *
 * <p><b>When Redis is unreachable</b> reservations are made in a local {@link InMemoryBudgetStore}. Each bucket's local
 * counter starts, the first time it is used in each outage, from what was counted before it: the spend given to
 * {@link #restore} while Redis was down (at start), else what the function given to {@link #fallbackSpendFrom} reads
 * (the gateway reads the shared ledger, so every replica's rows count); and, held as a reservation until Redis answers
 * again, whatever more the bucket held in Redis (spent plus reserved) when this replica last read it (every reserve,
 * settle and state script returns the counters), which covers the reservations in flight on every replica when Redis
 * went away. New spend is then allowed up to {@link RedisOptions#localShare()} of what that left of the limit: with
 * {@code counted = max(spent at fallback, last seen spent + reserved)}, this replica's local limit is
 * {@code counted + share × (limit − counted)}, so a budget already spent or reserved stays refused and replicas whose
 * shares add up to at most 1 together stay within the limit. What an outage can still let through: what the counter
 * started without (ledger rows still being written and reservations made after this replica's last read of the bucket,
 * or all of it when no spend source is set and Redis was never read), and spend that replicas still reaching Redis make
 * while others are cut off from it. Spend settled locally, settlements of reservations that had been made in Redis, and
 * reservations whose reply never came are kept as pending writes and sent when Redis answers again, in order, before
 * shared reservations resume. If Redis came back empty (restarted without persistence), the pending writes are dropped
 * and the handler given to {@link #rebuildOnDataLoss} runs instead (typically {@code budgets.rebuildFrom(ledger)}: the
 * ledger already holds that spend). Each {@link Grant} names where it was made, so a settle or release goes there even
 * when Redis went away or came back in between. While Redis is down {@link #state} reports the local counters, which
 * keep up with the ledger as the outage lasts: other replicas' spend, and that of the calls in flight when Redis went
 * away, is counted as spent once their rows are in the ledger, and what was held for those calls is given back as they
 * settle, or once they must have ended ({@link #callsEndWithin}); see {@code OutageSeeds}.
 *
 * <p>Every reservation has a lease ({@link RedisOptions#reservationLease()}): once it ends unsettled, the next
 * reservation in one of its buckets or {@link #state} read of one, by any replica, gives it back there, so the
 * reservations of a replica that died mid-call hold their room for at most the lease. Thread-safe.
 */
public final class RedisBudgetStore implements BudgetStore {

    private static final BigDecimal NANOS_PER_DOLLAR = BigDecimal.valueOf(1_000_000_000L);
    private static final Duration MINIMUM_LIFE = Duration.ofDays(1);
    private static final long JUST_SETTLED_NANOS = Duration.ofSeconds(1).toNanos();
    /** The reply of a reservation whose bucket Redis lacks ({@link BudgetScripts}). */
    private static final long MISSING_BUCKET = -3;
    private static final int MAX_GENERATIONS = 100_000;
    /** Past this many unsettled reservations, those whose lease ended are forgotten (a caller that never settled). */
    private static final int IN_FLIGHT_PRUNED_ABOVE = 10_000;

    private final RedisConnection redis;
    private final InMemoryBudgetStore local = new InMemoryBudgetStore();
    private final OutageSeeds seeds;
    private final PendingBudgetWrites pending = new PendingBudgetWrites();
    /** Names this store's holds and markers apart from other replicas'. */
    private final String instance = Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final AtomicLong ids = new AtomicLong();
    /**
     * Reservations this replica made in Redis and has not settled, by hold key: held again in a bucket rebuilt
     * without them, so the calls in flight when Redis lost its data still count in the rebuilt window.
     */
    private final ConcurrentMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
    /** Each bucket's generation as this replica last saw it: another one means the bucket was rebuilt. */
    private final ConcurrentMap<Bucket, Long> generations = Caffeine.newBuilder().maximumSize(MAX_GENERATIONS)
            .<Bucket, Long>build().asMap();
    private volatile Function<Bucket, Optional<Money>> spendSource = b -> Optional.empty();
    /** Whether a reservation that finds a bucket missing rebuilds it from {@link #spendSource} first. */
    private volatile boolean rebuildsLost;
    private final LongAdder localReservations = new LongAdder();
    private volatile Runnable dataLossHandler = () -> {};
    /** The counters this thread's last settle left, for the state read a budget guard makes right after it. */
    private final ThreadLocal<JustSettled> justSettled = new ThreadLocal<>();

    /** Where a reservation made in Redis is held: its hold key. */
    private record SharedHold(RedisBudgetStore store, String key) {
        @Override
        public String toString() {
            return "redis hold " + key;
        }
    }

    private RedisBudgetStore(RedisConnection redis) {
        this.redis = redis;
        this.seeds = new OutageSeeds(local, redis.options().localShare(), redis.options().clock(),
                redis.options().reservationLease());
        redis.onRecovery(this::recover);
    }

    /**
     * A budget store on {@code redis}.
     *
     * @param redis the connection (its options give the key prefix, the local share and the clock)
     * @return the store
     */
    public static RedisBudgetStore on(RedisConnection redis) {
        return new RedisBudgetStore(Objects.requireNonNull(redis, "redis"));
    }

    /**
     * What to run when Redis comes back from an outage without its data: rebuild the counters from the ledger, for
     * example {@code store.rebuildOnDataLoss(() -> budgets.rebuildFrom(ledger))}. Default: nothing, and the spend made
     * locally during the outage is pushed back as usual.
     *
     * @param handler runs on the probe thread before shared reservations resume
     */
    public void rebuildOnDataLoss(Runnable handler) {
        this.dataLossHandler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Where a bucket's spend is read when this replica falls back to its local counters (at start or when Redis
     * drops): the local counter starts from it (or from what Redis last showed spent and reserved, when more), so
     * spend made before the outage still counts against the limit. Once it is set, a bucket Redis lost is rebuilt
     * from it before a reservation or a state read uses it (without it, such a bucket counts from nothing again), so
     * {@link #rebuildOnDataLoss} need not rebuild every bucket before requests may use Redis again.
     * Read once per bucket per outage, on the first local reservation or state read of the bucket. Default: nothing
     * (the counter starts from what {@link #restore} gave while Redis was down, else the share applies to the whole
     * limit).
     *
     * @param spent the bucket's spend in its window (the gateway reads the shared ledger); empty when unknown
     */
    public void fallbackSpendFrom(Function<Bucket, Optional<Money>> spent) {
        seeds.spendFrom(Objects.requireNonNull(spent, "spent"));
        this.spendSource = spent;
        this.rebuildsLost = true;
    }

    /**
     * How long a call may run at most (the gateway's request timeout and the time to settle it): once that long has
     * passed since a bucket's local counter started in an outage, the counter stops holding anything for the
     * reservations Redis last showed in flight, as their calls have ended. Default: the reservation lease.
     *
     * @param within the longest a call may hold a reservation
     */
    public void callsEndWithin(Duration within) {
        if (within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("within must be positive, was " + within);
        }
        seeds.callsEndWithin(within);
    }

    /**
     * While Redis is unreachable, the most this replica lets the claim's bucket count (spent and reserved) before it
     * refuses a reservation: what the bucket had counted when the local counter started, plus this replica's
     * {@link RedisOptions#localShare()} of what that left of the limit.
     *
     * @param claim a bucket and its limit
     * @return that limit; empty while Redis answers (the claim's own limit applies)
     */
    public Optional<Money> outageLimit(Claim claim) {
        Objects.requireNonNull(claim, "claim");
        return redis.isAvailable() ? Optional.empty() : Optional.of(seeds.localLimit(claim, redis.outages()));
    }

    /** @return reservations made in the local fallback store because Redis was unreachable */
    public long localReservations() {
        return localReservations.sum();
    }

    @Override
    public Optional<Grant> reserve(List<Claim> claims, Money minimum, Money maximum) {
        Objects.requireNonNull(claims, "claims");
        Objects.requireNonNull(minimum, "minimum");
        Objects.requireNonNull(maximum, "maximum");
        if (minimum.isNegative()) {
            throw new IllegalArgumentException("minimum cannot be negative, was " + minimum);
        }
        if (minimum.isGreaterThan(maximum)) {
            throw new IllegalArgumentException("minimum (" + minimum + ") cannot exceed maximum (" + maximum + ")");
        }
        if (claims.isEmpty()) {
            throw new IllegalArgumentException("claims cannot be empty");
        }
        justSettled.remove(); // counters an earlier settle left are stale once this reservation changes them
        if (redis.isAvailable()) {
            ReserveCall call = reserveCall(claims, minimum, maximum);
            try {
                List<?> reply = (List<?>) redis.eval(BudgetScripts.RESERVE, call.keys(), call.args());
                // a bucket Redis lost (restarted empty, flushed) is rebuilt, with the reservations in flight here
                for (int rebuilt = 0; (Long) reply.get(0) == MISSING_BUCKET && rebuilt < claims.size(); rebuilt++) {
                    rebuild(call.buckets().get(((Long) reply.get(1)).intValue() - 1));
                    reply = (List<?>) redis.eval(BudgetScripts.RESERVE, call.keys(), call.args());
                }
                return granted(call, reply, 0);
            } catch (RedisUnavailableException e) {
                // Redis may have made it all the same: undo that when it answers, then use this replica's share
                inDoubt(call.voidIt());
            }
        }
        localReservations.increment();
        long outage = redis.outages();
        List<Claim> shares = claims.stream().map(c -> new Claim(c.bucket(), seeds.localLimit(c, outage))).toList();
        return local.reserve(shares, minimum, maximum);
    }

    /**
     * A reservation about to be sent: its hold, and the keys and arguments {@link BudgetScripts#RESERVE} takes (the
     * lookup-and-reserve script takes the same after its own).
     */
    private record ReserveCall(SharedHold hold, List<Bucket> buckets, BudgetWrite.BucketKeys bucketKeys,
            List<String> args, long holdExpiry, long leaseEnd) {
        /** @return the script keys: the hold, the buckets, their lease sets */
        List<String> keys() {
            return bucketKeys.after(hold.key());
        }

        /** @return the grant for the amount the script returned, or empty when a bucket had no room */
        Optional<Grant> granted(long amount) {
            if (amount == -2) {
                throw new IllegalStateException("budget hold " + hold.key() + " already exists in redis");
            }
            return amount < 0 ? Optional.empty() : Optional.of(new Grant(buckets, Money.ofNanos(amount), hold));
        }

        /** @return the write that undoes this reservation if Redis made it after all */
        BudgetWrite voidIt() {
            return new BudgetWrite.VoidReservation(hold.key(), bucketKeys, holdExpiry);
        }
    }

    /**
     * @param from where the reservation's reply starts: the amount, then each bucket's counters unless the hold
     *     existed
     * @return the grant for the amount the script returned, or empty when a bucket had no room
     */
    private Optional<Grant> granted(ReserveCall call, List<?> reply, int from) {
        long amount = (Long) reply.get(from);
        if (amount == MISSING_BUCKET) {
            return Optional.empty(); // lost again while being rebuilt: refused rather than counted from nothing
        }
        Map<Bucket, BucketCounters> counters = reply.size() > from + 1
                ? saw(call.buckets(), reply, from + 1) : Map.of();
        Optional<Grant> grant = call.granted(amount);
        if (grant.isPresent() && counters.size() == call.buckets().size()) {
            long[] gens = call.buckets().stream().mapToLong(b -> counters.get(b).generation()).toArray();
            if (inFlight.size() > IN_FLIGHT_PRUNED_ABOVE) {
                long now = redis.options().clock().millis();
                inFlight.values().removeIf(f -> f.leaseEnd < now);
            }
            inFlight.put(call.hold().key(), new InFlight(call.buckets(), amount, call.leaseEnd(), call.holdExpiry(),
                    gens));
        }
        return grant;
    }

    private ReserveCall reserveCall(List<Claim> claims, Money minimum, Money maximum) {
        SharedHold hold = newHold();
        int n = claims.size();
        List<Bucket> buckets = new ArrayList<>(n);
        List<String> args = new ArrayList<>(5 + 2 * n);
        args.add(Long.toString(minimum.toNanosCeiling()));
        args.add(Long.toString(maximum.toNanosCeiling()));
        for (Claim c : claims) {
            buckets.add(c.bucket());
            args.add(Long.toString(nanosFloor(c.limit())));
        }
        long holdExpiry = Long.MIN_VALUE;
        for (Bucket b : buckets) {
            long expiry = expireAt(b);
            holdExpiry = Math.max(holdExpiry, expiry); // a hold lives as long as the longest-lived of its buckets
            args.add(Long.toString(expiry));
        }
        args.add(Long.toString(holdExpiry));
        Instant now = redis.options().clock().instant();
        args.add(Long.toString(now.toEpochMilli()));
        long leaseEnd = now.plus(redis.options().reservationLease()).toEpochMilli();
        args.add(Long.toString(leaseEnd));
        args.add(rebuildsLost ? "1" : "0");
        return new ReserveCall(hold, buckets, bucketKeysOf(buckets), args, holdExpiry, leaseEnd);
    }

    @Override
    public void settle(Grant grant, Money actual) {
        Objects.requireNonNull(actual, "actual");
        NanosAndPicos a = NanosAndPicos.of(actual);
        if (madeLocally(grant)) {
            local.settle(grant, actual);
            justSettled.remove();
            for (Bucket b : grant.buckets()) {
                pending.addLocalSpend(keyOf(b), a, expireAt(b));
            }
            sendPending();
            return;
        }
        BudgetWrite.Settle write = settleWrite(sharedHold(grant), grant.buckets(), a);
        justSettled.remove(); // counters an earlier settle left are stale once this one changes them
        try {
            List<?> after = (List<?>) write.sendTo(redis);
            rememberSettled(grant.buckets(), after);
            settleInRebuilt(write, grant.buckets(), after, 0);
        } catch (RedisUnavailableException e) {
            inDoubt(write);
            return;
        }
        if (!pending.isEmpty()) {
            sendPending(); // a write that failed while Redis stayed up (a pool timeout) goes now
        }
    }

    /** What {@link #lookupOrReserve} found. */
    public sealed interface Lookup {
        /** @param value the cached bytes */
        record Hit(byte[] value) implements Lookup {}

        /** @param grant the fill lock is the caller's; what was reserved, or empty when a budget had no room */
        record Locked(Optional<Grant> grant) implements Lookup {}

        /** Another caller holds the fill lock: nothing was reserved. */
        record LockedElsewhere() implements Lookup {}
    }

    /**
     * In one round trip: reads a cache entry and, when it is absent, takes its fill lock ({@code SET NX PX}) and
     * reserves {@code amount} in every claim's bucket, all or nothing (the {@link #reserve} logic with minimum =
     * maximum). A hit or a lock held elsewhere reserves nothing. For a cache that keeps its entries next to the
     * budget counters (the gateway's shared response cache).
     *
     * @param entryKey the full Redis key of the entry
     * @param lockKey the full Redis key of its fill lock
     * @param token this caller's lock token
     * @param lockTtl how long the lock lives if never released
     * @param claims the buckets and limits to reserve in (not empty)
     * @param amount the reservation
     * @return the outcome
     * @throws RedisUnavailableException if Redis is down (use the local paths instead); a reservation Redis may have
     *     made all the same is undone when it answers again
     */
    public Lookup lookupOrReserve(String entryKey, String lockKey, byte[] token, Duration lockTtl, List<Claim> claims,
            Money amount) {
        Objects.requireNonNull(token, "token");
        if (claims.isEmpty()) {
            throw new IllegalArgumentException("claims cannot be empty");
        }
        ReserveCall call = reserveCall(claims, amount, amount); // all of it or nothing
        List<byte[]> keys = new ArrayList<>(2 + call.keys().size());
        keys.add(RedisConnection.bytes(entryKey));
        keys.add(RedisConnection.bytes(lockKey));
        call.keys().forEach(k -> keys.add(RedisConnection.bytes(k)));
        List<byte[]> args = new ArrayList<>(2 + call.args().size());
        args.add(token);
        args.add(RedisConnection.bytes(Long.toString(Math.max(1, lockTtl.toMillis()))));
        call.args().forEach(a -> args.add(RedisConnection.bytes(a)));
        List<?> reply;
        try {
            reply = (List<?>) redis.evalBinary(BudgetScripts.LOOKUP_LOCK_RESERVE, keys, args);
        } catch (RedisUnavailableException e) {
            inDoubt(call.voidIt());
            throw e;
        }
        long kind = (Long) reply.get(0);
        if (kind == 1) {
            return new Lookup.Hit((byte[]) reply.get(1));
        }
        if (kind == 3) {
            return new Lookup.LockedElsewhere();
        }
        if ((Long) reply.get(1) == MISSING_BUCKET) {
            // the fill lock is the caller's; the bucket Redis lost is rebuilt, and the reservation made after it
            rebuild(call.buckets().get(((Long) reply.get(2)).intValue() - 1));
            return new Lookup.Locked(reserve(claims, amount, amount));
        }
        return new Lookup.Locked(granted(call, reply, 1));
    }

    /**
     * In one round trip: {@link #settle}s a reservation made in Redis and stores a cache entry, dropping the
     * caller's fill lock. Returns {@code false} without doing anything when the reservation is held in the local
     * fallback store (Redis was down when it was made) or Redis is down now: settle and store separately then. If
     * Redis fails, the settlement is kept pending like {@link #settle}'s and the entry is not stored.
     *
     * @param grant what {@link #reserve} or {@link #lookupOrReserve} granted
     * @param actual what the call cost
     * @param entryKey the full Redis key of the entry
     * @param lockKey the full Redis key of its fill lock
     * @param value the entry
     * @param ttl how long Redis keeps it
     * @param token the caller's lock token (empty: it holds none)
     * @return {@code true} when settled (and stored, if Redis answered)
     */
    public boolean settleAndStore(Grant grant, Money actual, String entryKey, String lockKey, byte[] value,
            Duration ttl, byte[] token) {
        if (madeLocally(grant) || !redis.isAvailable()) {
            return false;
        }
        BudgetWrite.Settle settle = settleWrite(sharedHold(grant), grant.buckets(), NanosAndPicos.of(actual));
        justSettled.remove();
        List<byte[]> keys = new ArrayList<>(2 + settle.keys().size());
        keys.add(RedisConnection.bytes(entryKey));
        keys.add(RedisConnection.bytes(lockKey));
        settle.keys().forEach(k -> keys.add(RedisConnection.bytes(k)));
        List<byte[]> args = new ArrayList<>(3 + settle.args().size());
        args.add(value);
        args.add(RedisConnection.bytes(Long.toString(Math.max(1, ttl.toMillis()))));
        args.add(token);
        settle.args().forEach(a -> args.add(RedisConnection.bytes(a)));
        try {
            List<?> after = (List<?>) redis.evalBinary(BudgetScripts.SETTLE_STORE, keys, args);
            rememberSettled(grant.buckets(), after);
            settleInRebuilt(settle, grant.buckets(), after, 0);
        } catch (RedisUnavailableException e) {
            inDoubt(settle);
        }
        return true;
    }

    private void rememberSettled(List<Bucket> buckets, List<?> after) {
        Map<Bucket, BucketState> states = new LinkedHashMap<>();
        saw(buckets, after, 0).forEach((b, c) -> states.put(b, c.state()));
        justSettled.set(new JustSettled(states, System.nanoTime()));
    }

    /**
     * Notes the counters a script returned, for the local counters to start from should Redis go away.
     *
     * @param from where the first bucket's counters start in the reply
     * @return each bucket's counters, in order
     */
    private Map<Bucket, BucketCounters> saw(List<Bucket> buckets, List<?> reply, int from) {
        Map<Bucket, BucketCounters> counters = new LinkedHashMap<>();
        for (int i = 0; i < buckets.size(); i++) {
            BucketCounters c = BucketCounters.read(reply, from + BucketCounters.SIZE * i);
            seeds.saw(buckets.get(i), c);
            counters.put(buckets.get(i), c);
            sawGeneration(buckets.get(i), c.generation());
        }
        return counters;
    }

    @Override
    public Grant release(Grant grant, Money amount) {
        Objects.requireNonNull(amount, "amount");
        if (madeLocally(grant)) {
            return local.release(grant, amount);
        }
        SharedHold hold = sharedHold(grant);
        Grant left = grant.less(amount);
        BudgetWrite.Release write = new BudgetWrite.Release(hold.key(), bucketKeysOf(grant.buckets()),
                left.amount().toNanosCeiling());
        InFlight f = inFlight.get(hold.key());
        if (f == null) {
            send(write);
            return left;
        }
        synchronized (f) { // not while it is being held again in a rebuilt bucket
            f.heldNanos = Math.min(f.heldNanos, write.keepNanos());
            send(write);
        }
        return left;
    }

    private void send(BudgetWrite write) {
        try {
            write.sendTo(redis);
        } catch (RedisUnavailableException e) {
            inDoubt(write);
        }
    }

    @Override
    public BucketState state(Bucket bucket) {
        Objects.requireNonNull(bucket, "bucket");
        JustSettled settled = justSettled.get();
        if (settled != null) {
            // each settled bucket is answered once from the settle's reply, then read again
            BucketState fresh = settled.states().remove(bucket);
            if (settled.states().isEmpty() || System.nanoTime() - settled.atNanos() >= JUST_SETTLED_NANOS) {
                justSettled.remove();
            }
            if (fresh != null && System.nanoTime() - settled.atNanos() < JUST_SETTLED_NANOS) {
                return fresh;
            }
        }
        if (redis.isAvailable()) {
            try {
                BucketCounters counters = readState(bucket);
                if (counters.generation() == BucketCounters.MISSING && rebuildsLost) {
                    rebuild(bucket); // Redis lost it: what it shows is the ledger's, as a reservation would see it
                    counters = readState(bucket);
                }
                return counters.state();
            } catch (RedisUnavailableException e) {
                // report what this replica knows
            }
        }
        seeds.refresh(bucket, redis.outages());
        return local.state(bucket);
    }

    private BucketCounters readState(Bucket bucket) {
        List<?> v = (List<?>) redis.eval(BudgetScripts.STATE, List.of(keyOf(bucket), leasesOf(bucket)),
                List.of(Long.toString(redis.options().clock().millis())));
        return saw(List.of(bucket), v, 0).get(bucket);
    }

    /**
     * Sets the bucket's spend only if Redis has no spend for it yet; while Redis is down the restore waits for its
     * return, and the bucket's local counter starts from {@code spent} (unless it already started in this outage).
     */
    @Override
    public void restore(Bucket bucket, Money spent) {
        Objects.requireNonNull(bucket, "bucket");
        NanosAndPicos s = NanosAndPicos.of(Objects.requireNonNull(spent, "spent"));
        // random, so that a bucket rebuilt is told from the one it replaces; exact as a Lua number (below 2^53)
        long generation = 1 + ThreadLocalRandom.current().nextLong(1L << 52);
        BudgetWrite.Restore write = new BudgetWrite.Restore(keyOf(bucket), s, expireAt(bucket), generation);
        try {
            sawGeneration(bucket, (Long) write.sendTo(redis));
        } catch (RedisUnavailableException e) {
            pending.add(write);
            seeds.restored(bucket, spent, redis.outages());
        }
    }

    /** @return whether the reservation was made in the local fallback store, while Redis was unreachable */
    private boolean madeLocally(Grant grant) {
        return Objects.requireNonNull(grant, "grant").holder() == local;
    }

    private SharedHold sharedHold(Grant grant) {
        if (grant.holder() instanceof SharedHold hold && hold.store() == this) {
            return hold;
        }
        throw grant.madeElsewhere();
    }

    private SharedHold newHold() {
        return new SharedHold(this, redis.key("hold", instance + "-" + ids.incrementAndGet()));
    }

    /**
     * The settle of a reservation, which is no longer in flight: it is not held again in a bucket rebuilt from now
     * on, and its cost counts in a bucket rebuilt since it was made (or last held again) there.
     */
    private BudgetWrite.Settle settleWrite(SharedHold hold, List<Bucket> buckets, NanosAndPicos actual) {
        InFlight f = inFlight.remove(hold.key());
        List<Long> gens = new ArrayList<>(buckets.size());
        if (f != null) {
            synchronized (f) {
                f.settled = true;
                for (long g : f.generations) {
                    gens.add(g);
                }
            }
        } else {
            buckets.forEach(b -> gens.add(generations.getOrDefault(b, 0L)));
        }
        return new BudgetWrite.Settle(hold.key(), bucketKeysOf(buckets), buckets.stream().map(this::expireAt).toList(),
                actual, gens);
    }

    /**
     * Settles again, in each bucket a settle found missing (Redis lost it), once the bucket is rebuilt from the
     * ledger: the call's cost is not in the ledger yet (settled before its row is written), so it is added.
     */
    private void settleInRebuilt(BudgetWrite.Settle settle, List<Bucket> buckets, List<?> after, int from) {
        for (int i = 0; i < buckets.size(); i++) {
            if (BucketCounters.read(after, from + BucketCounters.SIZE * i).generation() != BucketCounters.MISSING) {
                continue;
            }
            Bucket b = buckets.get(i);
            rebuild(b);
            BudgetWrite.Settle alone = new BudgetWrite.Settle(settle.hold(),
                    bucketKeysOf(List.of(b)), List.of(settle.expiries().get(i)), settle.actual(),
                    List.of(settle.generations().get(i)));
            rememberSettled(List.of(b), (List<?>) alone.sendTo(redis));
        }
    }

    /** Restores a bucket Redis lacks from the ledger (through {@link #fallbackSpendFrom}'s source). */
    private void rebuild(Bucket bucket) {
        restore(bucket, spendSource.apply(bucket).orElse(Money.ZERO));
    }

    /**
     * Notes a bucket's generation; when it changed, the bucket was rebuilt without the reservations this replica
     * has in flight there, which are held in it again.
     */
    private void sawGeneration(Bucket bucket, long generation) {
        if (generation == BucketCounters.MISSING) {
            return;
        }
        Long before = generations.put(bucket, generation);
        if (before != null && before != generation) {
            holdAgainIn(bucket, generation);
        }
    }

    private void holdAgainIn(Bucket bucket, long generation) {
        String bucketKey = keyOf(bucket);
        String leases = leasesOf(bucket);
        String expiry = Long.toString(expireAt(bucket));
        inFlight.forEach((hold, f) -> {
            int i = f.buckets.indexOf(bucket);
            if (i < 0) {
                return;
            }
            synchronized (f) { // a settle or release waits; one that came first is not held again
                if (f.settled || f.generations[i] == generation) {
                    return;
                }
                try {
                    long now = (Long) redis.eval(BudgetScripts.HOLD_AGAIN, List.of(hold, bucketKey, leases),
                            List.of(Long.toString(f.heldNanos), Long.toString(f.leaseEnd), expiry,
                                    Long.toString(f.holdExpiry)));
                    if (now != BucketCounters.MISSING) {
                        f.generations[i] = now;
                    }
                } catch (RedisUnavailableException e) {
                    // not held again: its settle still counts its cost in the rebuilt bucket (another generation)
                }
            }
        });
    }

    /** A reservation made in Redis and not yet settled: what {@link #holdAgainIn} needs to count it again. */
    private static final class InFlight {
        final List<Bucket> buckets;
        final long leaseEnd;
        final long holdExpiry;
        /** Guarded by this: what the hold holds, lowered by a release. */
        long heldNanos;
        /** Guarded by this: each bucket's generation when the hold was made or last held again there. */
        final long[] generations;
        /** Guarded by this. */
        boolean settled;

        InFlight(List<Bucket> buckets, long heldNanos, long leaseEnd, long holdExpiry, long[] generations) {
            this.buckets = buckets;
            this.heldNanos = heldNanos;
            this.leaseEnd = leaseEnd;
            this.holdExpiry = holdExpiry;
            this.generations = generations;
        }
    }

    /** Keeps a write whose reply never came, to send again (it counts once however often it arrives). */
    private void inDoubt(BudgetWrite write) {
        pending.add(write);
        sendPending();
    }

    private void sendPending() {
        if (redis.isAvailable()) {
            try {
                pending.sendAll(redis, this::newMarkerKey, markerExpiry(), false);
            } catch (RedisUnavailableException e) {
                // stays pending until the probe sees Redis again
            }
        }
    }

    private String newMarkerKey() {
        return redis.key("pushed", instance + "-" + ids.incrementAndGet());
    }

    private void recover(boolean dataLost) {
        seeds.forget(); // the next outage starts every local counter afresh
        if (dataLost) {
            pending.clear(); // the ledger holds this spend; the handler rebuilds from it
            dataLossHandler.run(); // buckets it restores hold this replica's reservations in flight again
        }
        pending.sendAll(redis, this::newMarkerKey, markerExpiry(), true);
    }

    /** @return writes waiting for Redis to answer (for tests and metrics) */
    int pendingWrites() {
        return pending.size();
    }

    private String keyOf(Bucket bucket) {
        return keyOf("budget", bucket);
    }

    private String leasesOf(Bucket bucket) {
        return keyOf("leases", bucket);
    }

    /** @return {@code <prefix>:<kind>:<budget>:<window start in epoch ms>} */
    private String keyOf(String kind, Bucket bucket) {
        return redis.key(kind, bucket.budget(), Long.toString(bucket.windowStart().toEpochMilli()));
    }

    /** @return the keys of the buckets and of their lease sets */
    private BudgetWrite.BucketKeys bucketKeysOf(List<Bucket> buckets) {
        return new BudgetWrite.BucketKeys(buckets.stream().map(this::keyOf).toList(),
                buckets.stream().map(this::leasesOf).toList());
    }

    private long expireAt(Bucket bucket) {
        long byWindow = bucket.windowStart().plus(redis.options().bucketRetention()).toEpochMilli();
        return Math.max(byWindow, markerExpiry());
    }

    private long markerExpiry() {
        return redis.options().clock().instant().plus(MINIMUM_LIFE).toEpochMilli();
    }

    private static long nanosFloor(Money money) {
        return money.toBigDecimal().multiply(NANOS_PER_DOLLAR).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** The counters one settle script returned, and when. */
    private record JustSettled(Map<Bucket, BucketState> states, long atNanos) {}
}
