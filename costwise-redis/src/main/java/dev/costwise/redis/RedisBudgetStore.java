package dev.costwise.redis;

import dev.costwise.core.Money;
import dev.costwise.llm.budget.InMemoryBudgetStore;
import dev.costwise.llm.spi.BudgetStore;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link BudgetStore} in Redis, shared by every replica: a reservation over several buckets is one Lua script, so it
 * holds in every bucket or in none and concurrent replicas together can never pass a hard limit.
 *
 * <p>Each bucket is a hash {@code <prefix>:budget:<budget>:<windowStartMillis>} with fields {@code spent} and
 * {@code reserved} in whole nano-dollars (amounts are rounded up to the nano-dollar, limits down, so rounding never
 * lets spend pass a limit; counters are exact up to 2<sup>53</sup> nano-dollars, about $9 million, per bucket). A
 * bucket expires {@link RedisOptions#bucketRetention()} after its window starts. Scripts run by {@code EVALSHA}: one
 * round trip per reserve, settle or release. The settle script returns the counters it left, and the first
 * {@link #state} read of each of those buckets by the same thread within a second is answered from them (the budget
 * guard reads the state right after settling, to check soft thresholds), which saves a round trip per call.
 *
 * <p>{@link #restore} only fills a counter Redis lacks ({@code HSETNX}), so replicas that start together and all
 * rebuild from the ledger never count the same spend twice.
 *
 * <p><b>When Redis is unreachable</b> reservations are made in a local {@link InMemoryBudgetStore} against
 * {@link RedisOptions#localShare()} of each limit (set the share to 1/replicas so the replicas together stay within
 * the limit). Spend settled locally, and settlements of reservations that had been made in Redis, are kept as pending
 * deltas and <em>pushed back</em> into the Redis counters when Redis answers again, before shared reservations
 * resume. If Redis came back empty (restarted without persistence), the deltas are dropped and the handler given to
 * {@link #rebuildOnDataLoss} runs instead (typically {@code budgets.rebuildFrom(ledger)}: the ledger already holds
 * that spend). A settle goes to the local store when the local store holds at least that much reserved in every one
 * of its buckets, otherwise to Redis. While Redis is down {@link #state} reports the local counters.
 *
 * <p>Limitation: a replica that dies with reservations outstanding leaves them counted in {@code reserved} until the
 * bucket's window ends. Thread-safe.
 */
public final class RedisBudgetStore implements BudgetStore {

    private static final LuaScript RESERVE = LuaScript.of("budget-reserve", """
            local n = #KEYS
            local minimum = tonumber(ARGV[1])
            local amount = tonumber(ARGV[2])
            for i = 1, n do
              local v = redis.call('HMGET', KEYS[i], 'spent', 'reserved')
              local room = tonumber(ARGV[2 + i]) - (tonumber(v[1]) or 0) - (tonumber(v[2]) or 0)
              if room < amount then amount = room end
            end
            if amount < minimum then return -1 end
            local s = string.format('%d', amount)
            for i = 1, n do
              redis.call('HINCRBY', KEYS[i], 'reserved', s)
              redis.call('PEXPIREAT', KEYS[i], ARGV[2 + n + i])
            end
            return amount
            """);

    private static final LuaScript SETTLE = LuaScript.of("budget-settle", """
            local reserved = tonumber(ARGV[1])
            local actual = ARGV[2]
            for i = 1, #KEYS do
              local left = (tonumber(redis.call('HGET', KEYS[i], 'reserved')) or 0) - reserved
              if left < 0 then left = 0 end
              redis.call('HSET', KEYS[i], 'reserved', string.format('%d', left))
              if actual ~= '0' then redis.call('HINCRBY', KEYS[i], 'spent', actual) end
              redis.call('PEXPIREAT', KEYS[i], ARGV[2 + i])
            end
            local out = {}
            for i = 1, #KEYS do
              local v = redis.call('HMGET', KEYS[i], 'spent', 'reserved')
              out[2 * i - 1] = tonumber(v[1]) or 0
              out[2 * i] = tonumber(v[2]) or 0
            end
            return out
            """);

    private static final LuaScript RESTORE = LuaScript.of("budget-restore", """
            local set = redis.call('HSETNX', KEYS[1], 'spent', ARGV[1])
            redis.call('PEXPIREAT', KEYS[1], ARGV[2])
            return set
            """);

    /**
     * A cache lookup, fill lock and reservation in one script: {@code {1, entry}} on a hit, {@code {2, amount}} when
     * the caller took the fill lock (amount -1: the budgets had no room), {@code {3}} when another caller holds it.
     */
    private static final LuaScript LOOKUP_LOCK_RESERVE = LuaScript.of("cache-lookup-lock-reserve", """
            local v = redis.call('GET', KEYS[1])
            if v then return {1, v} end
            if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {3} end
            local n = #KEYS - 2
            local minimum = tonumber(ARGV[3])
            local amount = tonumber(ARGV[4])
            for i = 1, n do
              local c = redis.call('HMGET', KEYS[2 + i], 'spent', 'reserved')
              local room = tonumber(ARGV[4 + i]) - (tonumber(c[1]) or 0) - (tonumber(c[2]) or 0)
              if room < amount then amount = room end
            end
            if amount < minimum then return {2, -1} end
            local s = string.format('%d', amount)
            for i = 1, n do
              redis.call('HINCRBY', KEYS[2 + i], 'reserved', s)
              redis.call('PEXPIREAT', KEYS[2 + i], ARGV[4 + n + i])
            end
            return {2, amount}
            """);

    /** A settlement and a cache store (+ unlock) in one script; returns the counters like {@link #SETTLE}. */
    private static final LuaScript SETTLE_STORE = LuaScript.of("budget-settle-cache-store", """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
            local reserved = tonumber(ARGV[4])
            local actual = ARGV[5]
            local n = #KEYS - 2
            for i = 1, n do
              local k = KEYS[2 + i]
              local left = (tonumber(redis.call('HGET', k, 'reserved')) or 0) - reserved
              if left < 0 then left = 0 end
              redis.call('HSET', k, 'reserved', string.format('%d', left))
              if actual ~= '0' then redis.call('HINCRBY', k, 'spent', actual) end
              redis.call('PEXPIREAT', k, ARGV[5 + i])
            end
            local out = {}
            for i = 1, n do
              local v = redis.call('HMGET', KEYS[2 + i], 'spent', 'reserved')
              out[2 * i - 1] = tonumber(v[1]) or 0
              out[2 * i] = tonumber(v[2]) or 0
            end
            return out
            """);

    private static final BigDecimal NANOS_PER_DOLLAR = BigDecimal.valueOf(1_000_000_000L);
    private static final Duration MINIMUM_LIFE = Duration.ofDays(1);
    private static final long JUST_SETTLED_NANOS = Duration.ofSeconds(1).toNanos();

    private final RedisConnection redis;
    private final BigDecimal localShare;
    private final InMemoryBudgetStore local = new InMemoryBudgetStore();
    private final Map<Bucket, Delta> pending = new LinkedHashMap<>(); // guarded by itself
    private final Map<Bucket, Long> pendingRestores = new LinkedHashMap<>(); // guarded by pending
    private final LongAdder localReservations = new LongAdder();
    private volatile Runnable dataLossHandler = () -> {};
    /** The counters this thread's last settle left, for the state read a budget guard makes right after it. */
    private final ThreadLocal<JustSettled> justSettled = new ThreadLocal<>();

    private RedisBudgetStore(RedisConnection redis) {
        this.redis = redis;
        this.localShare = BigDecimal.valueOf(redis.options().localShare());
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

    /** @return reservations made in the local fallback store because Redis was unreachable */
    public long localReservations() {
        return localReservations.sum();
    }

    @Override
    public Optional<Money> reserve(List<Claim> claims, Money minimum, Money maximum) {
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
        if (redis.isAvailable()) {
            try {
                return reserveShared(claims, minimum, maximum);
            } catch (RedisUnavailableException e) {
                // fall through to this replica's share
            }
        }
        localReservations.increment();
        List<Claim> shares = claims.stream()
                .map(c -> new Claim(c.bucket(), c.limit().times(localShare))).toList();
        return local.reserve(shares, minimum, maximum);
    }

    private Optional<Money> reserveShared(List<Claim> claims, Money minimum, Money maximum) {
        int n = claims.size();
        List<String> keys = new ArrayList<>(n);
        List<String> args = new ArrayList<>(2 + 2 * n);
        args.add(Long.toString(minimum.toNanosCeiling()));
        args.add(Long.toString(maximum.toNanosCeiling()));
        for (Claim c : claims) {
            keys.add(keyOf(c.bucket()));
            args.add(Long.toString(nanosFloor(c.limit())));
        }
        for (Claim c : claims) {
            args.add(Long.toString(expireAt(c.bucket())));
        }
        long amount = (Long) redis.eval(RESERVE, keys, args);
        return amount < 0 ? Optional.empty() : Optional.of(Money.ofNanos(amount));
    }

    @Override
    public void settle(List<Bucket> buckets, Money reserved, Money actual) {
        Objects.requireNonNull(buckets, "buckets");
        Objects.requireNonNull(reserved, "reserved");
        Objects.requireNonNull(actual, "actual");
        long r = reserved.toNanosCeiling();
        long a = actual.toNanosCeiling();
        if (settledLocally(buckets, reserved, actual)) {
            addPending(buckets, a, 0);
            if (redis.isAvailable()) {
                try {
                    pushPending();
                } catch (RedisUnavailableException e) {
                    // stays pending until the probe sees Redis again
                }
            }
            return;
        }
        try {
            rememberSettled(buckets, apply(buckets, r, a));
        } catch (RedisUnavailableException e) {
            addPending(buckets, a, r);
        }
    }

    /** What {@link #lookupOrReserve} found. */
    public sealed interface Lookup {
        /** @param value the cached bytes */
        record Hit(byte[] value) implements Lookup {}

        /** @param amount the fill lock is the caller's; the amount reserved, or empty when a budget had no room */
        record Locked(Optional<Money> amount) implements Lookup {}

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
     * @throws RedisUnavailableException if Redis is down (use the local paths instead)
     */
    public Lookup lookupOrReserve(String entryKey, String lockKey, byte[] token, Duration lockTtl, List<Claim> claims,
            Money amount) {
        Objects.requireNonNull(token, "token");
        if (claims.isEmpty()) {
            throw new IllegalArgumentException("claims cannot be empty");
        }
        int n = claims.size();
        List<byte[]> keys = new ArrayList<>(2 + n);
        keys.add(RedisConnection.bytes(entryKey));
        keys.add(RedisConnection.bytes(lockKey));
        List<byte[]> args = new ArrayList<>(4 + 2 * n);
        args.add(token);
        args.add(RedisConnection.bytes(Long.toString(Math.max(1, lockTtl.toMillis()))));
        String nanos = Long.toString(amount.toNanosCeiling());
        args.add(RedisConnection.bytes(nanos));
        args.add(RedisConnection.bytes(nanos));
        for (Claim c : claims) {
            keys.add(RedisConnection.bytes(keyOf(c.bucket())));
            args.add(RedisConnection.bytes(Long.toString(nanosFloor(c.limit()))));
        }
        for (Claim c : claims) {
            args.add(RedisConnection.bytes(Long.toString(expireAt(c.bucket()))));
        }
        List<?> reply = (List<?>) redis.evalBinary(LOOKUP_LOCK_RESERVE, keys, args);
        long kind = (Long) reply.get(0);
        if (kind == 1) {
            return new Lookup.Hit((byte[]) reply.get(1));
        }
        if (kind == 3) {
            return new Lookup.LockedElsewhere();
        }
        long reserved = (Long) reply.get(1);
        return new Lookup.Locked(reserved < 0 ? Optional.empty() : Optional.of(Money.ofNanos(reserved)));
    }

    /**
     * In one round trip: {@link #settle}s a reservation made in Redis and stores a cache entry, dropping the
     * caller's fill lock. Returns {@code false} without doing anything when the reservation is held in the local
     * fallback store (Redis was down when it was made): settle and store separately then. If Redis fails, the
     * settlement is kept pending like {@link #settle}'s and the entry is not stored.
     *
     * @param buckets the reservation's buckets
     * @param reserved the amount reserved
     * @param actual what the call cost
     * @param entryKey the full Redis key of the entry
     * @param lockKey the full Redis key of its fill lock
     * @param value the entry
     * @param ttl how long Redis keeps it
     * @param token the caller's lock token (empty: it holds none)
     * @return {@code true} when settled (and stored, if Redis answered)
     */
    public boolean settleAndStore(List<Bucket> buckets, Money reserved, Money actual, String entryKey,
            String lockKey, byte[] value, Duration ttl, byte[] token) {
        if (buckets.isEmpty() || heldLocally(buckets, reserved) || !redis.isAvailable()) {
            return false;
        }
        long r = reserved.toNanosCeiling();
        long a = actual.toNanosCeiling();
        List<byte[]> keys = new ArrayList<>(2 + buckets.size());
        keys.add(RedisConnection.bytes(entryKey));
        keys.add(RedisConnection.bytes(lockKey));
        List<byte[]> args = new ArrayList<>(5 + buckets.size());
        args.add(value);
        args.add(RedisConnection.bytes(Long.toString(Math.max(1, ttl.toMillis()))));
        args.add(token);
        args.add(RedisConnection.bytes(Long.toString(r)));
        args.add(RedisConnection.bytes(Long.toString(a)));
        for (Bucket b : buckets) {
            keys.add(RedisConnection.bytes(keyOf(b)));
            args.add(RedisConnection.bytes(Long.toString(expireAt(b))));
        }
        try {
            List<?> after = (List<?>) redis.evalBinary(SETTLE_STORE, keys, args);
            rememberSettled(buckets, after);
        } catch (RedisUnavailableException e) {
            addPending(buckets, a, r);
        }
        return true;
    }

    private void rememberSettled(List<Bucket> buckets, List<?> after) {
        Map<Bucket, BucketState> states = new LinkedHashMap<>();
        for (int i = 0; i < buckets.size(); i++) {
            states.put(buckets.get(i), new BucketState(Money.ofNanos((Long) after.get(2 * i)),
                    Money.ofNanos((Long) after.get(2 * i + 1))));
        }
        justSettled.set(new JustSettled(states, System.nanoTime()));
    }

    @Override
    public void release(List<Bucket> buckets, Money amount) {
        Objects.requireNonNull(buckets, "buckets");
        Objects.requireNonNull(amount, "amount");
        if (settledLocally(buckets, amount, null)) {
            return;
        }
        long r = amount.toNanosCeiling();
        try {
            apply(buckets, r, 0);
        } catch (RedisUnavailableException e) {
            addPending(buckets, 0, r);
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
                List<String> v = redis.call(c -> c.hmget(keyOf(bucket), "spent", "reserved"));
                return new BucketState(Money.ofNanos(parse(v.get(0))), Money.ofNanos(parse(v.get(1))));
            } catch (RedisUnavailableException e) {
                // report what this replica knows
            }
        }
        return local.state(bucket);
    }

    /**
     * Sets the bucket's spend only if Redis has no spend for it yet; while Redis is down the restore waits for its
     * return.
     */
    @Override
    public void restore(Bucket bucket, Money spent) {
        Objects.requireNonNull(bucket, "bucket");
        long s = Objects.requireNonNull(spent, "spent").toNanosCeiling();
        try {
            restoreShared(bucket, s);
        } catch (RedisUnavailableException e) {
            synchronized (pending) {
                pendingRestores.put(bucket, s);
            }
        }
    }

    private void restoreShared(Bucket bucket, long spentNanos) {
        redis.eval(RESTORE, List.of(keyOf(bucket)), List.of(Long.toString(spentNanos),
                Long.toString(expireAt(bucket))));
    }

    private List<?> apply(List<Bucket> buckets, long reservedNanos, long actualNanos) {
        List<String> keys = new ArrayList<>(buckets.size());
        List<String> args = new ArrayList<>(2 + buckets.size());
        args.add(Long.toString(reservedNanos));
        args.add(Long.toString(actualNanos));
        for (Bucket b : buckets) {
            keys.add(keyOf(b));
            args.add(Long.toString(expireAt(b)));
        }
        return (List<?>) redis.eval(SETTLE, keys, args);
    }

    /**
     * Settles (or, with {@code actual} null, releases) in the local store if it holds the reservation; the check and
     * the change happen under one lock, so two settles can never both take the same local reservation.
     */
    private boolean settledLocally(List<Bucket> buckets, Money reserved, Money actual) {
        if (!heldLocally(buckets, reserved)) {
            return false; // the common case while Redis is up: no lock taken
        }
        synchronized (local) {
            if (!heldLocally(buckets, reserved)) {
                return false;
            }
            if (actual == null) {
                local.release(buckets, reserved);
            } else {
                local.settle(buckets, reserved, actual);
            }
            return true;
        }
    }

    private boolean heldLocally(List<Bucket> buckets, Money amount) {
        if (buckets.isEmpty()) {
            return false;
        }
        for (Bucket b : buckets) {
            if (local.state(b).reserved().compareTo(amount) < 0) {
                return false;
            }
        }
        return true;
    }

    private void addPending(List<Bucket> buckets, long spentNanos, long reservedNanos) {
        synchronized (pending) {
            for (Bucket b : buckets) {
                pending.merge(b, new Delta(spentNanos, reservedNanos), Delta::plus);
            }
        }
    }

    /** Pushes pending deltas to Redis; those that fail stay pending. */
    private void pushPending() {
        Map<Bucket, Long> restores;
        Map<Bucket, Delta> deltas;
        synchronized (pending) {
            restores = new LinkedHashMap<>(pendingRestores);
            deltas = new LinkedHashMap<>(pending);
            pendingRestores.clear();
            pending.clear();
        }
        try {
            for (var it = restores.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                restoreShared(e.getKey(), e.getValue());
                it.remove();
            }
            for (var it = deltas.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                apply(List.of(e.getKey()), e.getValue().reservedNanos(), e.getValue().spentNanos());
                it.remove();
            }
        } catch (RedisUnavailableException e) {
            synchronized (pending) {
                restores.forEach(pendingRestores::putIfAbsent);
                deltas.forEach((b, d) -> pending.merge(b, d, Delta::plus));
            }
            throw e;
        }
    }

    private void recover(boolean dataLost) {
        if (dataLost) {
            synchronized (pending) {
                pending.clear(); // the ledger holds this spend; the handler rebuilds from it
            }
            dataLossHandler.run();
        }
        pushPending();
    }

    /** @return spend and releases waiting for Redis to come back, summed over buckets (for tests and metrics) */
    Map<Bucket, Delta> pendingDeltas() {
        synchronized (pending) {
            return Map.copyOf(pending);
        }
    }

    private String keyOf(Bucket bucket) {
        return redis.key("budget", bucket.budget(), Long.toString(bucket.windowStart().toEpochMilli()));
    }

    private long expireAt(Bucket bucket) {
        long byWindow = bucket.windowStart().plus(redis.options().bucketRetention()).toEpochMilli();
        long soonest = redis.options().clock().instant().plus(MINIMUM_LIFE).toEpochMilli();
        return Math.max(byWindow, soonest);
    }

    private static long nanosFloor(Money money) {
        return money.toBigDecimal().multiply(NANOS_PER_DOLLAR).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    private static long parse(String nanos) {
        return nanos == null ? 0 : Long.parseLong(nanos);
    }

    /** The counters one settle script returned, and when. */
    private record JustSettled(Map<Bucket, BucketState> states, long atNanos) {}

    /** Changes to push into one Redis bucket: spend to add, reservation to give back. */
    record Delta(long spentNanos, long reservedNanos) {
        Delta plus(Delta other) {
            return new Delta(spentNanos + other.spentNanos, reservedNanos + other.reservedNanos);
        }
    }
}
