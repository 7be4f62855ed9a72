package dev.costwise.core.recovery;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.FailureClassifier;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.time.Duration;
import java.util.Objects;

/**
 * The immutable settings of a {@link CircuitBreaker}.
 *
 * <p>The circuit opens when, over the last {@code slidingWindowSize} counted calls (and at least
 * {@code minimumCalls}), the failure rate reaches {@code failureRateThreshold}, or when
 * {@code consecutiveFailures} calls in a row have failed (if set). Only failures the classifier calls retryable or
 * fallbackable count; a caller's mistake is not counted at all.
 *
 * <pre>{@code
 * CircuitBreakerConfig.builder().failureRateThreshold(0.5).slidingWindowSize(20).minimumCalls(10)
 *     .waitDurationInOpenState(Duration.ofSeconds(30)).permittedCallsInHalfOpenState(3).build();
 * }</pre>
 *
 * <p>In half-open state, a probe holds its permit until its outcome is reported. A call whose outcome never comes
 * (a stream never read to its end nor closed) would keep the circuit half-open, refusing every other call, for good:
 * {@code maxWaitDurationInHalfOpenState} bounds that, treating the probes as failed once every permit has been held
 * that long with no probe ending.
 */
public final class CircuitBreakerConfig {

    /** The default {@link Builder#maxWaitDurationInHalfOpenState}: 5 min. */
    public static final Duration DEFAULT_MAX_WAIT_IN_HALF_OPEN = Duration.ofMinutes(5);

    private final double failureRateThreshold;
    private final int consecutiveFailures;
    private final int slidingWindowSize;
    private final int minimumCalls;
    private final Duration waitDurationInOpenState;
    private final int permittedCallsInHalfOpenState;
    private final Duration maxWaitDurationInHalfOpenState;
    private final FailureClassifier classifier;
    private final Ticker ticker;
    private final PrimitiveMetrics metrics;

    private CircuitBreakerConfig(Builder b) {
        this.failureRateThreshold = b.failureRateThreshold;
        this.consecutiveFailures = b.consecutiveFailures;
        this.slidingWindowSize = b.slidingWindowSize;
        this.minimumCalls = b.minimumCalls;
        this.waitDurationInOpenState = b.waitDurationInOpenState;
        this.permittedCallsInHalfOpenState = b.permittedCallsInHalfOpenState;
        this.maxWaitDurationInHalfOpenState = b.maxWaitDurationInHalfOpenState;
        this.classifier = b.classifier;
        this.ticker = b.ticker;
        this.metrics = PrimitiveMetrics.failSafe(b.metrics);
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return rate 0.5 over 100 calls (minimum 10), no consecutive rule, 60 s open, 3 probes held at most 5 min, any
     *     exception counted
     */
    public static CircuitBreakerConfig ofDefaults() {
        return builder().build();
    }

    /** @return a builder holding these settings, to derive a variant */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.failureRateThreshold = failureRateThreshold;
        b.consecutiveFailures = consecutiveFailures;
        b.slidingWindowSize = slidingWindowSize;
        b.minimumCalls = minimumCalls;
        b.waitDurationInOpenState = waitDurationInOpenState;
        b.permittedCallsInHalfOpenState = permittedCallsInHalfOpenState;
        b.maxWaitDurationInHalfOpenState = maxWaitDurationInHalfOpenState;
        b.classifier = classifier;
        b.ticker = ticker;
        b.metrics = metrics;
        return b;
    }

    /** @return the failure rate (0..1] that opens the circuit */
    public double failureRateThreshold() {
        return failureRateThreshold;
    }

    /** @return failures in a row that open the circuit, 0 when this rule is off */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** @return the number of most recent counted calls the rate is computed over */
    public int slidingWindowSize() {
        return slidingWindowSize;
    }

    /** @return counted calls needed in the window before the rate is judged */
    public int minimumCalls() {
        return minimumCalls;
    }

    /** @return how long the circuit stays open before letting probes through */
    public Duration waitDurationInOpenState() {
        return waitDurationInOpenState;
    }

    /** @return probe calls in half-open state; that many successes close the circuit */
    public int permittedCallsInHalfOpenState() {
        return permittedCallsInHalfOpenState;
    }

    /**
     * @return how long the circuit stays half-open with every probe taken and none ending before it treats the
     *     probes as failed and opens again; zero for no limit
     */
    public Duration maxWaitDurationInHalfOpenState() {
        return maxWaitDurationInHalfOpenState;
    }

    /** @return decides which failures count */
    public FailureClassifier classifier() {
        return classifier;
    }

    /** @return the time source for the open-state wait */
    public Ticker ticker() {
        return ticker;
    }

    /** @return where calls, rejections and transitions are reported */
    public PrimitiveMetrics metrics() {
        return metrics;
    }

