package dev.costwise.redis;

/**
 * The Lua scripts of {@link RedisBudgetStore}. Amounts are whole nano-dollars; every time is an absolute
 * {@code PEXPIREAT} in epoch milliseconds.
 *
 * <p>Every reservation has a <em>hold</em> key ({@code <prefix>:hold:<id>}) holding the amount still reserved, so
 * each write about a reservation can be sent again after a timeout without counting twice: a settle or a release
 * reads what the hold still holds, and a reservation the client gave up on is <em>voided</em>, which undoes it if
 * it was made after all and blocks it if it arrives later. A hold lives until its reservation is settled, and at
 * most as long as its buckets.
 */
final class BudgetScripts {

    private BudgetScripts() {}

    /** Lua: {@code give_back(key, amount)} lowers a bucket's reserved amount, never below zero. */
    private static final String GIVE_BACK = """
            local function give_back(key, amount)
              local left = (tonumber(redis.call('HGET', key, 'reserved')) or 0) - amount
              if left < 0 then left = 0 end
              redis.call('HSET', key, 'reserved', string.format('%d', left))
            end
            """;

    /**
     * Lua: {@code reserve_in(h, a)}. The hold is {@code KEYS[h]} and the buckets follow it; {@code ARGV[a]} is the
     * minimum, {@code ARGV[a + 1]} the maximum, then each bucket's limit, each bucket's expiry and the hold's expiry.
     * Returns the amount reserved, -1 when some bucket has less than the minimum left, -2 when the hold exists
     * (voided: nothing reserved).
     */
    private static final String RESERVE_IN = """
            local function reserve_in(h, a)
              if redis.call('EXISTS', KEYS[h]) == 1 then return -2 end
              local n = #KEYS - h
              local minimum = tonumber(ARGV[a])
              local amount = tonumber(ARGV[a + 1])
              for i = 1, n do
                local v = redis.call('HMGET', KEYS[h + i], 'spent', 'reserved')
                local room = tonumber(ARGV[a + 1 + i]) - (tonumber(v[1]) or 0) - (tonumber(v[2]) or 0)
                if room < amount then amount = room end
              end
              if amount < minimum then return -1 end
              local s = string.format('%d', amount)
              for i = 1, n do
                redis.call('HINCRBY', KEYS[h + i], 'reserved', s)
                redis.call('PEXPIREAT', KEYS[h + i], ARGV[a + 1 + n + i])
              end
              redis.call('SET', KEYS[h], s, 'PXAT', ARGV[a + 2 + 2 * n])
              return amount
            end
            """;

    /**
     * Lua: {@code settle_in(h, a)}, after {@link #GIVE_BACK}. The hold is {@code KEYS[h]} and the buckets follow it;
     * {@code ARGV[a]} is the actual cost, {@code ARGV[a + 1]} whether to count it when the hold is gone, then each
     * bucket's expiry. Returns spent and reserved of every bucket afterwards.
     */
    private static final String SETTLE_IN = GIVE_BACK + """
            local function settle_in(h, a)
              local held = tonumber(redis.call('GET', KEYS[h]))
              local actual = ARGV[a]
              local n = #KEYS - h
              if held or ARGV[a + 1] == '1' then
                if held then redis.call('DEL', KEYS[h]) end
                for i = 1, n do
                  local k = KEYS[h + i]
                  if held then give_back(k, held) end
                  if actual ~= '0' then redis.call('HINCRBY', k, 'spent', actual) end
                  redis.call('PEXPIREAT', k, ARGV[a + 1 + i])
                end
              end
              local out = {}
              for i = 1, n do
                local v = redis.call('HMGET', KEYS[h + i], 'spent', 'reserved')
                out[2 * i - 1] = tonumber(v[1]) or 0
                out[2 * i] = tonumber(v[2]) or 0
              end
              return out
            end
            """;

    /**
     * KEYS: hold, bucket 1..n. ARGV: minimum, maximum, limit 1..n, bucket expiry 1..n, hold expiry. Returns the
     * amount reserved, -1 when some bucket has less than the minimum left, -2 when the hold already exists (the id
     * was voided: nothing reserved).
     */
    static final LuaScript RESERVE = LuaScript.of("budget-reserve", RESERVE_IN + "return reserve_in(1, 1)\n");

