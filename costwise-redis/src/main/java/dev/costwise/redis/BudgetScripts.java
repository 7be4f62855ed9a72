package dev.costwise.redis;

/**
 * The Lua scripts of {@link RedisBudgetStore}. Amounts are whole nano-dollars, except spend, which is exact to the
 * pico-dollar as the ledger's: a bucket keeps whole nano-dollars in {@code spent} and the pico-dollars below them
 * (0 to 999) in {@code spent_picos}, carried into {@code spent} when they reach 1,000 (a bucket written before that
 * field existed reads it as 0). Every time is an absolute {@code PEXPIREAT} in epoch milliseconds.
 *
 * <p>Every reservation has a <em>hold</em> key ({@code <prefix>:hold:<id>}), so each write about a reservation can
 * be sent again after a timeout without counting twice: a settle deletes the hold, and a reservation the client gave
 * up on is <em>voided</em>, which undoes it if it was made after all and blocks it if it arrives later. A hold lives
 * until its reservation is settled, and at most as long as its buckets.
 *
 * <p>Each bucket also has a lease set ({@code <prefix>:leases:<budget>:<window>}): a sorted set with one member
 * {@code <hold>|<amount>} per live hold, scored by when that hold's lease ends. A reservation first gives back, in each
 * of its buckets, what holds whose lease has ended still hold there, and so does a state read of a bucket: a replica
 * that died mid-call cannot keep its reservations counted until the window ends. A settle, release or void gives
 * back only what its hold's member in each bucket's lease set still names, so one that comes after its lease ended
 * (a call that outlived it) gives back nothing twice, and a settle still counts the spend.
 */
final class BudgetScripts {

    private BudgetScripts() {}

    /**
     * Lua: {@code give_back(key, amount)} lowers a bucket's reserved amount, never below zero; {@code
     * take_back(key, leases, hold, held)} gives back what {@code hold} holds in the bucket, {@code held}, unless its
     * lease there was already given back.
     */
    private static final String GIVE_BACK = """
            local function give_back(key, amount)
              local left = (tonumber(redis.call('HGET', key, 'reserved')) or 0) - amount
              if left < 0 then left = 0 end
              redis.call('HSET', key, 'reserved', string.format('%d', left))
            end
            local function take_back(key, leases, hold, held)
              if redis.call('ZREM', leases, hold .. '|' .. string.format('%d', held)) == 1 then
                give_back(key, held)
              end
            end
            """;

    /**
     * Lua: {@code add_spent(key, nanos, picos)} adds spend given as whole nano-dollars and the pico-dollars below
     * them (decimal strings), carrying 1,000 pico-dollars into a nano-dollar; {@code counters(key, out)} appends the
     * bucket's spent nano-dollars, spent pico-dollars, reserved nano-dollars and generation (-1 when the bucket is
     * missing) to {@code out} (see {@link BucketCounters}); {@code in_use(v)} is the nano-dollars a bucket's
     * {@code HMGET spent reserved spent_picos} counts against its limit, a part of a nano-dollar spent counting as a
     * whole one, so spend never passes a limit.
     */
    private static final String SPEND = """
            local function add_spent(key, nanos, picos)
              if nanos == '0' and picos == '0' then return end
              local carry = 0
              if picos ~= '0' and redis.call('HINCRBY', key, 'spent_picos', picos) >= 1000 then
                redis.call('HINCRBY', key, 'spent_picos', -1000)
                carry = 1
              end
              redis.call('HINCRBY', key, 'spent', nanos)
              if carry == 1 then redis.call('HINCRBY', key, 'spent', 1) end
            end
            local function counters(key, out)
              local v = redis.call('HMGET', key, 'spent', 'spent_picos', 'reserved', 'gen')
              table.insert(out, tonumber(v[1]) or 0)
              table.insert(out, tonumber(v[2]) or 0)
              table.insert(out, tonumber(v[3]) or 0)
              if redis.call('EXISTS', key) == 0 then
                table.insert(out, -1)
              else
                table.insert(out, tonumber(v[4]) or 0)
              end
              return out
            end
            local function in_use(v)
              local used = (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
              if (tonumber(v[3]) or 0) > 0 then used = used + 1 end
              return used
            end
            """;

