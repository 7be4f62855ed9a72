package dev.costwise.llm.resilience;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Retry;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import java.util.Objects;

/**
 * A {@link ChatModel} whose calls and streams a core {@link Retry} retries: {@code retry.wrap(model)} keeps only
 * {@code execute}, this keeps {@link #stream} too.
 *
 * <p>A call is retried exactly as {@link Retry#wrap} retries it. A stream is retried until its first chunk: opening
 * it and reading its first chunk are the attempt, so a failure before the first chunk (an HTTP 429 or 500, an error
 * event, a first-token timeout) is retried like a failed call, with the same {@link dev.costwise.core.recovery
 * .RetryConfig} (classifier, backoff, a {@code Retry-After} waited up to its {@code maxRetryAfter} and a longer one
 * given up on at once, never past the context's deadline, retry budget, the request's attempt budget) and the same
 * {@code retry} events and metrics. The stream returned holds that first chunk for its reader. After it, a failure
 * reaches the reader unchanged and is not retried: the chunks read so far cannot be unsent. Every attempt records its
 * cost as the model records it (a failed or abandoned stream's usage so far).
 *
 * <pre>{@code
 * ChatModel retried = RetryingChatModel.of(Retry.of("openai", config), gpt4o);
 * try (ChatStream s = retried.stream(request, ctx)) {   // a 429 before the first chunk was waited out and retried
 *     s.forEachRemaining(chunk -> ui.append(chunk.contentDelta()));
 * }
 * }</pre>
 *
 * <p>Its {@link #name()} and {@link #provider()} are the model's. Immutable and thread-safe.
 */
public final class RetryingChatModel extends DecoratedChatModel {

    private final Retry retry;
    private final Primitive<ChatRequest, ChatStream> streams;

    private RetryingChatModel(Retry retry, ChatModel model) {
        super(model, retry.wrap(model));
        this.retry = retry;
        this.streams = retry.wrap(StreamOpening.of(model));
    }

    /**
     * Decorates a model with a retry.
     *
     * @param retry the retry; may decorate other models and primitives too
     * @param model the model to retry
     * @return the retrying model
     */
    public static RetryingChatModel of(Retry retry, ChatModel model) {
        return new RetryingChatModel(Objects.requireNonNull(retry, "retry"), Objects.requireNonNull(model, "model"));
    }

    /** @return the retry */
    public Retry retry() {
        return retry;
    }

    /**
     * Streams a completion, retrying until its first chunk.
     *
     * @param request the request
     * @param context the request's context
     * @return the open stream, its first chunk read; the caller must close it
     * @throws RuntimeException the last failure before a first chunk, when it is not retried (or no more)
     */
    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        return streams.execute(request, context);
    }

    @Override
    public String toString() {
        return "RetryingChatModel[" + retry + ", " + model() + "]";
    }
}
