package dev.costwise.redis;

import dev.costwise.llm.ratelimit.RateLimits;
import dev.costwise.llm.ratelimit.UsagePermit;
import dev.costwise.llm.ratelimit.UsageSnapshot;
import dev.costwise.llm.ratelimit.UsageTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Request and token limits per model counted in Redis, so a limit trips at its configured value however many replicas
 * share it: the shared counterpart of {@link UsageTracker#tryAcquire}.
 *
 * <p>Each limited window of a model (minute, hour, day) is a hash {@code <prefix>:ratelimit:<model>:<window>} whose
 * fields count requests ({@code r<bucket>}) and tokens ({@code t<bucket>}) per sub-bucket: 60 one-second buckets for
 * the minute, 60 one-minute buckets for the hour, 144 ten-minute buckets for the day, the same sliding windows as the
 * local tracker. One Lua script drops the buckets that slid out, checks every window and counts the request in all of
 * them, all or nothing: one round trip per admission, one more to reconcile the estimated tokens with the real count
 * when they differ. Hashes expire a bucket after their window. Windows are read on the options' clock, so replicas'
 * clocks should be synchronised (NTP).
 *
 * <p>When Redis is unreachable, admissions fall back to the same sliding windows in this replica's memory, holding
 * {@link RedisOptions#localShare()} of each limit (at least 1); their refusals, too, say when the window admits the
 * request again ({@link Refusal#local()}). Thread-safe.
 *
 * <pre>{@code
 * RedisRateLimiter limiter = RedisRateLimiter.builder(connection)
 *     .modelLimits("gemini-2.5-pro", RateLimits.NONE.withRequestsPerMinute(5).withTokensPerMinute(250_000))
 *     .build();
 * Optional<UsagePermit> permit = limiter.tryAcquire("gemini-2.5-pro", estimatedTokens);
 * }</pre>
 */
public final class RedisRateLimiter {

    private static final LuaScript ACQUIRE = LuaScript.of("ratelimit-acquire", """
            local now = tonumber(ARGV[1])
            local tokens = tonumber(ARGV[2])
            local n = #KEYS
            local current = {}
            local used = {}
            for i = 1, n do
              local base = 2 + (i - 1) * 4
              local window = tonumber(ARGV[base + 1])
              local size = tonumber(ARGV[base + 2])
              local rlimit = tonumber(ARGV[base + 3])
              local tlimit = tonumber(ARGV[base + 4])
              local cur = math.floor(now / size)
              local oldest = cur - math.floor(window / size) + 1
              local fields = redis.call('HGETALL', KEYS[i])
              local r, t = 0, 0
              local rb, tb, seen = {}, {}, {}
              for j = 1, #fields, 2 do
                local f = fields[j]
                local b = tonumber(string.sub(f, 2))
                if b < oldest then
                  redis.call('HDEL', KEYS[i], f)
                else
                  if rb[b] == nil then
                    rb[b], tb[b] = 0, 0
                    table.insert(seen, b)
                  end
                  if string.sub(f, 1, 1) == 'r' then
                    r = r + tonumber(fields[j + 1])
                    rb[b] = rb[b] + tonumber(fields[j + 1])
                  else
                    t = t + tonumber(fields[j + 1])
                    tb[b] = tb[b] + tonumber(fields[j + 1])
                  end
                end
              end
              local overr = rlimit >= 0 and r + 1 > rlimit
              if overr or (tlimit >= 0 and t + tokens > tlimit) then
                -- the wait: until enough of the oldest buckets slide out for this request to fit
                table.sort(seen)
                local wait = window
                local rr, tt = r, t
                for _, b in ipairs(seen) do
                  rr, tt = rr - rb[b], tt - tb[b]
                  if (rlimit < 0 or rr + 1 <= rlimit) and (tlimit < 0 or tt + tokens <= tlimit) then
                    wait = (b + math.floor(window / size)) * size - now
                    break
                  end
                end
                local kind = 2
                if overr then kind = 1 end
                return {0, i, r, t, kind, wait}
              end
              current[i] = cur
              used[i] = {r + 1, t + tokens}
            end
            local out = {1}
            for i = 1, n do
              local base = 2 + (i - 1) * 4
              local c = string.format('%d', current[i])
              redis.call('HINCRBY', KEYS[i], 'r' .. c, 1)
              redis.call('HINCRBY', KEYS[i], 't' .. c, string.format('%d', tokens))
              redis.call('PEXPIRE', KEYS[i], string.format('%d', tonumber(ARGV[base + 1]) + tonumber(ARGV[base + 2])))
              out[i + 1] = c
            end
            for i = 1, n do
              out[n + 2 * i] = used[i][1]
              out[n + 2 * i + 1] = used[i][2]
            end
            return out
            """);

    private static final LuaScript RECONCILE = LuaScript.of("ratelimit-reconcile", """
            for i = 1, #KEYS do
              redis.call('HINCRBY', KEYS[i], 't' .. ARGV[i + 1], ARGV[1])
            end
            return #KEYS
            """);

    /** A sliding window: its length, its bucket size, and which limits of {@link RateLimits} apply to it. */
    enum Window {
        MINUTE(Duration.ofMinutes(1), Duration.ofSeconds(1)),
        HOUR(Duration.ofHours(1), Duration.ofMinutes(1)),
        DAY(Duration.ofDays(1), Duration.ofMinutes(10));

        final long length;
        final long bucket;

        Window(Duration length, Duration bucket) {
            this.length = length.toMillis();
            this.bucket = bucket.toMillis();
        }

        OptionalLong requests(RateLimits l) {
            return switch (this) {
                case MINUTE -> l.requestsPerMinute();
                case HOUR -> l.requestsPerHour();
                case DAY -> l.requestsPerDay();
            };
        }

        OptionalLong tokens(RateLimits l) {
            return switch (this) {
                case MINUTE -> l.tokensPerMinute();
                case HOUR -> l.tokensPerHour();
                case DAY -> l.tokensPerDay();
            };
        }
    }

    private final RedisConnection redis;
    private final Map<String, RateLimits> limits;
    private final LocalRateLimits local;
    private final LongAdder localAdmissions = new LongAdder();

    private RedisRateLimiter(Builder b) {
        this.redis = b.redis;
        this.limits = Map.copyOf(b.limits);
        double share = redis.options().localShare();
        Map<String, RateLimits> shares = new HashMap<>();
        this.limits.forEach((model, l) -> shares.put(model, scaled(l, share)));
        this.local = new LocalRateLimits(redis.options().clock(), shares);
    }

    /**
     * A request this replica admitted alone, against its share of the limits, while Redis was unreachable;
     * {@link #usage()} holds this replica's own counts, not the shared ones.
     */
    public interface LocalPermit extends UsagePermit {
        /** @return this replica's share of the limits ({@link RedisOptions#localShare()}), which admitted it */
        RateLimits share();
    }

    /**
     * @param model the model's catalog name
     * @return this replica's share of the model's limits, which it applies alone while Redis is unreachable; none
     *     for a model without limits
     */
    public RateLimits localShare(String model) {
        RateLimits l = limits.get(Objects.requireNonNull(model, "model"));
        return l == null ? RateLimits.NONE : scaled(l, redis.options().localShare());
    }

    /**
     * Starts building a limiter on {@code redis}.
     *
     * @param redis the connection
     * @return a builder with no limits
     */
    public static Builder builder(RedisConnection redis) {
        return new Builder(Objects.requireNonNull(redis, "redis"));
    }

    /**
     * Admits one request of about {@code estimatedTokens} to {@code model} if none of its limits would be passed,
     * counting it at once in every window. A model with no configured limits is always admitted without touching
     * Redis.
     *
     * @param model the model's catalog name
     * @param estimatedTokens expected input plus output tokens
     * @return the permit to reconcile with the real usage, or empty if a limit would be passed
     * @throws IllegalArgumentException if {@code estimatedTokens} is negative
     */
    public Optional<UsagePermit> tryAcquire(String model, long estimatedTokens) {
        return tryAcquire(model, estimatedTokens, counted -> { });
    }

    /**
     * Like {@link #tryAcquire(String, long)}, and on a refusal tells {@code onRefusal} what the window that refused
     * counts, this request not included (the other windows read zero), so a caller can report what is left. Not
     * called when this replica decided alone because Redis was unreachable (its counts are not the shared ones).
     *
     * @param model the model's catalog name
     * @param estimatedTokens expected input plus output tokens
     * @param onRefusal receives the refusing window's counts
     * @return the permit to reconcile with the real usage, or empty if a limit would be passed
     * @throws IllegalArgumentException if {@code estimatedTokens} is negative
     */
    public Optional<UsagePermit> tryAcquire(String model, long estimatedTokens, Consumer<UsageSnapshot> onRefusal) {
        Objects.requireNonNull(onRefusal, "onRefusal");
        return tryAcquireExplained(model, estimatedTokens, refusal -> {
            if (!refusal.local()) {
                onRefusal.accept(refusal.counted());
            }
        });
    }

    /** Which limit of a window refused a request. */
    public enum Limit {
        /** Its requests per window. */
        REQUESTS,
        /** Its tokens per window. */
        TOKENS
    }

    /**
     * Why a window refused a request.
     *
     * @param counted what the window that refused counts, this request not included (the other windows read zero)
     * @param limit which of its limits the request would have passed (requests when both)
     * @param retryAfter how long until enough of the window's oldest buckets slide out for the same request to fit;
     *     the whole window when it never would (the request alone passes the token limit)
     * @param local {@code true} when Redis was unreachable and this replica's share of the limit refused: the counts
     *     and the wait are then this replica's own window's, not the shared one's
     */
    public record Refusal(UsageSnapshot counted, Limit limit, Duration retryAfter, boolean local) {
        public Refusal {
            Objects.requireNonNull(counted, "counted");
            Objects.requireNonNull(limit, "limit");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /**
     * Like {@link #tryAcquire(String, long, Consumer)}, telling {@code onRefusal} also which limit refused and when
     * the window admits the request again; also when this replica decided alone because Redis was unreachable
     * ({@link Refusal#local()}).
     *
     * @param model the model's catalog name
     * @param estimatedTokens expected input plus output tokens
     * @param onRefusal receives why the window refused
     * @return the permit to reconcile with the real usage, or empty if a limit would be passed
     * @throws IllegalArgumentException if {@code estimatedTokens} is negative
     */
    public Optional<UsagePermit> tryAcquireExplained(String model, long estimatedTokens,
            Consumer<Refusal> onRefusal) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(onRefusal, "onRefusal");
        if (estimatedTokens < 0) {
            throw new IllegalArgumentException("estimatedTokens cannot be negative, was " + estimatedTokens);
        }
        RateLimits l = limits.get(model);
        if (l == null || l.isEmpty()) {
            return Optional.of(actual -> {});
        }
        if (redis.isAvailable()) {
            try {
                return acquireShared(model, l, estimatedTokens, onRefusal);
            } catch (RedisUnavailableException e) {
                // fall back to this replica's share
            }
        }
        localAdmissions.increment();
        return local.tryAcquire(model, estimatedTokens, onRefusal);
    }

    /** @return admissions decided locally because Redis was unreachable */
    public long localAdmissions() {
        return localAdmissions.sum();
    }

    private Optional<UsagePermit> acquireShared(String model, RateLimits l, long estimatedTokens,
            Consumer<Refusal> onRefusal) {
        List<String> keys = new ArrayList<>(3);
        List<Window> windows = new ArrayList<>(3);
        List<String> args = new ArrayList<>(14);
        args.add(Long.toString(redis.options().clock().millis()));
        args.add(Long.toString(estimatedTokens));
        for (Window w : Window.values()) {
            OptionalLong requests = w.requests(l);
            OptionalLong tokens = w.tokens(l);
            if (requests.isEmpty() && tokens.isEmpty()) {
                continue;
            }
            keys.add(redis.key("ratelimit", model, w.name().toLowerCase(java.util.Locale.ROOT)));
            windows.add(w);
            args.add(Long.toString(w.length));
            args.add(Long.toString(w.bucket));
            args.add(Long.toString(requests.orElse(-1)));
            args.add(Long.toString(tokens.orElse(-1)));
        }
        List<?> reply = (List<?>) redis.eval(ACQUIRE, keys, args);
        if ((Long) reply.get(0) == 0) {
            long[] counted = new long[Window.values().length * 2];
            int w = windows.get((int) (long) (Long) reply.get(1) - 1).ordinal();
            counted[2 * w] = (Long) reply.get(2);
            counted[2 * w + 1] = (Long) reply.get(3);
            Limit limit = (Long) reply.get(4) == 1 ? Limit.REQUESTS : Limit.TOKENS;
            Duration wait = Duration.ofMillis(Math.max(0, (Long) reply.get(5)));
            onRefusal.accept(new Refusal(snapshot(counted), limit, wait, false));
            return Optional.empty();
        }
        int n = keys.size();
        List<String> buckets = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            buckets.add(String.valueOf(reply.get(i)));
        }
        long[] counted = new long[Window.values().length * 2]; // requests, tokens of each window, this one included
        for (int i = 0; i < n; i++) {
            int w = windows.get(i).ordinal();
            counted[2 * w] = (Long) reply.get(n + 1 + 2 * i);
            counted[2 * w + 1] = (Long) reply.get(n + 2 + 2 * i);
        }
        UsageSnapshot usage = snapshot(counted);
        AtomicBoolean done = new AtomicBoolean();
        return Optional.of(new UsagePermit() {
            @Override
            public Optional<UsageSnapshot> usage() {
                return Optional.of(usage);
            }

            @Override
            public void reconcile(long actual) {
                reconcileShared(keys, buckets, done, estimatedTokens, actual);
            }
        });
    }

    /** @param counted requests and tokens of the minute, hour and day windows, in that order */
    static UsageSnapshot snapshot(long[] counted) {
        return new UsageSnapshot(counted[0], counted[1], counted[2], counted[3], counted[4], counted[5]);
    }

    private void reconcileShared(List<String> keys, List<String> buckets, AtomicBoolean done, long estimatedTokens,
            long actual) {
        if (actual < 0) {
            throw new IllegalArgumentException("actualTokens cannot be negative, was " + actual);
        }
        if (done.compareAndSet(false, true) && actual != estimatedTokens) {
            List<String> reconcileArgs = new ArrayList<>(1 + buckets.size());
            reconcileArgs.add(Long.toString(actual - estimatedTokens));
            reconcileArgs.addAll(buckets);
            try {
                redis.eval(RECONCILE, keys, reconcileArgs);
            } catch (RedisUnavailableException e) {
                // the window keeps the estimate; it slides out soon
            }
        }
    }

    private static RateLimits scaled(RateLimits l, double share) {
        return new RateLimits(scale(l.requestsPerMinute(), share), scale(l.requestsPerHour(), share),
                scale(l.requestsPerDay(), share), scale(l.tokensPerMinute(), share), scale(l.tokensPerHour(), share),
                scale(l.tokensPerDay(), share));
    }

    private static OptionalLong scale(OptionalLong limit, double share) {
        return limit.isEmpty() ? limit : OptionalLong.of(Math.max(1, (long) Math.floor(limit.getAsLong() * share)));
    }

    /** Builds a {@link RedisRateLimiter}. Not thread-safe. */
    public static final class Builder {
        private final RedisConnection redis;
        private final Map<String, RateLimits> limits = new HashMap<>();

        private Builder(RedisConnection redis) {
            this.redis = redis;
        }

        /**
         * The limits of one model, shared by every replica.
         *
         * @param model the model's catalog name
         * @param value its limits
         * @return this builder
         */
        public Builder modelLimits(String model, RateLimits value) {
            limits.put(Objects.requireNonNull(model, "model"), Objects.requireNonNull(value, "limits"));
            return this;
        }

        /** @return the limiter */
        public RedisRateLimiter build() {
            return new RedisRateLimiter(this);
        }
    }
}
