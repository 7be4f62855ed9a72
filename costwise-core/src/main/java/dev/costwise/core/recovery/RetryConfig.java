package dev.costwise.core.recovery;

import dev.costwise.core.FailureClassifier;
import dev.costwise.core.Sleeper;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The immutable settings of a {@link Retry}.
 *
 * <pre>{@code
 * RetryConfig config = RetryConfig.builder()
 *     .maxRetries(3)
 *     .backoff(Backoff.exponential()).initialDelay(Duration.ofMillis(200)).maxDelay(Duration.ofSeconds(5))
 *     .jitter(0.2)
 *     .maxRetryAfter(Duration.ofSeconds(60))
 *     .retryOn(IOException.class)
 *     .build();
 * }</pre>
 */
public final class RetryConfig {

    /** The default {@link Builder#maxRetryAfter}: 60 s. */
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private final int maxRetries;
    private final Backoff backoff;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final Duration maxRetryAfter;
    private final double jitter;
    private final FailureClassifier classifier;
    private final RetryBudget budget;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final PrimitiveMetrics metrics;

    private RetryConfig(Builder b) {
        this.maxRetries = b.maxRetries;
        this.backoff = b.backoff;
        this.initialDelay = b.initialDelay;
        this.maxDelay = b.maxDelay;
        this.maxRetryAfter = b.maxRetryAfter;
        this.jitter = b.jitter;
        this.classifier = b.classifier;
        this.budget = b.budget;
        this.sleeper = b.sleeper;
        this.random = b.random;
        this.metrics = PrimitiveMetrics.failSafe(b.metrics);
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return 3 retries, exponential backoff from 100 ms to 10 s, jitter 0.2, a provider's retry-after waited up to
     *     60 s, failures judged by {@link FailureClassifier#ofDefaults()} (any {@link Exception} retried unless it
     *     says it is not transient)
     */
    public static RetryConfig ofDefaults() {
        return builder().build();
    }

    /** @return a builder holding these settings, to derive a variant */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxRetries = maxRetries;
        b.backoff = backoff;
        b.initialDelay = initialDelay;
        b.maxDelay = maxDelay;
        b.maxRetryAfter = maxRetryAfter;
        b.jitter = jitter;
        b.classifier = classifier;
        b.budget = budget;
        b.sleeper = sleeper;
        b.random = random;
        b.metrics = metrics;
        return b;
    }

    /** @return retries after the first attempt */
    public int maxRetries() {
        return maxRetries;
    }

    /** @return the backoff strategy */
    public Backoff backoff() {
        return backoff;
    }