    /**
     * Lua: {@code reap(key, leases, now)}, with {@link #GIVE_BACK}, gives back in a bucket what the holds whose lease
     * ended by {@code now} still hold there (at most 64 a call).
     */
    private static final String REAP = GIVE_BACK + """
            local function reap(key, leases, now)
              local ended = redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, 64)
              for _, lease in ipairs(ended) do
                redis.call('ZREM', leases, lease)
                give_back(key, tonumber(string.match(lease, '|(%d+)$')))
              end
            end
            """;

    /**
     * Lua: {@code reserve_in(h, a)}, after {@link #REAP} and {@link #SPEND}. The hold is {@code KEYS[h]}, then n
     * buckets, then their n lease sets; {@code ARGV[a]} is the minimum, {@code ARGV[a + 1]} the maximum, then each
     * bucket's limit, each bucket's expiry, the hold's expiry, the time now, when the new hold's lease ends, and
     * whether a missing bucket is refused ({@code 1}: the caller rebuilds buckets from a ledger; else it counts from
     * nothing). Returns the amount reserved, or -1 when some bucket has less than the minimum left, followed by the
     * counters of every bucket afterwards; {@code {-2}} when the hold exists (voided: nothing reserved);
     * {@code {-3, i}} when bucket i is missing and refused (lost with Redis's data: rebuild it first).
     */
    private static final String RESERVE_IN = REAP + SPEND + """
            local function reserve_in(h, a)
              if redis.call('EXISTS', KEYS[h]) == 1 then return {-2} end
              local n = (#KEYS - h) / 2
              if ARGV[a + 5 + 2 * n] == '1' then
                for i = 1, n do
                  if redis.call('EXISTS', KEYS[h + i]) == 0 then return {-3, i} end
                end
              end
              local minimum = tonumber(ARGV[a])
              local amount = tonumber(ARGV[a + 1])
              for i = 1, n do
                reap(KEYS[h + i], KEYS[h + n + i], ARGV[a + 3 + 2 * n])
                local room = tonumber(ARGV[a + 1 + i])
                    - in_use(redis.call('HMGET', KEYS[h + i], 'spent', 'reserved', 'spent_picos'))
                if room < amount then amount = room end
              end
              if amount < minimum then
                amount = -1
              else
                local s = string.format('%d', amount)
                for i = 1, n do
                  local expiry = ARGV[a + 1 + n + i]
                  redis.call('HINCRBY', KEYS[h + i], 'reserved', s)
                  redis.call('PEXPIREAT', KEYS[h + i], expiry)
                  redis.call('ZADD', KEYS[h + n + i], ARGV[a + 4 + 2 * n], KEYS[h] .. '|' .. s)
                  redis.call('PEXPIREAT', KEYS[h + n + i], expiry)
                end
                redis.call('SET', KEYS[h], s, 'PXAT', ARGV[a + 2 + 2 * n])
              end
              local out = {amount}
              for i = 1, n do counters(KEYS[h + i], out) end
              return out
            end
            """;

