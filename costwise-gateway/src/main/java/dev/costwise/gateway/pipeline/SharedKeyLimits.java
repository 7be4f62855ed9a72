package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.llm.ratelimit.RateLimits;
import dev.costwise.llm.ratelimit.UsagePermit;
import dev.costwise.redis.RedisRateLimiter;
import dev.costwise.redis.RedisSharedState;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests- and tokens-per-minute limits of virtual keys counted in Redis, so a key's limit trips at its
 * configured value however many replicas serve it. Each key's window is {@code <prefix>:ratelimit:key:<id>:minute}.
 * While Redis is down each replica admits its {@code local_share} of the limit. Thread-safe.
 */
final class SharedKeyLimits {
    private final RedisSharedState redis;
    /** One limiter per key and limits; a key whose limits change gets a new one. */
    private final ConcurrentHashMap<String, RedisRateLimiter> limiters = new ConcurrentHashMap<>();

    SharedKeyLimits(RedisSharedState redis) {
        this.redis = redis;
    }

    /**
     * Admits one request of the key if its limits leave room, counting it in the shared window.
     *
     * @param key the caller's key, with rpm and/or tpm set
     * @param estimatedTokens input plus maximum output tokens, reconciled when the real count is known
     * @param onRefusal receives what the shared minute counts when it refuses, which limit it would pass and how
     *     long until the minute admits the request again (while Redis is down, this replica's share of the minute:
     *     {@link RedisRateLimiter.Refusal#local()})
     * @return the permit, or empty when a limit would be passed
     */
    public Optional<UsagePermit> tryAcquire(VirtualKey key, long estimatedTokens,
            Consumer<RedisRateLimiter.Refusal> onRefusal) {
        return limiter(key).tryAcquireExplained(name(key), estimatedTokens, onRefusal);
    }

    /** @return this replica's share of the key's limits, which it applies alone while Redis is unreachable */
    RateLimits localShare(VirtualKey key) {
        return limiter(key).localShare(name(key));
    }

    private static String name(VirtualKey key) {
        return "key:" + key.id();
    }

    private RedisRateLimiter limiter(VirtualKey key) {
        return limiters.computeIfAbsent(name(key) + "|" + key.rpm().orElse(0) + "|" + key.tpm().orElse(0), k -> {
            RateLimits limits = RateLimits.NONE;
            if (key.rpm().isPresent()) {
                limits = limits.withRequestsPerMinute(key.rpm().get());
            }
            if (key.tpm().isPresent()) {
                limits = limits.withTokensPerMinute(key.tpm().get());
            }
            return redis.rateLimiter().modelLimits(name(key), limits).build();
        });
    }
}
