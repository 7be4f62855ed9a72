package dev.costwise.llm.chat;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One event of a streamed completion, in OpenAI's {@code chat.completion.chunk} shape.
 *
 * @param id the completion id, the same on every chunk of one stream
 * @param model the model that is answering
 * @param contentDelta text to append (may be empty)
 * @param toolCallDeltas tool-call fragments to apply
 * @param finishReason set on the chunk that ends the choice
 * @param usage set on the final chunk when the provider reports usage
 * @param thinkingDeltas fragments of the model's reasoning blocks, for providers that return them
 * @param stopSequence with the finish reason, the stop sequence that ended the answer when the provider says which
 */
public record ChatChunk(String id, String model, String contentDelta, List<ToolCallDelta> toolCallDeltas,
        Optional<FinishReason> finishReason, Optional<Usage> usage, List<ThinkingDelta> thinkingDeltas,
        Optional<String> stopSequence) {

    public ChatChunk {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(contentDelta, "contentDelta");
        toolCallDeltas = List.copyOf(toolCallDeltas);
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        thinkingDeltas = List.copyOf(thinkingDeltas);
        Objects.requireNonNull(stopSequence, "stopSequence");
    }

    /**
     * A chunk that names no stop sequence.
     *
     * @param id completion id
     * @param model model name
     * @param contentDelta text to append
     * @param toolCallDeltas tool-call fragments
     * @param finishReason set on the chunk that ends the choice
     * @param usage set on the final chunk when reported
     * @param thinkingDeltas reasoning fragments
     */
    public ChatChunk(String id, String model, String contentDelta, List<ToolCallDelta> toolCallDeltas,
            Optional<FinishReason> finishReason, Optional<Usage> usage, List<ThinkingDelta> thinkingDeltas) {
        this(id, model, contentDelta, toolCallDeltas, finishReason, usage, thinkingDeltas, Optional.empty());
    }

    /**
     * Whether this chunk carries output the model generated: text, a tool-call fragment or a reasoning fragment. A
     * chunk with only an id, a role, a finish reason or usage does not; the first that does is the first token.
     *
     * @return {@code true} when the chunk carries output
     */
    public boolean carriesOutput() {
        return !contentDelta.isEmpty() || !toolCallDeltas.isEmpty() || !thinkingDeltas.isEmpty();
    }

    /**
     * A chunk with no reasoning fragments.
     *
     * @param id completion id
     * @param model model name
     * @param contentDelta text to append
     * @param toolCallDeltas tool-call fragments
     * @param finishReason set on the chunk that ends the choice
     * @param usage set on the final chunk when reported
     */
    public ChatChunk(String id, String model, String contentDelta, List<ToolCallDelta> toolCallDeltas,
            Optional<FinishReason> finishReason, Optional<Usage> usage) {
        this(id, model, contentDelta, toolCallDeltas, finishReason, usage, List.of());
    }

    /**
     * A chunk carrying only reasoning fragments.
     *
     * @param id completion id
     * @param model model name
     * @param deltas the fragments
     * @return the chunk
     */
    public static ChatChunk thinking(String id, String model, List<ThinkingDelta> deltas) {
        return new ChatChunk(id, model, "", List.of(), Optional.empty(), Optional.empty(), deltas);
    }

    /**
     * A chunk carrying only text.
     *
     * @param id completion id
     * @param model model name
     * @param text the text delta
     * @return the chunk
     */
    public static ChatChunk text(String id, String model, String text) {
        return new ChatChunk(id, model, text, List.of(), Optional.empty(), Optional.empty());
    }
}