    /**
     * Lua: {@code settle_in(h, a)}, after {@link #GIVE_BACK} and {@link #SPEND}. The hold is {@code KEYS[h]}, then n
     * buckets, then their n lease sets; {@code ARGV[a]} and {@code ARGV[a + 1]} are the actual cost's nano-dollars and
     * the pico-dollars below them, then each bucket's expiry, then the generation each bucket had when the
     * reservation was made there. With the hold, its reservation is replaced by the cost in every bucket. Without it
     * (already settled, or lost with Redis's data), the cost is added only to a bucket rebuilt since the reservation
     * (another generation), which never held it: a settle sent twice counts once, one that outlived a rebuild
     * counts. A missing bucket is left alone (rebuilt from the ledger first, then settled again). Returns the
     * counters of every bucket afterwards.
     */
    private static final String SETTLE_IN = GIVE_BACK + SPEND + """
            local function settle_in(h, a)
              local held = tonumber(redis.call('GET', KEYS[h]))
              local n = (#KEYS - h) / 2
              if held then redis.call('DEL', KEYS[h]) end
              for i = 1, n do
                local k = KEYS[h + i]
                if redis.call('EXISTS', k) == 1 then
                  if held then take_back(k, KEYS[h + n + i], KEYS[h], held) end
                  if held or (redis.call('HGET', k, 'gen') or '0') ~= ARGV[a + 1 + n + i] then
                    add_spent(k, ARGV[a], ARGV[a + 1])
                    redis.call('PEXPIREAT', k, ARGV[a + 1 + i])
                  end
                end
              end
              local out = {}
              for i = 1, n do counters(KEYS[h + i], out) end
              return out
            end
            """;

    /**
     * KEYS: hold, bucket 1..n, lease set 1..n. ARGV: minimum, maximum, limit 1..n, bucket expiry 1..n, hold expiry,
     * now, lease end, refuse a missing bucket (1 or 0). Returns the amount reserved, or -1 when some bucket has less
     * than the minimum left, then the counters of every bucket afterwards; {@code {-2}} when the hold already exists
     * (the id was voided: nothing reserved).
     */
    static final LuaScript RESERVE = LuaScript.of("budget-reserve", RESERVE_IN + "return reserve_in(1, 1)\n");

    /**
     * KEYS: hold, bucket 1..n, lease set 1..n. ARGV: actual cost (nano-dollars, then the pico-dollars below them),
     * bucket expiry 1..n, bucket generation at reservation 1..n. Replaces what the hold still holds in each bucket
     * by the actual cost and deletes the hold; with no hold, adds the cost only to buckets rebuilt since (see
     * {@code settle_in}). Returns the counters of every bucket afterwards.
     */
    static final LuaScript SETTLE = LuaScript.of("budget-settle", SETTLE_IN + "return settle_in(1, 1)\n");

    /**
     * KEYS: hold, bucket 1..n, lease set 1..n. ARGV: the amount to keep held. Gives back, in each bucket where the
     * hold's lease still runs, what it holds above that amount; a hold already at or below it, or gone, is left
     * alone. Returns 1 when the hold was lowered.
     */
    static final LuaScript RELEASE = LuaScript.of("budget-release", GIVE_BACK + """
            local held = tonumber(redis.call('GET', KEYS[1]))
            local keep = tonumber(ARGV[1])
            if not held or keep >= held then return 0 end
            local s = string.format('%d', keep)
            redis.call('SET', KEYS[1], s, 'KEEPTTL')
            local n = (#KEYS - 1) / 2
            local was = KEYS[1] .. '|' .. string.format('%d', held)
            for i = 1, n do
              local leases = KEYS[1 + n + i]
              local ends = redis.call('ZSCORE', leases, was)
              if ends then
                redis.call('ZREM', leases, was)
                redis.call('ZADD', leases, ends, KEYS[1] .. '|' .. s)
                give_back(KEYS[1 + i], held - keep)
              end
            end
            return 1
            """);

    /**
     * KEYS: hold, bucket 1..n, lease set 1..n. ARGV: hold expiry. For a reservation whose reply never came: undoes
     * it if Redis made it, and marks the hold void so that a late arrival reserves nothing. Returns 1 when it undid
     * a reservation.
     */
    static final LuaScript VOID = LuaScript.of("budget-void", GIVE_BACK + """
            local held = tonumber(redis.call('GET', KEYS[1]))
            redis.call('SET', KEYS[1], 'void', 'PXAT', ARGV[1])
            if not held then return 0 end
            local n = (#KEYS - 1) / 2
            for i = 1, n do take_back(KEYS[1 + i], KEYS[1 + n + i], KEYS[1], held) end
            return 1
            """);

