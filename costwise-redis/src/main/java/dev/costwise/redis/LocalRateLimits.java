package dev.costwise.redis;

import dev.costwise.llm.ratelimit.RateLimits;
import dev.costwise.llm.ratelimit.UsagePermit;
import dev.costwise.llm.ratelimit.UsageSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What {@link RedisRateLimiter} admits on its own while Redis is unreachable: the same sliding windows as its Lua
 * script (minute, hour and day, in the same sub-buckets), in this replica's memory and against this replica's share
 * of each limit, so that a refusal also says how long until the window admits the request. Windows are read on the
 * given clock. Thread-safe.
 */
final class LocalRateLimits {

    private final Clock clock;
    private final Map<String, RateLimits> limits;
    private final ConcurrentMap<String, ModelWindows> windows = new ConcurrentHashMap<>();

    /**
     * @param clock reads the windows
     * @param limits each model's limits on this replica alone (its share of the shared ones)
     */
    LocalRateLimits(Clock clock, Map<String, RateLimits> limits) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Map.copyOf(limits);
    }

    /**
     * Admits one request of about {@code estimatedTokens} to {@code model} if none of its windows would pass its
     * limit, counting it at once in every window; all or nothing.
     *
     * @param model a model with limits
     * @param estimatedTokens expected input plus output tokens, not negative
     * @param onRefusal told which window refused and when it admits the request again
     * @return the permit to reconcile with the real usage, or empty when refused
     */
    Optional<UsagePermit> tryAcquire(String model, long estimatedTokens,
            Consumer<RedisRateLimiter.Refusal> onRefusal) {
        RateLimits l = limits.getOrDefault(model, RateLimits.NONE);
        ModelWindows w = windows.computeIfAbsent(model, m -> new ModelWindows());
        return w.tryAcquire(l, clock.millis(), estimatedTokens, onRefusal);
    }

    /** One model's windows, guarded by its monitor. */
    private static final class ModelWindows {
        /** Each window's sub-buckets, by number: requests and tokens. */
        private final Map<RedisRateLimiter.Window, NavigableMap<Long, long[]>> buckets =
                new EnumMap<>(RedisRateLimiter.Window.class);

        synchronized Optional<UsagePermit> tryAcquire(RateLimits l, long now, long tokens,
                Consumer<RedisRateLimiter.Refusal> onRefusal) {
            Map<RedisRateLimiter.Window, Long> current = new EnumMap<>(RedisRateLimiter.Window.class);
            for (RedisRateLimiter.Window w : RedisRateLimiter.Window.values()) {
                OptionalLong requestLimit = w.requests(l);
                OptionalLong tokenLimit = w.tokens(l);
                if (requestLimit.isEmpty() && tokenLimit.isEmpty()) {
                    continue;
                }
                long cur = Math.floorDiv(now, w.bucket);
                NavigableMap<Long, long[]> counts = buckets.computeIfAbsent(w, x -> new TreeMap<>());
                counts.headMap(cur - w.length / w.bucket + 1).clear(); // slid out of the window
                long requests = 0;
                long used = 0;
                for (long[] c : counts.values()) {
                    requests += c[0];
                    used += c[1];
                }
                boolean overRequests = !fits(requests + 1, requestLimit);
                if (overRequests || !fits(used + tokens, tokenLimit)) {
                    long[] counted = new long[RedisRateLimiter.Window.values().length * 2];
                    counted[2 * w.ordinal()] = requests;
                    counted[2 * w.ordinal() + 1] = used;
                    onRefusal.accept(new RedisRateLimiter.Refusal(RedisRateLimiter.snapshot(counted),
                            overRequests ? RedisRateLimiter.Limit.REQUESTS : RedisRateLimiter.Limit.TOKENS,
                            Duration.ofMillis(wait(w, counts, now, requests, used, tokens, l)), true));
                    return Optional.empty();
                }
                current.put(w, cur);
            }
            current.forEach((w, cur) -> add(w, cur, 1, tokens));
            UsageSnapshot usage = RedisRateLimiter.snapshot(counted(current.keySet()));
            AtomicBoolean done = new AtomicBoolean();
            return Optional.of(new RedisRateLimiter.LocalPermit() {
                @Override
                public RateLimits share() {
                    return l;
                }

                @Override
                public Optional<UsageSnapshot> usage() {
                    return Optional.of(usage);
                }

                @Override
                public void reconcile(long actual) {
                    if (actual < 0) {
                        throw new IllegalArgumentException("actualTokens cannot be negative, was " + actual);
                    }
                    if (done.compareAndSet(false, true) && actual != tokens) {
                        synchronized (ModelWindows.this) {
                            current.forEach((w, cur) -> add(w, cur, 0, actual - tokens));
                        }
                    }
                }
            });
        }

        /** @return requests and tokens of each window checked, as {@link RedisRateLimiter#snapshot} takes them */
        private long[] counted(Iterable<RedisRateLimiter.Window> checked) {
            long[] counted = new long[RedisRateLimiter.Window.values().length * 2];
            for (RedisRateLimiter.Window w : checked) {
                for (long[] c : buckets.get(w).values()) {
                    counted[2 * w.ordinal()] += c[0];
                    counted[2 * w.ordinal() + 1] += c[1];
                }
            }
            return counted;
        }

        /**
         * @return how long until enough of the window's oldest sub-buckets slide out for the request to fit; the
         *     whole window when it never would
         */
        private static long wait(RedisRateLimiter.Window w, NavigableMap<Long, long[]> counts, long now,
                long requests, long used, long tokens, RateLimits l) {
            long r = requests;
            long t = used;
            for (Map.Entry<Long, long[]> e : counts.entrySet()) {
                r -= e.getValue()[0];
                t -= e.getValue()[1];
                if (fits(r + 1, w.requests(l)) && fits(t + tokens, w.tokens(l))) {
                    return Math.max(0, (e.getKey() + w.length / w.bucket) * w.bucket - now);
                }
            }
            return w.length;
        }

        private void add(RedisRateLimiter.Window w, long bucket, long requests, long tokens) {
            long[] c = buckets.get(w).computeIfAbsent(bucket, b -> new long[2]);
            c[0] += requests;
            c[1] += tokens;
        }

        private static boolean fits(long value, OptionalLong limit) {
            return limit.isEmpty() || value <= limit.getAsLong();
        }
    }
}