    /** Builds a {@link CircuitBreakerConfig}. Not thread-safe. */
    public static final class Builder {
        private double failureRateThreshold = 0.5;
        private int consecutiveFailures = 0;
        private int slidingWindowSize = 100;
        private int minimumCalls = 10;
        private Duration waitDurationInOpenState = Duration.ofSeconds(60);
        private int permittedCallsInHalfOpenState = 3;
        private Duration maxWaitDurationInHalfOpenState = DEFAULT_MAX_WAIT_IN_HALF_OPEN;
        private FailureClassifier classifier = FailureClassifier.ofDefaults();
        private Ticker ticker = Ticker.systemTicker();
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder() {}

        /**
         * Sets the failure rate that opens the circuit. Default 0.5.
         *
         * @param rate in (0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code rate} is outside (0, 1]
         */
        public Builder failureRateThreshold(double rate) {
            Checks.requireArgument(rate > 0 && rate <= 1, "failureRateThreshold must be in (0, 1], was %s", rate);
            this.failureRateThreshold = rate;
            return this;
        }

        /**
         * Opens the circuit after this many counted failures in a row, whatever the rate. Default 0 (off).
         *
         * @param failures 0 to turn off, else at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code failures} is negative
         */
        public Builder consecutiveFailures(int failures) {
            Checks.requireArgument(failures >= 0, "consecutiveFailures must be >= 0, was %s", failures);
            this.consecutiveFailures = failures;
            return this;
        }

        /**
         * Sets how many recent counted calls the failure rate is computed over. Default 100.
         *
         * @param size at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code size} is below 1
         */
        public Builder slidingWindowSize(int size) {
            Checks.requireArgument(size >= 1, "slidingWindowSize must be >= 1, was %s", size);
            this.slidingWindowSize = size;
            return this;
        }

        /**
         * Sets how many counted calls the window needs before the rate is judged. Default 10; capped at the window
         * size in {@link #build()}.
         *
         * @param calls at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code calls} is below 1
         */
        public Builder minimumCalls(int calls) {
            Checks.requireArgument(calls >= 1, "minimumCalls must be >= 1, was %s", calls);
            this.minimumCalls = calls;
            return this;
        }

        /**
         * Sets how long the circuit stays open. Default 60 s.
         *
         * @param wait positive
         * @return this builder
         * @throws IllegalArgumentException if {@code wait} is zero or negative
         */
        public Builder waitDurationInOpenState(Duration wait) {
            this.waitDurationInOpenState = Checks.requirePositive(wait, "waitDurationInOpenState");
            return this;
        }

        /**
         * Sets the probe calls let through in half-open state. Default 3.
         *
         * @param calls at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code calls} is below 1
         */
        public Builder permittedCallsInHalfOpenState(int calls) {
            Checks.requireArgument(calls >= 1, "permittedCallsInHalfOpenState must be >= 1, was %s", calls);
            this.permittedCallsInHalfOpenState = calls;
            return this;
        }

        /**
         * Sets how long the circuit may stay half-open with every probe permit held and no probe ending; the next
         * call asking for a permission after that treats the probes as failed and opens the circuit again (checked
         * on the configured ticker when a call is refused, so no thread watches it). A probe that ends later is
         * ignored. This frees a breaker whose probe was a stream never read to its end nor closed.
         *
         * <p>Default {@link #DEFAULT_MAX_WAIT_IN_HALF_OPEN} (5 min), unlike Resilience4j's unlimited default: a
         * leaked stream would otherwise refuse every call for good, while the bound only ever ends a half-open state
         * that is refusing everyone already. Set it above your longest legitimate probe call (a long reasoning
         * stream), since probes that all outlast it can never close the circuit.
         *
         * @param wait positive, or zero for no limit (wait for the probes however long they take)
         * @return this builder
         * @throws IllegalArgumentException if {@code wait} is negative
         */
        public Builder maxWaitDurationInHalfOpenState(Duration wait) {
            this.maxWaitDurationInHalfOpenState = Checks.requireNonNegative(wait, "maxWaitDurationInHalfOpenState");
            return this;
        }

        /**
         * Sets the classifier; only retryable or fallbackable failures count. Default
         * {@link FailureClassifier#ofDefaults()}: a failure that classifies itself (a provider's) decides, so a
         * caller's invalid requests never open the circuit on a healthy provider; any other exception counts.
         *
         * @param classifier the classifier
         * @return this builder
         */
        public Builder classifier(FailureClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /**
         * Sets the time source. Default {@link Ticker#systemTicker()}.
         *
         * @param ticker the ticker
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Sets where the breaker reports. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder metrics(PrimitiveMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** @return the config; {@code minimumCalls} is capped at {@code slidingWindowSize} */
        public CircuitBreakerConfig build() {
            return new CircuitBreakerConfig(this);
        }
    }

    int effectiveMinimumCalls() {
        return Math.min(minimumCalls, slidingWindowSize);
    }
}
