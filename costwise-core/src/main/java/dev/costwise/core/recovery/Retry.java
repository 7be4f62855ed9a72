package dev.costwise.core.recovery;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.FailureVerdict;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Instrumented;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Retries a primitive's transient failures with backoff.
 *
 * <p>A failure is retried only when all of these hold, checked in this order:
 * <ol>
 *   <li>the {@link RetryConfig#classifier() classifier} calls it {@code retryable};</li>
 *   <li>fewer than {@link RetryConfig#maxRetries()} retries were made;</li>
 *   <li>the provider's retry-after, if any, is at most {@link RetryConfig#maxRetryAfter()} (60 s by default);
 *       otherwise the retry fails at once with that failure instead of blocking the caller for as long as it asks;</li>
 *   <li>the backoff delay (or the provider's larger retry-after) ends before the context's deadline; otherwise the
 *       retry fails at once with the last failure instead of sleeping into a deadline it cannot meet;</li>
 *   <li>the {@link RetryBudget} has room;</li>
 *   <li>the request's {@link AttemptBudget}, if any, has an attempt left (else {@link AttemptBudgetExceededException}).</li>
 * </ol>
 * Otherwise the last failure is rethrown unchanged, so an outer {@link Fallback} can classify it.
 * {@link AttemptBudgetExceededException} and {@link CallInterruptedException} are never retried.
 *
 * <p>Records a {@code retry} event (attributes {@code attempt}, {@code delay}, {@code reason}) before each retry, and a
 * {@code retry_stopped} event ({@code reason}: {@code max_retries}, {@code retry_after_too_long} with the
 * {@code retry_after} asked for, {@code deadline}, {@code retry_budget}; and {@code attempts}) when a retryable failure
 * is given up on. Thread-safe; one instance may wrap several primitives.
 *
 * <pre>{@code
 * Primitive<Req, Resp> call = Retry.of("openai", RetryConfig.builder().maxRetries(2).build()).wrap(provider);
 * }</pre>
 */
public final class Retry {

    private final String name;
    private final RetryConfig config;

    private Retry(String name, RetryConfig config) {
        this.name = name;
        this.config = config;
    }

    /**
     * A named retry.
     *
     * @param name names the retry in records, metrics and errors
     * @param config the settings
     * @return the retry
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Retry of(String name, RetryConfig config) {
        return new Retry(Checks.requireName(name), Objects.requireNonNull(config, "config"));
    }

    /**
     * A named retry with {@link RetryConfig#ofDefaults()}.
     *
     * @param name names the retry
     * @return the retry
     */
    public static Retry ofDefaults(String name) {
        return of(name, RetryConfig.ofDefaults());
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /** @return the settings */
    public RetryConfig config() {
        return config;
    }

    /**
     * Decorates a primitive with this retry.
     *
     * @param delegate the call to retry
     * @param <I> input type
     * @param <O> output type
     * @return a primitive that retries {@code delegate}
     */
    public <I, O> Primitive<I, O> wrap(Primitive<I, O> delegate) {
        Objects.requireNonNull(delegate, "delegate");
        return (input, context) -> Instrumented.call(config.metrics(), name, "retry", context,
                () -> execute(delegate, input, context));
    }

    private <I, O> O execute(Primitive<I, O> delegate, I input, WorkflowContext context) {
        config.budget().recordCall();
        int attempt = 1;
        while (true) {
            try {
                return delegate.execute(input, context);
            } catch (AttemptBudgetExceededException | CallInterruptedException e) {
                throw e;
            } catch (RuntimeException failure) {
                FailureVerdict verdict = config.classifier().classify(failure);
                if (!verdict.retryable()) {
                    throw failure;
                }
                if (attempt > config.maxRetries()) {
                    throw stop(context, "max_retries", attempt, failure);
                }
                Optional<Duration> retryAfter = verdict.retryAfter();
                if (retryAfter.isPresent() && retryAfter.get().compareTo(config.maxRetryAfter()) > 0) {
                    // Waiting would block the caller for as long as the provider asks: hand the failure on instead.
                    throw stop(context, "retry_after_too_long", attempt, failure, "retry_after", retryAfter.get());
                }
                Duration delay = config.delayFor(attempt, retryAfter.orElse(null));
                Optional<Duration> remaining = context.remaining();
                if (remaining.isPresent() && delay.compareTo(remaining.get()) >= 0) {
                    throw stop(context, "deadline", attempt, failure);
                }
                if (!config.budget().tryWithdraw()) {
                    throw stop(context, "retry_budget", attempt, failure);
                }
                AttemptBudget.consume(context, name, failure);
                attempt++;
                Map<String, Object> attrs = new LinkedHashMap<>();
                attrs.put("attempt", attempt);
                attrs.put("delay", delay);
                attrs.put("reason", verdict.reason());
                context.record(name, "retry", attrs);
                config.metrics().onRetry(name, attempt, verdict.reason());
                sleep(delay, failure);
            }
        }
    }

    private RuntimeException stop(WorkflowContext context, String reason, int attempts, RuntimeException failure,
            Object... moreAttributes) {
        Map<String, Object> attrs = Attributes.of("reason", reason, "attempts", attempts);
        attrs.putAll(Attributes.of(moreAttributes));
        context.record(name, "retry_stopped", attrs);
        if (!"max_retries".equals(reason)) {
            config.metrics().onRejected(name, reason);
        }
        return failure;
    }

    private void sleep(Duration delay, RuntimeException lastFailure) {
        if (delay.isZero()) {
            return;
        }
        try {
            config.sleeper().sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CallInterruptedException interrupted = new CallInterruptedException(name, e);
            interrupted.addSuppressed(lastFailure);
            throw interrupted;
        }
    }

    @Override
    public String toString() {
        return "Retry[" + name + ", maxRetries=" + config.maxRetries() + "]";
    }
}