    /** @return the delay before the first retry, before jitter */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** @return the cap on any backoff delay (a provider's retry-after may exceed it, up to {@link #maxRetryAfter}) */
    public Duration maxDelay() {
        return maxDelay;
    }

    /**
     * @return the longest retry-after a {@link Retry} waits for; a failure asking for longer is given up on at once
     *     ({@code retry_stopped}, reason {@code retry_after_too_long})
     */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** @return the jitter factor: a delay is scaled by a random factor in {@code [1 - jitter, 1 + jitter]} */
    public double jitter() {
        return jitter;
    }

    /** @return decides which failures are retried */
    public FailureClassifier classifier() {
        return classifier;
    }

    /** @return the retry budget */
    public RetryBudget budget() {
        return budget;
    }

    /** @return how backoff waits */
    public Sleeper sleeper() {
        return sleeper;
    }

    /** @return the source of jitter */
    public RandomGenerator random() {
        return random;
    }

    /** @return where retries are reported */
    public PrimitiveMetrics metrics() {
        return metrics;
    }

    /**
     * The backoff before a retry: strategy, then jitter, then the cap; a larger retry-after wins. Public so that
     * retry loops which cannot be a {@link Retry} (the gateway's, which also walks fallbacks and holds throttle
     * slots) wait exactly as {@link Retry} does. It does not apply {@link #maxRetryAfter()}: whether to wait at all
     * for a long retry-after is the retry loop's decision ({@link Retry} gives up; the gateway's loop is bounded by its
     * request deadline instead).
     *
     * @param retry 1 for the first retry
     * @param retryAfter the provider's hint, or {@code null}
     * @return the delay
     */
    public Duration delayFor(int retry, Duration retryAfter) {
        long nanos = Checks.toNanosSaturated(backoff.delay(retry, initialDelay));
        if (jitter > 0 && nanos > 0) {
            double factor = 1 - jitter + 2 * jitter * random.nextDouble();
            nanos = (long) (nanos * factor);
        }
        nanos = Math.min(Math.max(0, nanos), Checks.toNanosSaturated(maxDelay));
        if (retryAfter != null) {
            nanos = Math.max(nanos, Checks.toNanosSaturated(retryAfter));
        }
        return Duration.ofNanos(nanos);
    }

    /** Builds a {@link RetryConfig}. Not thread-safe; {@link #build()} leaves it unchanged so it can build again. */
    public static final class Builder {
        private int maxRetries = 3;
        private Backoff backoff = Backoff.exponential();
        private Duration initialDelay = Duration.ofMillis(100);
        private Duration maxDelay = Duration.ofSeconds(10);
        private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
        private double jitter = 0.2;
        private FailureClassifier classifier = FailureClassifier.ofDefaults();
        private RetryBudget budget = RetryBudget.unlimited();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder() {}

        /**
         * Sets how many times a failed call is retried. Default 3; 0 disables retries.
         *
         * @param maxRetries retries after the first attempt
         * @return this builder
         * @throws IllegalArgumentException if {@code maxRetries} is negative
         */
        public Builder maxRetries(int maxRetries) {
            Checks.requireArgument(maxRetries >= 0, "maxRetries must be >= 0, was %s", maxRetries);
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * Sets the backoff strategy. Default {@link Backoff#exponential()}.
         *
         * @param backoff the strategy
         * @return this builder
         */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * Sets the delay before the first retry. Default 100 ms.
         *
         * @param delay not negative
         * @return this builder
         * @throws IllegalArgumentException if {@code delay} is negative
         */
        public Builder initialDelay(Duration delay) {
            this.initialDelay = Checks.requireNonNegative(delay, "initialDelay");
            return this;
        }

        /**
         * Sets the cap on backoff delays. Default 10 s. Must not be below the initial delay (checked in {@link #build()}).
         *
         * @param delay not negative
         * @return this builder
         * @throws IllegalArgumentException if {@code delay} is negative
         */
        public Builder maxDelay(Duration delay) {
            this.maxDelay = Checks.requireNonNegative(delay, "maxDelay");
            return this;
        }

        /**
         * Sets the longest retry-after (a provider's {@code Retry-After}, as the classifier reads it) that a retry
         * waits for. A failure asking for longer is not retried: the retry gives up at once with that failure
         * ({@code retry_stopped}, reason {@code retry_after_too_long}), so that the caller, or an outer fallback, can
         * act on it instead of blocking. Without it a {@code Retry-After: 3600} on a call with no deadline would
         * block its thread for an hour. A retry-after up to this value is waited for even when above
         * {@link #maxDelay}; the context's deadline still applies.
         *
         * <p>Default 60 s: it covers the per-minute rate-limit windows (requests and tokens per minute) behind most
         * 429s, while a longer wait means an hourly or daily quota, better handed to a fallback than waited out. The
         * OpenAI and Anthropic Python SDKs likewise wait for a retry-after of at most 60 s (recent OpenAI ones: two
         * minutes, and they do not retry above it). To wait for any retry-after, pass a long duration and bound calls
         * with a deadline.
         *
         * @param maxRetryAfter not negative; zero gives up on every failure that asks for a wait
         * @return this builder
         * @throws IllegalArgumentException if {@code maxRetryAfter} is negative
         */
        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = Checks.requireNonNegative(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        /**
         * Sets the jitter factor. Default 0.2 (±20 %); 0 disables jitter.
         *
         * @param jitter in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code jitter} is outside [0, 1]
         */
        public Builder jitter(double jitter) {
            Checks.requireArgument(jitter >= 0 && jitter <= 1, "jitter must be in [0, 1], was %s", jitter);
            this.jitter = jitter;
            return this;
        }

        /**
         * Retries only failures of the given types (the spec's {@code retry_on_exceptions}); replaces the classifier.
         *
         * @param types the exception types to retry
         * @return this builder
         * @throws IllegalArgumentException if {@code types} is empty
         */
        @SafeVarargs
        public final Builder retryOn(Class<? extends Throwable>... types) {
            this.classifier = FailureClassifier.retryOn(types);
            return this;
        }

        /**
         * Sets the classifier that decides what is retried and reads retry-after hints. Default
         * {@link FailureClassifier#ofDefaults()}: a failure that {@linkplain dev.costwise.core.ClassifiedFailure
         * classifies itself} (every provider exception does) is retried only when it says it is transient, any other
         * {@link Exception} is retried.
         *
         * @param classifier the classifier
         * @return this builder
         */
        public Builder classifier(FailureClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /**
         * Sets the retry budget. Default {@link RetryBudget#unlimited()}.
         *
         * @param budget a budget, shared by every retry calling the same dependency
         * @return this builder
         */
        public Builder budget(RetryBudget budget) {
            this.budget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /**
         * Sets how backoff waits. Default {@link Sleeper#SYSTEM}.
         *
         * @param sleeper the sleeper
         * @return this builder
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * Sets the source of jitter. Default: the current thread's {@link ThreadLocalRandom}.
         *
         * @param random the generator; must be thread-safe if the retry is shared
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Sets where calls and retries are reported. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics for example a {@link dev.costwise.core.metrics.MetricsCollector}
         * @return this builder
         */
        public Builder metrics(PrimitiveMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * @return the config
         * @throws IllegalStateException if {@code maxDelay} is below {@code initialDelay}
         */
        public RetryConfig build() {
            Checks.requireState(maxDelay.compareTo(initialDelay) >= 0,
                    "maxDelay (%s) cannot be below initialDelay (%s)", maxDelay, initialDelay);
            return new RetryConfig(this);
        }
    }
}
