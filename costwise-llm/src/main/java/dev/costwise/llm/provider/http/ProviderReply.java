package dev.costwise.llm.provider.http;

import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Usage;
import java.util.Objects;
import java.util.Optional;

/**
 * What an adapter's {@code doChat} read from the provider, before pricing: the base adapter turns it into a
 * {@link dev.costwise.llm.chat.ChatResponse}.
 *
 * @param id the provider's completion id (or one the adapter made up)
 * @param model the model the provider says answered; empty to take the requested one
 * @param message the assistant message
 * @param finishReason why the model stopped
 * @param usage the usage the provider reported; empty to have the base adapter count locally (marked estimated)
 * @param providerRequestId the provider's request id header, if any
 * @param stopSequence the stop sequence that ended the answer, when the provider says which
 */
public record ProviderReply(String id, Optional<String> model, Message message, FinishReason finishReason,
        Optional<Usage> usage, Optional<String> providerRequestId, Optional<String> stopSequence) {
    public ProviderReply {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(providerRequestId, "providerRequestId");
        Objects.requireNonNull(stopSequence, "stopSequence");
    }

    /** A reply whose provider does not say which stop sequence, if any, ended it. */
    public ProviderReply(String id, Optional<String> model, Message message, FinishReason finishReason,
            Optional<Usage> usage, Optional<String> providerRequestId) {
        this(id, model, message, finishReason, usage, providerRequestId, Optional.empty());
    }
}
