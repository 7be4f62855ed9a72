package dev.costwise.llm.resilience;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.CircuitOpenException;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import java.util.Objects;

/**
 * A {@link ChatModel} guarded by a core {@link CircuitBreaker}, on its calls and its streams alike:
 * {@code breaker.wrap(model)} keeps only {@code execute}.
 *
 * <p>A call is guarded exactly as {@link CircuitBreaker#wrap} guards it. A stream is one call that lasts until its
 * end: it counts as a success when it is read to its end, and as a failure when it fails at any point, mid-stream
 * included (judged by the breaker's classifier, so a caller's mistake is not counted). A stream its reader closes
 * before the end counts as a success if a chunk had reached the reader, and otherwise as neither (its half-open probe
 * is given back), as Resilience4j counts a cancelled stream. While the circuit is open, calls and streams alike fail
 * at once with {@link CircuitOpenException} and the model is not called. State changes are recorded in the context
 * of the call or stream that caused them.
 *
 * <pre>{@code
 * CircuitBreaker breaker = CircuitBreaker.of("openai", CircuitBreakerConfig.ofDefaults());
 * ChatModel guarded = CircuitBreakingChatModel.of(breaker, gpt4o);
 * }</pre>
 *
 * <p>Its {@link #name()} and {@link #provider()} are the model's. Immutable and thread-safe; every model the breaker
 * guards shares its state.
 */
public final class CircuitBreakingChatModel extends DecoratedChatModel {

    private final CircuitBreaker breaker;

    private CircuitBreakingChatModel(CircuitBreaker breaker, ChatModel model) {
        super(model, breaker.wrap(model));
        this.breaker = breaker;
    }

    /**
     * Decorates a model with a circuit breaker.
     *
     * @param breaker the breaker; may guard other models and primitives too, which then share its state
     * @param model the model to guard
     * @return the guarded model
     */
    public static CircuitBreakingChatModel of(CircuitBreaker breaker, ChatModel model) {
        return new CircuitBreakingChatModel(Objects.requireNonNull(breaker, "breaker"),
                Objects.requireNonNull(model, "model"));
    }

    /** @return the circuit breaker */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    /**
     * Streams a completion whose outcome the breaker counts when the stream ends.
     *
     * @param request the request
     * @param context the request's context
     * @return the open stream; the caller must close it
     * @throws CircuitOpenException if the circuit refuses the stream; the model is not called
     */
    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        CircuitBreaker.Permission permission = breaker.acquirePermission(context);
        ChatStream opened;
        try {
            opened = model().stream(request, context);
        } catch (RuntimeException e) {
            permission.onFailure(e);
            throw e;
        }
        return new CountedStream(opened, permission);
    }

    @Override
    public String toString() {
        return "CircuitBreakingChatModel[" + breaker + ", " + model() + "]";
    }

    /** Reports how the stream ended to its permission. */
    private static final class CountedStream extends ObservedChatStream {
        private final CircuitBreaker.Permission permission;

        CountedStream(ChatStream inner, CircuitBreaker.Permission permission) {
            super(inner);
            this.permission = permission;
        }

        @Override
        RuntimeException onFailed(RuntimeException failure) {
            permission.onFailure(failure);
            return failure;
        }

        @Override
        void onEnded() {
            permission.onSuccess();
        }

        @Override
        void onClosedEarly(boolean chunkHanded) {
            if (chunkHanded) {
                permission.onSuccess(); // the provider was answering: a cancelled stream is not its failure
            } else {
                permission.release();
            }
        }
    }
}