    /**
     * KEYS: bucket, its lease set. ARGV: now. Gives back the bucket's ended leases, then returns its counters, so a
     * status read after a replica died shows its room free without waiting for a reservation.
     */
    static final LuaScript STATE = LuaScript.of("budget-state", REAP + SPEND + """
            reap(KEYS[1], KEYS[2], ARGV[1])
            return counters(KEYS[1], {})
            """);

    /**
     * KEYS: marker, bucket. ARGV: spend (nano-dollars, then the pico-dollars below them), bucket expiry, marker
     * expiry. Adds spend made while Redis was away, once per marker, so a push sent again after a timeout is not
     * counted twice. Returns 1 when added.
     */
    static final LuaScript PUSH_SPEND = LuaScript.of("budget-push-spend", SPEND + """
            if not redis.call('SET', KEYS[1], '1', 'NX', 'PXAT', ARGV[4]) then return 0 end
            add_spent(KEYS[2], ARGV[1], ARGV[2])
            redis.call('PEXPIREAT', KEYS[2], ARGV[3])
            return 1
            """);

    /**
     * KEYS: bucket. ARGV: spend (nano-dollars, then the pico-dollars below them), bucket expiry, generation. Sets the
     * spend, and the bucket's generation (which tells a rebuilt bucket from the one it replaces), only if the bucket
     * has no spend; returns the bucket's generation (0 for one restored before generations existed).
     */
    static final LuaScript RESTORE = LuaScript.of("budget-restore", """
            local set = redis.call('HSETNX', KEYS[1], 'spent', ARGV[1])
            if set == 1 then redis.call('HSET', KEYS[1], 'spent_picos', ARGV[2], 'gen', ARGV[4]) end
            redis.call('PEXPIREAT', KEYS[1], ARGV[3])
            return tonumber(redis.call('HGET', KEYS[1], 'gen')) or 0
            """);

    /**
     * KEYS: hold, bucket, its lease set. ARGV: the amount held, when the hold's lease ends, the bucket's expiry, the
     * hold's expiry. Counts a reservation still in flight again in a bucket rebuilt without it (its calls settle
     * later, against the rebuilt bucket): reserves the amount there unless the bucket's lease set already names the
     * hold, and writes the hold back if it was lost. Returns the bucket's generation, -1 when the bucket is missing
     * (nothing done).
     */
    static final LuaScript HOLD_AGAIN = LuaScript.of("budget-hold-again", """
            if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
            local member = KEYS[1] .. '|' .. ARGV[1]
            if not redis.call('ZSCORE', KEYS[3], member) then
              redis.call('HINCRBY', KEYS[2], 'reserved', ARGV[1])
              redis.call('ZADD', KEYS[3], ARGV[2], member)
              redis.call('PEXPIREAT', KEYS[3], ARGV[3])
            end
            if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[4]) end
            return tonumber(redis.call('HGET', KEYS[2], 'gen')) or 0
            """);

    /**
     * A cache lookup, fill lock and reservation in one script. KEYS: entry, lock, hold, bucket 1..n, lease set
     * 1..n. ARGV: token, lock TTL in ms, then as {@link #RESERVE}. Returns {@code {1, entry}} on a hit,
     * {@code {2, ...}} when the caller took the fill lock (followed by what {@link #RESERVE} returns), {@code {3}}
     * when another caller holds it.
     */
    static final LuaScript LOOKUP_LOCK_RESERVE = LuaScript.of("cache-lookup-lock-reserve", RESERVE_IN + """
            local v = redis.call('GET', KEYS[1])
            if v then return {1, v} end
            if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {3} end
            local reserved = reserve_in(3, 3)
            table.insert(reserved, 1, 2)
            return reserved
            """);

    /**
     * A {@link #SETTLE} and a cache store (and unlock) in one script. KEYS: entry, lock, hold, bucket 1..n, lease set
     * 1..n. ARGV: value, TTL in ms, token, then as {@link #SETTLE}. Returns the counters like {@link #SETTLE}.
     */
    static final LuaScript SETTLE_STORE = LuaScript.of("budget-settle-cache-store", SETTLE_IN + """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
            return settle_in(3, 4)
            """);
}
