package dev.costwise.llm.ratelimit;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import java.util.Set;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds concurrent calls per provider (the spec's {@code RequestThrottler}, Issue 2: too many simultaneous requests
 * trigger Gemini's downgrade). A call waits for a slot, fairly, up to the request's deadline; a stream holds its slot
 * until it is closed. Providers without a configured limit are not bounded.
 *
 * <pre>{@code
 * ProviderConcurrencyLimiter limiter = ProviderConcurrencyLimiter.builder().limit("gemini", 5).build();
 * ChatModel pro = limiter.wrap(geminiPro);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ProviderConcurrencyLimiter {

    private final Map<String, Semaphore> slots;
    private final Map<String, Integer> limits;

    private ProviderConcurrencyLimiter(Map<String, Integer> limits) {
        this.limits = Map.copyOf(limits);
        Map<String, Semaphore> s = new HashMap<>();
        limits.forEach((p, n) -> s.put(p, new Semaphore(n, true)));
        this.slots = Map.copyOf(s);
    }

    /** @return a builder with no limits */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Wraps a model so its calls take a slot of its provider.
     *
     * @param model the model
     * @return the bounded model
     */
    public ChatModel wrap(ChatModel model) {
        Objects.requireNonNull(model, "model");
        return new Bounded(model);
    }

    /**
     * @param provider the provider id
     * @return free slots now, or empty if the provider is not bounded
     */
    public OptionalInt available(String provider) {
        Semaphore s = slots.get(provider);
        return s == null ? OptionalInt.empty() : OptionalInt.of(s.availablePermits());
    }

    /**
     * Takes a slot of {@code provider}, waiting up to the context's deadline (or indefinitely without one).
     *
     * @param provider the provider id
     * @param context the request's context
     * @return the slot to close when the call ends; a no-op for an unbounded provider
     * @throws ThrottledException if the deadline passes first or the thread is interrupted (the interrupt flag is
     *     restored)
     */
    public Slot acquire(String provider, WorkflowContext context) {
        Semaphore s = slots.get(provider);
        if (s == null) {
            return () -> { };
        }
        int limit = limits.get(provider);
        try {
            Optional<Duration> remaining = context.remaining();
            if (remaining.isPresent()) {
                if (!s.tryAcquire(remaining.get().toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new ThrottledException(provider, limit, "the request's deadline passed while waiting");
                }
            } else {
                s.acquire();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThrottledException(provider, limit, "interrupted while waiting");
        }
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                s.release();
            }
        };
    }

    /** A held slot; closing it twice releases it once. */
    @FunctionalInterface
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private final class Bounded implements ChatModel {
        private final ChatModel inner;

        Bounded(ChatModel inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        /** @return the wrapped model's models */
        @Override
        public Set<String> models() {
            return inner.models();
        }

        @Override
        public String provider() {
            return inner.provider();
        }

        @Override
        public ChatResponse execute(ChatRequest request, WorkflowContext context) {
            Slot slot = acquire(inner.provider(), context);
            try {
                return inner.execute(request, context);
            } finally {
                slot.close();
            }
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            Slot slot = acquire(inner.provider(), context);
            ChatStream stream;
            try {
                stream = inner.stream(request, context);
            } catch (RuntimeException e) {
                slot.close();
                throw e;
            }
            return new CompletingChatStream(stream, ignored -> slot.close());
        }
    }

    /** Builds a {@link ProviderConcurrencyLimiter}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Integer> limits = new HashMap<>();

        private Builder() {}

        /**
         * Bounds a provider's concurrent calls.
         *
         * @param provider the provider id
         * @param maxConcurrent the most calls in flight at once
         * @return this builder
         * @throws IllegalArgumentException if {@code maxConcurrent} is below 1
         */
        public Builder limit(String provider, int maxConcurrent) {
            Objects.requireNonNull(provider, "provider");
            if (maxConcurrent < 1) {
                throw new IllegalArgumentException("maxConcurrent for '" + provider + "' must be >= 1, was "
                        + maxConcurrent);
            }
            limits.put(provider, maxConcurrent);
            return this;
        }

        /** @return the limiter */
        public ProviderConcurrencyLimiter build() {
            return new ProviderConcurrencyLimiter(limits);
        }
    }
}
