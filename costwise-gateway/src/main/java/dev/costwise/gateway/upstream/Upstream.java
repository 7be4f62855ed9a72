package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.llm.chat.Usage;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a chat completion is sent once the gateway has decided which model serves it. Speaks OpenAI's JSON, so an
 * OpenAI-compatible provider is a pass-through: unknown fields travel untouched and the answer's bytes are relayed as
 * they came.
 *
 * <p>Implementations are thread-safe and fail with a typed {@link dev.costwise.llm.provider.ProviderException}.
 */
public interface Upstream extends AutoCloseable {

    /**
     * Sends a non-streaming completion.
     *
     * @param call what to send
     * @return the provider's answer
     * @throws dev.costwise.llm.provider.ProviderException if the provider fails or cannot be reached
     */
    Reply complete(Call call);

    /**
     * Starts a streamed completion; the request asks the provider for usage in the last chunk.
     *
     * @param call what to send ({@code stream} is set by the implementation)
     * @return the open stream; the caller closes it
     * @throws dev.costwise.llm.provider.ProviderException if the provider fails before the first chunk
     */
    Events stream(Call call);

    /**
     * Counts a chat request's input tokens exactly, where the provider offers a way that calls no model.
     *
     * @param call the request ({@code timeout} bounds the count)
     * @return the count, or empty when this upstream cannot count for that model
     * @throws dev.costwise.llm.provider.ProviderException if the provider refuses or fails
     */
    default java.util.OptionalLong countInputTokens(Call call) {
        return java.util.OptionalLong.empty();
    }

    /** Closes the connections this upstream keeps open; requests still running finish on theirs. */
    @Override
    default void close() {
    }

    /**
     * Sends an embeddings request.
     *
     * @param call what to send
     * @return the provider's answer
     * @throws dev.costwise.llm.provider.ProviderException if the provider fails or cannot be reached
     */
    Reply embed(Call call);

    /**
     * One upstream call.
     *
     * @param model the model that serves it
     * @param body the OpenAI request, with {@code model} already set to the upstream model id
     * @param timeout how long to wait for the answer (or for each chunk of a stream)
     * @param deadline the time left before the request's deadline as the call starts: a stream, whose timeout is per
     *     chunk, is ended when it passes
     * @param maxRetryDelay the longest wait before a retry (the pipeline's {@code retry.max_delay}): a 429 that says
     *     only when the provider's limit resets, not when to retry, asks for at most this wait
     */
    record Call(Model model, ObjectNode body, Duration timeout, Duration deadline, Duration maxRetryDelay) {
        public Call {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(deadline, "deadline");
            Objects.requireNonNull(maxRetryDelay, "maxRetryDelay");
        }

        /** A call not retried after a wait of its own: a limit's reset bounds a retry as its timeout does. */
        public Call(Model model, ObjectNode body, Duration timeout, Duration deadline) {
            this(model, body, timeout, deadline, timeout);
        }

        /** A call whose deadline is its timeout. */
        public Call(Model model, ObjectNode body, Duration timeout) {
            this(model, body, timeout, timeout);
        }
    }

    /**
     * A provider's answer.
     *
     * @param body the answer's JSON bytes, as the provider sent them
     * @param usage the tokens it reported; empty when it reported none, or counts that cannot be right (negative):
     *     the caller then bills its own estimate, marked as one, never a free call
     * @param answeredModel the model it says answered
     * @param providerRequestId its request id header, if any
     */
    record Reply(byte[] body, Optional<Usage> usage, String answeredModel, Optional<String> providerRequestId) {
        public Reply {
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(usage, "usage");
            Objects.requireNonNull(answeredModel, "answeredModel");
            Objects.requireNonNull(providerRequestId, "providerRequestId");
        }
    }

    /**
     * The chunks of a streamed completion: each {@link #next()} is the JSON of one {@code data:} event, in order;
     * the stream ends at the provider's {@code [DONE]}. {@link #usage()} is the usage the provider reported, once
     * seen. Closing early aborts the upstream request.
     */
    interface Events extends Iterator<String>, AutoCloseable {
        /**
         * @return the usage of the last chunk, once it has been read; before that, the usage a provider that reports
         *     it mid-stream (Anthropic, Gemini) has reported so far, which is what a stream that fails or is closed
         *     early is billed; else empty
         */
        Optional<Usage> usage();

        /**
         * @return what the provider itself has reported so far, without the output {@link #usage()} may count locally
         *     beyond it on a native stream (an estimate of the text by its characters): what the output-limit guard
         *     reads. Default: {@link #usage()} unless it is estimated
         */
        default Optional<Usage> reportedUsage() {
            return usage().filter(u -> !u.estimated());
        }

        /** @return the model the provider says answers, once a chunk has named it */
        Optional<String> answeredModel();

        /**
         * Asks to be told of the provider's keep-alives as they are read (Anthropic's {@code ping}, an SSE comment
         * such as OpenRouter's {@code : OPENROUTER PROCESSING}), to pass on to the caller. The listener runs inside
         * {@link #hasNext()}, on the reading thread; what it throws ends that call as it is. Default: none reported.
         *
         * @param listener told of each keep-alive; replaces any set before
         */
        default void onKeepAlive(Runnable listener) {
        }

        @Override
        void close();
    }
}
