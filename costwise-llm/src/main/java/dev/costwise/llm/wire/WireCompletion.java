package dev.costwise.llm.wire;

import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Usage;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code chat.completion} as read from the wire, before pricing.
 *
 * @param id the completion id
 * @param model the model that answered
 * @param created the {@code created} Unix time in seconds (0 when absent)
 * @param message the first choice's message
 * @param finishReason the first choice's finish reason ({@link FinishReason#STOP} when absent)
 * @param usage the usage, if reported
 */
public record WireCompletion(String id, String model, long created, Message message, FinishReason finishReason,
        Optional<Usage> usage) {
    public WireCompletion {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
    }
}
