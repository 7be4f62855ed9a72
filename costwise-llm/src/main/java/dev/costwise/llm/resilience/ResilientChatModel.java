package dev.costwise.llm.resilience;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.Timeout;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import java.util.Objects;
import java.util.Optional;

/**
 * A model with a timeout, a retry and a circuit breaker stacked in the usual order, on its calls and its streams alike:
 * {@code CircuitBreaker(Retry(Timeout(model)))}. The timeout bounds each attempt, the retry repeats transient failures
 * within the deadline and the retry budget, and the breaker stops calling a model that keeps failing. Each is
 * optional; they are the decorators {@link TimeLimitedChatModel}, {@link RetryingChatModel} and
 * {@link CircuitBreakingChatModel}, whose Javadoc says how each treats a stream: in short, a stream is retried until
 * its first chunk and never after, counted by the breaker when it ends, and bounded to its first chunk and its end.
 * Put it as a target of a {@link FallbackChatModel} to move on to another model.
 *
 * <pre>{@code
 * ChatModel premium = ResilientChatModel.builder(gpt4o)
 *     .timeout(Timeout.of("gpt-4o-timeout", Duration.ofSeconds(30)))
 *     .retry(Retry.of("gpt-4o-retry", retryConfig))
 *     .circuitBreaker(CircuitBreaker.of("openai", CircuitBreakerConfig.ofDefaults()))
 *     .build();
 * try (ChatStream s = premium.stream(request, ctx)) { s.forEachRemaining(c -> ui.append(c.contentDelta())); }
 * }</pre>
 *
 * <p>Its {@link #name()} and {@link #provider()} are the model's. Immutable and thread-safe.
 */
public final class ResilientChatModel extends DecoratedChatModel {

    private final ChatModel stack;
    private final Optional<Timeout> timeout;
    private final Optional<Retry> retry;
    private final Optional<CircuitBreaker> circuitBreaker;

    private ResilientChatModel(Builder b, ChatModel stack) {
        super(b.model, stack);
        this.stack = stack;
        this.timeout = Optional.ofNullable(b.timeout);
        this.retry = Optional.ofNullable(b.retry);
        this.circuitBreaker = Optional.ofNullable(b.circuitBreaker);
    }

    /** @return the model with the decorators the builder has, innermost first */
    private static ChatModel stack(Builder b) {
        ChatModel m = b.model;
        if (b.timeout != null) {
            m = TimeLimitedChatModel.of(b.timeout, m);
        }
        if (b.retry != null) {
            m = RetryingChatModel.of(b.retry, m);
        }
        if (b.circuitBreaker != null) {
            m = CircuitBreakingChatModel.of(b.circuitBreaker, m);
        }
        return m;
    }

    /**
     * Starts decorating a model.
     *
     * @param model the model to protect
     * @return a builder
     */
    public static Builder builder(ChatModel model) {
        return new Builder(Objects.requireNonNull(model, "model"));
    }

    /** @return the timeout that bounds each attempt, if any */
    public Optional<Timeout> timeout() {
        return timeout;
    }

    /** @return the retry, if any */
    public Optional<Retry> retry() {
        return retry;
    }

    /** @return the circuit breaker, if any */
    public Optional<CircuitBreaker> circuitBreaker() {
        return circuitBreaker;
    }

    /**
     * Streams a completion: the attempt is retried until its first chunk, which the stream returned holds.
     *
     * @param request the request
     * @param context the request's context
     * @return the open stream; the caller must close it
     * @throws RuntimeException the failure before a first chunk that was not retried, or no more; a
     *     {@link dev.costwise.core.recovery.CircuitOpenException} while the circuit is open
     */
    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        return stack.stream(request, context);
    }

    @Override
    public String toString() {
        return "ResilientChatModel[" + stack + "]";
    }

    /** Builds a {@link ResilientChatModel}. Not thread-safe; it can build again. */
    public static final class Builder {
        private final ChatModel model;
        private Timeout timeout;
        private Retry retry;
        private CircuitBreaker circuitBreaker;

        private Builder(ChatModel model) {
            this.model = model;
        }

        /**
         * Bounds each attempt, innermost. Default: no timeout (the context's deadline still holds). One duration
         * bounds a stream's first chunk and its end; for a separate first-token or idle limit, see the adapter's
         * {@code streamTimeouts} ({@link dev.costwise.llm.provider.http.StreamTimeouts}).
         *
         * @param timeout the timeout
         * @return this builder
         * @throws IllegalStateException if a timeout was already set
         */
        public Builder timeout(Timeout timeout) {
            Objects.requireNonNull(timeout, "timeout");
            requireUnset(this.timeout, "timeout");
            this.timeout = timeout;
            return this;
        }

        /**
         * Retries failed attempts (of a stream, until its first chunk), around the timeout. Default: no retry.
         *
         * @param retry the retry
         * @return this builder
         * @throws IllegalStateException if a retry was already set
         */
        public Builder retry(Retry retry) {
            Objects.requireNonNull(retry, "retry");
            requireUnset(this.retry, "retry");
            this.retry = retry;
            return this;
        }

        /**
         * Guards the model with a breaker, outermost: it counts a call or stream once, after its retries. Default:
         * none.
         *
         * @param circuitBreaker the breaker
         * @return this builder
         * @throws IllegalStateException if a circuit breaker was already set
         */
        public Builder circuitBreaker(CircuitBreaker circuitBreaker) {
            Objects.requireNonNull(circuitBreaker, "circuitBreaker");
            requireUnset(this.circuitBreaker, "circuitBreaker");
            this.circuitBreaker = circuitBreaker;
            return this;
        }

        private void requireUnset(Object current, String setting) {
            if (current != null) {
                throw new IllegalStateException(setting + " of the resilient " + model.name()
                        + " was already set to " + current);
            }
        }

        /**
         * @return the decorated model
         * @throws IllegalStateException if no timeout, retry or circuit breaker was set
         */
        public ResilientChatModel build() {
            if (timeout == null && retry == null && circuitBreaker == null) {
                throw new IllegalStateException("the resilient " + model.name()
                        + " needs a timeout, a retry or a circuit breaker, had none");
            }
            return new ResilientChatModel(this, stack(this));
        }
    }
}
