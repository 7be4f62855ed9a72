package dev.costwise.llm.ratelimit;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.orchestration.Headroom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts requests and tokens per model and per provider in sliding windows of a minute, an hour and a day, and says
 * how close each model is to its limits: the spec's Gemini usage tracker, done per model and fed by real usage and by
 * the rate-limit headers providers send.
 *
 * <p>Limits come from {@link Builder#modelLimits}/{@link Builder#providerLimits}, else from the catalog's free-tier
 * entry for the model, and, while fresh, from the latest {@link RateLimitObservation} of the model. Usage comes from
 * {@link #record} (cost records, responses) or from {@link #tryAcquire}, which admits a request atomically against
 * the hard limits with its estimated tokens and reconciles to the actual count later, so a limit trips at its
 * configured value under any concurrency. Windows are read on the injected clock. Thread-safe.
 *
 * <p>It is the {@link Headroom} the classifier and the workflow read, so a free model near its limits is left
 * before it answers 429: {@code RuleBasedTaskClassifier.builder(catalog).headroom(usageTracker)}.
 */
public final class UsageTracker implements Headroom {

    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long DAY = Duration.ofDays(1).toMillis();

    private final Clock clock;
    private final Optional<ModelCatalog> catalog;
    private final Map<String, RateLimits> modelLimits;
    private final Map<String, RateLimits> providerLimits;
    private final double throttleShare;
    private final ConcurrentMap<String, Windows> windows = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Observed> observations = new ConcurrentHashMap<>();

    private UsageTracker(Builder b) {
        this.clock = b.clock;
        this.catalog = b.catalog;
        this.modelLimits = Map.copyOf(b.modelLimits);
        this.providerLimits = Map.copyOf(b.providerLimits);
        this.throttleShare = b.throttleShare;
    }

    /** @return a builder: system UTC clock, no catalog, no limits, throttle at 80% */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Counts one call's actual usage: one request and its input plus output tokens, on the model and its provider.
     *
     * @param model the catalog model that answered
     * @param provider its provider
     * @param usage the tokens it used
     */
    public void record(String model, String provider, Usage usage) {
        Objects.requireNonNull(usage, "usage");
        long now = clock.millis();
        windowsOf(modelKey(model)).add(now, 1, usage.totalTokens());
        windowsOf(providerKey(provider)).add(now, 1, usage.totalTokens());
    }

    /**
     * Counts an attempt from its cost record; cache hits and rejected calls never reached a provider and are skipped.
     *
     * @param record the attempt
     */
    public void record(CostRecord record) {
        if (record.outcome() == Outcome.CACHE_HIT || record.outcome() == Outcome.REJECTED) {
            return;
        }
        record(record.usedModel(), record.provider(), record.usage());
    }

    /**
     * Counts a response's usage.
     *
     * @param response the response
     */
    public void record(ChatResponse response) {
        record(response.model(), response.provider(), response.usage());
    }

    /**
     * A listener to hand to provider adapters, so every response's rate-limit headers feed this tracker.
     *
     * @return the listener
     */
    public dev.costwise.llm.provider.http.RateLimitListener asRateLimitListener() {
        return snapshot -> {
            if (!snapshot.isEmpty()) {
                observe(RateLimitObservation.from(snapshot));
            }
        };
    }

    /**
     * Takes in what a provider's rate-limit headers said. The latest observation of a model counts until its reset
     * time passes.
     *
     * @param observation the headers, parsed
     */
    public void observe(RateLimitObservation observation) {
        Objects.requireNonNull(observation, "observation");
        observations.put(observation.model(), new Observed(observation, clock.instant()));
    }

    /**
     * Admits one request of about {@code estimatedTokens} if no hard limit of the model or its provider would be
     * passed, counting it at once; all-or-nothing across the model and provider windows.
     *
     * @param model the catalog model
     * @param provider its provider
     * @param estimatedTokens expected input plus output tokens
     * @return the permit to reconcile with the real usage, or empty if a limit would be passed
     * @throws IllegalArgumentException if {@code estimatedTokens} is negative
     */
    public Optional<UsagePermit> tryAcquire(String model, String provider, long estimatedTokens) {
        if (estimatedTokens < 0) {
            throw new IllegalArgumentException("estimatedTokens cannot be negative, was " + estimatedTokens);
        }
        Windows m = windowsOf(modelKey(model));
        Windows p = windowsOf(providerKey(provider));
        RateLimits ml = limitsOfModel(model);
        RateLimits pl = providerLimits.getOrDefault(provider, RateLimits.NONE);
        long now = clock.millis();
        synchronized (m) {
            synchronized (p) {
                if (!m.fits(now, ml, estimatedTokens) || !p.fits(now, pl, estimatedTokens)) {
                    return Optional.empty();
                }
                if (observedHeadroom(model).orElse(1.0) <= 0.0) {
                    return Optional.empty();
                }
                long[] mb = m.add(now, 1, estimatedTokens);
                long[] pb = p.add(now, 1, estimatedTokens);
                AtomicBoolean done = new AtomicBoolean();
                return Optional.of(actual -> {
                    if (actual < 0) {
                        throw new IllegalArgumentException("actualTokens cannot be negative, was " + actual);
                    }
                    if (done.compareAndSet(false, true) && actual != estimatedTokens) {
                        m.adjust(mb, actual - estimatedTokens);
                        p.adjust(pb, actual - estimatedTokens);
                    }
                });
            }
        }
    }

    /**
     * Whether to send this model's traffic elsewhere: usage has reached the throttle share (default 80%) of a known
     * limit of the model or its provider, or the provider's latest headers say as much.
     *
     * @param model the catalog model
     * @return {@code true} to move traffic away now, before the limit is hit
     */
    public boolean shouldThrottle(String model) {
        return headroom(model) <= 1.0 - throttleShare + 1e-12;
    }

    /**
     * How much of its tightest known limit a model has left, from 1 (unused, or no limit known) to 0 (at the limit).
     *
     * @param model the catalog model
     * @return the share left of the tightest limit
     */
    public double headroom(String model) {
        long now = clock.millis();
        double headroom = 1.0;
        headroom = Math.min(headroom, windowsOf(modelKey(model)).headroom(now, limitsOfModel(model)));
        String provider = providerOf(model);
        if (provider != null) {
            headroom = Math.min(headroom, windowsOf(providerKey(provider)).headroom(now,
                    providerLimits.getOrDefault(provider, RateLimits.NONE)));
        }
        headroom = Math.min(headroom, observedHeadroom(model).orElse(1.0));
        return Math.max(0.0, headroom);
    }

    /**
     * The same as {@link #headroom(String)}, as a {@link Headroom}.
     *
     * @param model the catalog model
     * @return the share left of the tightest limit
     */
    @Override
    public double of(String model) {
        return headroom(model);
    }

    /**
     * {@link #headroom(String)} when a limit of the model is known: configured, from the catalog's free tier, or
     * reported by its provider's headers since their reset (a reset window is whole again, so a report whose every
     * window has reset says nothing). Empty for a model nothing is known of, which {@link #headroom} counts as full.
     *
     * @param model the catalog model
     * @return the share left of the tightest limit, or empty when no limit of the model is known
     */
    @Override
    public Optional<Double> known(String model) {
        String provider = providerOf(model);
        boolean limited = !limitsOfModel(model).isEmpty() || observedHeadroom(model).isPresent()
                || provider != null && !providerLimits.getOrDefault(provider, RateLimits.NONE).isEmpty();
        return limited ? Optional.of(headroom(model)) : Optional.empty();
    }

    /**
     * A model's usage in the sliding windows.
     *
     * @param model the catalog model
     * @return its requests and tokens per minute, hour and day
     */
    public UsageSnapshot usage(String model) {
        return windowsOf(modelKey(model)).snapshot(clock.millis());
    }

    /**
     * A provider's usage in the sliding windows, over all its models.
     *
     * @param provider the provider id
     * @return its requests and tokens per minute, hour and day
     */
    public UsageSnapshot providerUsage(String provider) {
        return windowsOf(providerKey(provider)).snapshot(clock.millis());
    }

    /** @return the share of a limit at which {@link #shouldThrottle} turns true */
    public double throttleShare() {
        return throttleShare;
    }

    private Optional<Double> observedHeadroom(String model) {
        Observed o = observations.get(model);
        if (o == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        RateLimitObservation obs = o.observation();
        if (obs.retryAfter().isPresent() && now.isBefore(o.at().plus(obs.retryAfter().get()))) {
            return Optional.of(0.0);
        }
        double h = 1.0;
        boolean any = false;
        if (fresh(o.at(), obs.resetRequests(), now) && obs.limitRequests().isPresent()
                && obs.remainingRequests().isPresent() && obs.limitRequests().getAsLong() > 0) {
            h = Math.min(h, (double) obs.remainingRequests().getAsLong() / obs.limitRequests().getAsLong());
            any = true;
        }
        if (fresh(o.at(), obs.resetTokens(), now) && obs.limitTokens().isPresent()
                && obs.remainingTokens().isPresent() && obs.limitTokens().getAsLong() > 0) {
            h = Math.min(h, (double) obs.remainingTokens().getAsLong() / obs.limitTokens().getAsLong());
            any = true;
        }
        return any ? Optional.of(h) : Optional.empty();
    }

    private static boolean fresh(Instant at, Optional<Duration> reset, Instant now) {
        return reset.map(r -> now.isBefore(at.plus(r))).orElse(true);
    }

    private RateLimits limitsOfModel(String model) {
        RateLimits configured = modelLimits.get(model);
        if (configured != null) {
            return configured;
        }
        return catalog.flatMap(c -> c.find(model)).flatMap(ModelInfo::freeTier).map(RateLimits::from)
                .orElse(RateLimits.NONE);
    }

    private String providerOf(String model) {
        Observed o = observations.get(model);
        if (o != null) {
            return o.observation().provider();
        }
        return catalog.flatMap(c -> c.find(model)).map(ModelInfo::provider).orElse(null);
    }

    private Windows windowsOf(String key) {
        return windows.computeIfAbsent(key, k -> new Windows());
    }

    private static String modelKey(String model) {
        return "model:" + Objects.requireNonNull(model, "model");
    }

    private static String providerKey(String provider) {
        return "provider:" + Objects.requireNonNull(provider, "provider");
    }

    private record Observed(RateLimitObservation observation, Instant at) {}

    /** The minute, hour and day windows of one key; guarded by its own monitor. */
    private static final class Windows {
        private final SlidingWindowCounter minute = new SlidingWindowCounter(MINUTE, 60);
        private final SlidingWindowCounter hour = new SlidingWindowCounter(HOUR, 60);
        private final SlidingWindowCounter day = new SlidingWindowCounter(DAY, 144);

        synchronized long[] add(long now, long requests, long tokens) {
            long[] buckets = {minute.bucketOf(now), hour.bucketOf(now), day.bucketOf(now)};
            minute.add(buckets[0], requests, tokens);
            hour.add(buckets[1], requests, tokens);
            day.add(buckets[2], requests, tokens);
            return buckets;
        }

        synchronized void adjust(long[] buckets, long tokens) {
            minute.add(buckets[0], 0, tokens);
            hour.add(buckets[1], 0, tokens);
            day.add(buckets[2], 0, tokens);
        }

        synchronized boolean fits(long now, RateLimits l, long tokens) {
            return within(minute.requests(now) + 1, l.requestsPerMinute())
                    && within(hour.requests(now) + 1, l.requestsPerHour())
                    && within(day.requests(now) + 1, l.requestsPerDay())
                    && within(minute.tokens(now) + tokens, l.tokensPerMinute())
                    && within(hour.tokens(now) + tokens, l.tokensPerHour())
                    && within(day.tokens(now) + tokens, l.tokensPerDay());
        }

        synchronized double headroom(long now, RateLimits l) {
            double h = 1.0;
            h = Math.min(h, left(minute.requests(now), l.requestsPerMinute()));
            h = Math.min(h, left(hour.requests(now), l.requestsPerHour()));
            h = Math.min(h, left(day.requests(now), l.requestsPerDay()));
            h = Math.min(h, left(minute.tokens(now), l.tokensPerMinute()));
            h = Math.min(h, left(hour.tokens(now), l.tokensPerHour()));
            h = Math.min(h, left(day.tokens(now), l.tokensPerDay()));
            return h;
        }

        synchronized UsageSnapshot snapshot(long now) {
            return new UsageSnapshot(minute.requests(now), minute.tokens(now), hour.requests(now), hour.tokens(now),
                    day.requests(now), day.tokens(now));
        }

        private static boolean within(long value, OptionalLong limit) {
            return limit.isEmpty() || value <= limit.getAsLong();
        }

        private static double left(long used, OptionalLong limit) {
            return limit.isEmpty() ? 1.0 : 1.0 - (double) used / limit.getAsLong();
        }
    }

    /** Builds a {@link UsageTracker}. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Optional<ModelCatalog> catalog = Optional.empty();
        private final Map<String, RateLimits> modelLimits = new HashMap<>();
        private final Map<String, RateLimits> providerLimits = new HashMap<>();
        private double throttleShare = 0.8;

        private Builder() {}

        /** @param value the clock windows are read on; default {@link Clock#systemUTC()}; @return this builder */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Reads limits of models with no configured ones from their catalog free tier. Default: no catalog.
         *
         * @param value the catalog
         * @return this builder
         */
        public Builder catalog(ModelCatalog value) {
            this.catalog = Optional.of(Objects.requireNonNull(value, "catalog"));
            return this;
        }

        /** @param model catalog model; @param limits its limits (override the catalog's); @return this builder */
        public Builder modelLimits(String model, RateLimits limits) {
            modelLimits.put(Objects.requireNonNull(model, "model"), Objects.requireNonNull(limits, "limits"));
            return this;
        }

        /** @param provider provider id; @param limits its account-wide limits; @return this builder */
        public Builder providerLimits(String provider, RateLimits limits) {
            providerLimits.put(Objects.requireNonNull(provider, "provider"), Objects.requireNonNull(limits, "limits"));
            return this;
        }

        /**
         * Sets the share of a limit at which {@link UsageTracker#shouldThrottle} turns true. Default 0.8.
         *
         * @param value a ratio in (0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is outside (0, 1]
         */
        public Builder throttleShare(double value) {
            if (!(value > 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException("throttleShare must be in (0, 1], was " + value);
            }
            this.throttleShare = value;
            return this;
        }

        /** @return the tracker */
        public UsageTracker build() {
            return new UsageTracker(this);
        }
    }
}
