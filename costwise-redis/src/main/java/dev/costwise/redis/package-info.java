/**
 * Shared state for gateway replicas in Redis: a response cache ({@link dev.costwise.redis.RedisChatCache}), budget
 * counters reserved and settled by atomic Lua scripts ({@link dev.costwise.redis.RedisBudgetStore}) and sliding
 * rate-limit windows ({@link dev.costwise.redis.RedisRateLimiter}).
 *
 * <p>Entry point: {@link dev.costwise.redis.RedisSharedState#connect(RedisOptions)}. When Redis is unreachable every
 * piece keeps serving on local state (the cache is bypassed, budgets reserve against a per-replica share of each
 * limit, rate limits count locally against the same share), a {@link dev.costwise.redis.RedisHealthListener} hears
 * about it, and a background probe restores sharing once Redis answers again.
 */
package dev.costwise.redis;
