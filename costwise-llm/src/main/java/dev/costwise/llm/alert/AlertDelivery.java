package dev.costwise.llm.alert;

import dev.costwise.core.Sleeper;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * How an HTTP alert sink delivers: a bounded queue drained in the background, retries with exponential backoff
 * (honouring {@code Retry-After}), and the HTTP client used. Immutable.
 *
 * @param httpClient the client; empty for a new JDK client with a 5-second connect timeout
 * @param executor runs the background delivery; empty for a new virtual thread per drain
 * @param sleeper waits between attempts
 * @param queueCapacity alerts held while the endpoint is slow; more are dropped and counted
 * @param maxAttempts attempts per alert, the first included
 * @param initialBackoff the wait after the first failure, doubled after each further one
 * @param maxBackoff the longest wait between attempts
 * @param requestTimeout the longest one HTTP request may take
 */
public record AlertDelivery(Optional<HttpClient> httpClient, Optional<Executor> executor, Sleeper sleeper,
        int queueCapacity, int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout) {

    public AlertDelivery {
        Objects.requireNonNull(httpClient, "httpClient");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be >= 1, was " + queueCapacity);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initialBackoff <= maxBackoff, was "
                    + initialBackoff + " and " + maxBackoff);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
        }
    }

    /**
     * Defaults: queue of 1,000, 5 attempts, backoff 1 s doubling to 60 s, 10-second requests, a virtual thread per
     * drain, the system sleeper.
     *
     * @return the defaults
     */
    public static AlertDelivery ofDefaults() {
        return new AlertDelivery(Optional.empty(), Optional.empty(), Sleeper.SYSTEM, 1_000, 5, Duration.ofSeconds(1),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
    }

    /** @param value the HTTP client; @return a copy using it */
    public AlertDelivery withHttpClient(HttpClient value) {
        return new AlertDelivery(Optional.of(value), executor, sleeper, queueCapacity, maxAttempts, initialBackoff,
                maxBackoff, requestTimeout);
    }

    /** @param value where delivery runs; @return a copy using it */
    public AlertDelivery withExecutor(Executor value) {
        return new AlertDelivery(httpClient, Optional.of(value), sleeper, queueCapacity, maxAttempts, initialBackoff,
                maxBackoff, requestTimeout);
    }

    /** @param value waits between attempts; @return a copy using it */
    public AlertDelivery withSleeper(Sleeper value) {
        return new AlertDelivery(httpClient, executor, value, queueCapacity, maxAttempts, initialBackoff, maxBackoff,
                requestTimeout);
    }

    /** @param value the queue capacity, at least 1; @return a copy using it */
    public AlertDelivery withQueueCapacity(int value) {
        return new AlertDelivery(httpClient, executor, sleeper, value, maxAttempts, initialBackoff, maxBackoff,
                requestTimeout);
    }

    /** @param value attempts per alert, at least 1; @return a copy using it */
    public AlertDelivery withMaxAttempts(int value) {
        return new AlertDelivery(httpClient, executor, sleeper, queueCapacity, value, initialBackoff, maxBackoff,
                requestTimeout);
    }

    /** @param initial first wait; @param max longest wait; @return a copy using them */
    public AlertDelivery withBackoff(Duration initial, Duration max) {
        return new AlertDelivery(httpClient, executor, sleeper, queueCapacity, maxAttempts, initial, max,
                requestTimeout);
    }
}