    /**
     * KEYS: hold, bucket 1..n. ARGV: actual cost, count when the hold is missing (1 or 0), bucket expiry 1..n.
     * Replaces what the hold still holds by the actual cost and deletes the hold; with no hold (already settled) only
     * the spend is added, and only when asked to (the hold was lost with Redis's data). Returns spent and reserved of
     * every bucket afterwards.
     */
    static final LuaScript SETTLE = LuaScript.of("budget-settle", SETTLE_IN + "return settle_in(1, 1)\n");

    /**
     * KEYS: hold, bucket 1..n. ARGV: the amount to keep held. Gives back what the hold holds above it; a hold already
     * at or below it, or gone, is left alone. Returns 1 when something was given back.
     */
    static final LuaScript RELEASE = LuaScript.of("budget-release", GIVE_BACK + """
            local held = tonumber(redis.call('GET', KEYS[1]))
            local keep = tonumber(ARGV[1])
            if not held or keep >= held then return 0 end
            redis.call('SET', KEYS[1], string.format('%d', keep), 'KEEPTTL')
            for i = 2, #KEYS do give_back(KEYS[i], held - keep) end
            return 1
            """);

    /**
     * KEYS: hold, bucket 1..n. ARGV: hold expiry. For a reservation whose reply never came: undoes it if Redis made
     * it, and marks the hold void so that a late arrival reserves nothing. Returns 1 when it undid a reservation.
     */
    static final LuaScript VOID = LuaScript.of("budget-void", GIVE_BACK + """
            local held = tonumber(redis.call('GET', KEYS[1]))
            redis.call('SET', KEYS[1], 'void', 'PXAT', ARGV[1])
            if not held then return 0 end
            for i = 2, #KEYS do give_back(KEYS[i], held) end
            return 1
            """);

    /**
     * KEYS: marker, bucket. ARGV: spend, bucket expiry, marker expiry. Adds spend made while Redis was away, once per
     * marker, so a push sent again after a timeout is not counted twice. Returns 1 when added.
     */
    static final LuaScript PUSH_SPEND = LuaScript.of("budget-push-spend", """
            if not redis.call('SET', KEYS[1], '1', 'NX', 'PXAT', ARGV[3]) then return 0 end
            redis.call('HINCRBY', KEYS[2], 'spent', ARGV[1])
            redis.call('PEXPIREAT', KEYS[2], ARGV[2])
            return 1
            """);

    /** KEYS: bucket. ARGV: spend, bucket expiry. Sets the spend only if the bucket has none; returns 1 when set. */
    static final LuaScript RESTORE = LuaScript.of("budget-restore", """
            local set = redis.call('HSETNX', KEYS[1], 'spent', ARGV[1])
            redis.call('PEXPIREAT', KEYS[1], ARGV[2])
            return set
            """);

    /**
     * A cache lookup, fill lock and reservation in one script. KEYS: entry, lock, hold, bucket 1..n. ARGV: token,
     * lock TTL in ms, then as {@link #RESERVE}. Returns {@code {1, entry}} on a hit, {@code {2, amount}} when the
     * caller took the fill lock (amount as {@link #RESERVE} returns it), {@code {3}} when another caller holds it.
     */
    static final LuaScript LOOKUP_LOCK_RESERVE = LuaScript.of("cache-lookup-lock-reserve", RESERVE_IN + """
            local v = redis.call('GET', KEYS[1])
            if v then return {1, v} end
            if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {3} end
            return {2, reserve_in(3, 3)}
            """);

    /**
     * A {@link #SETTLE} and a cache store (and unlock) in one script. KEYS: entry, lock, hold, bucket 1..n. ARGV:
     * value, TTL in ms, token, then as {@link #SETTLE}. Returns the counters like {@link #SETTLE}.
     */
    static final LuaScript SETTLE_STORE = LuaScript.of("budget-settle-cache-store", SETTLE_IN + """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
            return settle_in(3, 4)
            """);
}
