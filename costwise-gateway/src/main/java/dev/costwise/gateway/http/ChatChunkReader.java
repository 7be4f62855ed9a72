package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * Reads the pipeline's stream of OpenAI {@code chat.completion.chunk}s for a translation into another API's events: it
 * tells a {@link Listener} of reasoning blocks ({@code thinking_blocks}), of text, of each tool call as it starts and
 * of its argument fragments, and of a failure, and keeps the finish reason, the usage and the gateway's
 * {@code costwise} object for the end (or for the failure), with the stop sequence that ended the answer when the
 * upstream named it. A tool call starts when its delta names a new id or a new index (a call's later deltas carry only
 * its index, and some servers give every call index 0). One instance per stream; not thread-safe.
 */
final class ChatChunkReader {
    /** What the chunks mean, in order. */
    interface Listener {
        /** A piece of the answer's text. */
        void text(String delta) throws IOException;

        /** A tool call starts; its arguments follow in {@link #toolArguments}. */
        void toolCall(String id, String name) throws IOException;

        /** A piece of the current tool call's JSON arguments. */
        void toolArguments(String delta) throws IOException;

        /**
         * The stream failed after it started (the pipeline's error chunk); {@link #usage()} and {@link #costwise()}
         * then say what the provider reported before it broke and what the request cost.
         *
         * @param message what failed
         * @param code the gateway's error code, as the same failure before the stream would have been answered
         *     with ({@code upstream_overloaded}, {@code upstream_rejected}, {@code upstream_unreachable}...), or ""
         *     when the chunk gives none
         */
        void failed(String message, String code) throws IOException;

        /**
         * A piece of reasoning block {@code block} (an Anthropic model's signed thinking); ignored unless the
         * translation carries reasoning.
         *
         * @param block the block's position among the answer's reasoning blocks
         * @param text text to append (may be empty)
         * @param signature the block's signature, on the piece that carries it; otherwise null
         */
        default void thinking(int block, String text, String signature) throws IOException {}

        /** A whole encrypted reasoning block; ignored unless the translation carries reasoning. */
        default void redactedThinking(int block, String data) throws IOException {}
    }

    private Integer callIndex;
    private String callId = "";
    private String finishReason = "stop";
    private String stopSequence;
    private JsonNode usage = JsonNodeFactory.instance.objectNode();
    private JsonNode costwise;
    private JsonNode serviceTier;

    /** Reads one chunk, telling {@code listener} what it holds. */
    void read(JsonNode chunk, Listener listener) throws IOException {
        if (chunk.has("error")) {
            // the pipeline's error chunk: what the provider reported before it broke, and what the request cost
            if (chunk.path("usage").isObject()) {
                usage = chunk.get("usage");
            }
            costwise = chunk.get("costwise");
            listener.failed(chunk.path("error").path("message").asText("the upstream stream failed"),
                    chunk.path("error").path("code").asText(""));
            return;
        }
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode delta = choice.path("delta");
        for (JsonNode block : delta.path("thinking_blocks")) {
            int index = block.path("index").asInt(0);
            if (block.path("type").asText().equals("redacted_thinking")) {
                listener.redactedThinking(index, block.path("data").asText(""));
            } else {
                listener.thinking(index, block.path("thinking").asText(""),
                        block.hasNonNull("signature") ? block.get("signature").asText() : null);
            }
        }
        if (delta.path("content").isTextual() && !delta.path("content").asText().isEmpty()) {
            callIndex = null; // text ends the call before it
            listener.text(delta.path("content").asText());
        }
        for (JsonNode call : delta.path("tool_calls")) {
            Integer index = call.path("index").asInt(0);
            String id = call.path("id").asText("");
            if (!index.equals(callIndex) || !id.isEmpty() && !id.equals(callId)) {
                callIndex = index;
                callId = id;
                listener.toolCall(id, call.path("function").path("name").asText(""));
            }
            String arguments = call.path("function").path("arguments").asText("");
            if (!arguments.isEmpty()) {
                listener.toolArguments(arguments);
            }
        }
        if (choice.hasNonNull("finish_reason")) {
            finishReason = MessagesAnswer.finishReason(choice);
            stopSequence = MessagesAnswer.stopSequence(choice);
        }
        if (chunk.path("usage").isObject()) {
            usage = chunk.get("usage");
            costwise = chunk.get("costwise");
            serviceTier = chunk.get("service_tier");
        }
    }

    /** @return the {@code service_tier} beside the final chunk's usage: the tier billed ({@code null} if none) */
    JsonNode serviceTier() {
        return serviceTier;
    }

    /**
     * @return the last finish reason seen ({@code stop} if none), as {@link MessagesAnswer#finishReason} reads it:
     *     Anthropic's {@code model_context_window_exceeded} in the place of the {@code length} it refines
     */
    String finishReason() {
        return finishReason;
    }

    /** @return the stop sequence that ended the answer, if the upstream named it; otherwise null */
    String stopSequence() {
        return stopSequence;
    }

    /**
     * @return the usage of the final chunk (empty until it came); after a failure, the usage the provider reported
     *     before it (empty when it reported none)
     */
    JsonNode usage() {
        return usage;
    }

    /** @return the gateway's cost object beside the usage (or beside the failure), or null */
    JsonNode costwise() {
        return costwise;
    }
}
