package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.upstream.ChunkOutput;
import dev.costwise.llm.chat.Usage;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Ends a relayed stream at the output limit its budget reservation assumed, when its provider ignores the limit it was
 * sent ({@link OutputLimits}): a stream that keeps going would otherwise be relayed, and billed, past every hard
 * budget. Each choice's output is counted one token per chunk that carries any ({@link ChunkOutput#carries}), as
 * OpenAI-format servers stream it, or as the provider reports it mid-stream (Gemini's usage on every chunk, Anthropic's
 * count so far) when that is more, never by a local estimate of the text (code and JSON run well over four characters a
 * token); a provider that keeps to the limit is never cut. Not thread-safe: one stream.
 */
final class OutputCap {
    private final long limit;
    private final Map<Integer, Long> chunksByChoice = new TreeMap<>();
    private long chunks;

    /** @param limit the most output tokens a choice may have; 0 or less for no cap */
    OutputCap(long limit) {
        this.limit = limit;
    }

    /** @return the limit the stream is held to */
    long limit() {
        return limit;
    }

    /**
     * Counts one chunk.
     *
     * @param chunk the chunk just read, not yet relayed
     * @param reported the usage the provider has reported so far, this chunk included: its own count, not an estimate
     * @return {@code true} when it takes a choice's output past the limit: it is not relayed, and the stream ends
     */
    boolean passedBy(JsonNode chunk, Optional<Usage> reported) {
        if (limit <= 0) {
            return false;
        }
        boolean passed = false;
        for (JsonNode choice : chunk.path("choices")) {
            if (ChunkOutput.carries(choice)) {
                chunks++;
                passed |= chunksByChoice.merge(choice.path("index").asInt(0), 1L, Long::sum) > limit;
            }
        }
        long choices = Math.max(1, chunksByChoice.size());
        return passed || reported.filter(u -> u.outputTokens() > limit * choices).isPresent();
    }

    /** @return the output tokens counted so far, every choice together: one per chunk that carried output */
    long outputChunks() {
        return chunks;
    }

    /**
     * @param reported the usage the provider reported before the stream was cut
     * @return {@code reported}, its output raised to the chunks counted when they are more: the chunk that passed the
     *     limit was generated, though a provider's running count (Anthropic's) may not have reached it yet
     */
    Usage atLeastCounted(Usage reported) {
        if (reported.outputTokens() >= chunks) {
            return reported;
        }
        return new Usage(reported.inputTokens(), reported.cachedInputTokens(), reported.cacheWriteTokens(),
                reported.cacheWrite1hTokens(), chunks, reported.reasoningTokens(), reported.estimated(),
                reported.serviceTier(), reported.reportedCost(), reported.inferenceGeo());
    }

    /**
     * @param head a chunk's id, object, created time and model, as the stream's last chunk named them
     * @return {@code head} ending every choice seen with {@code finish_reason} {@code length}, as a provider ends an
     *     answer its {@code max_tokens} cut
     */
    ObjectNode ending(ObjectNode head) {
        ArrayNode choices = head.putArray("choices");
        for (int index : chunksByChoice.isEmpty() ? Set.of(0) : chunksByChoice.keySet()) {
            ObjectNode choice = choices.addObject().put("index", index);
            choice.putObject("delta");
            choice.put("finish_reason", "length");
        }
        return head;
    }
}
