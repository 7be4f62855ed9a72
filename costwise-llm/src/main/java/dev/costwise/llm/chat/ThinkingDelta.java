package dev.costwise.llm.chat;

import java.util.Objects;
import java.util.Optional;

/**
 * A fragment of one reasoning block in a stream. Fragments of the same {@code block} are appended in order into one
 * {@link ContentPart.Thinking} (or, if {@code redactedData} is set, one {@link ContentPart.RedactedThinking}).
 *
 * @param block the reasoning block's position among the answer's reasoning blocks, from 0
 * @param text reasoning text to append (may be empty)
 * @param signature the block's signature, on the fragment that carries it
 * @param redactedData the whole encrypted block, for a redacted block
 */
public record ThinkingDelta(int block, String text, Optional<String> signature, Optional<String> redactedData) {

    public ThinkingDelta {
        if (block < 0) {
            throw new IllegalArgumentException("block must be >= 0, was " + block);
        }
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(redactedData, "redactedData");
    }

    /**
     * @param block the block's position
     * @param text the text to append
     * @return a text fragment
     */
    public static ThinkingDelta text(int block, String text) {
        return new ThinkingDelta(block, text, Optional.empty(), Optional.empty());
    }

    /**
     * @param block the block's position
     * @param signature the block's signature
     * @return the fragment that carries the signature
     */
    public static ThinkingDelta signature(int block, String signature) {
        return new ThinkingDelta(block, "", Optional.of(signature), Optional.empty());
    }

    /**
     * @param block the block's position
     * @param data the encrypted block
     * @return a whole redacted block
     */
    public static ThinkingDelta redacted(int block, String data) {
        return new ThinkingDelta(block, "", Optional.empty(), Optional.of(data));
    }
}
