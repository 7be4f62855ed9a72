package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Tells whether an OpenAI chat-completion chunk carries the model's output, for first-token timeouts.
 *
 * <p>A stream opens with chunks that say nothing yet (the role-only chunk, empty deltas some servers send as
 * keep-alives): a provider that sends those and then stalls has not started to answer, and its call may still fall
 * back, since nothing has reached the caller. Output is text, a tool call, reasoning or a refusal; an end (a finish
 * reason or the usage chunk) counts too, as the answer is then over.
 */
public final class ChunkOutput {
    private ChunkOutput() {
    }

    /**
     * @param chunk one parsed {@code data:} event of a streamed chat completion
     * @return whether it carries output or ends the answer
     */
    public static boolean shows(JsonNode chunk) {
        return chunk.path("usage").isObject() || answers(chunk);
    }

    /**
     * @param chunk one parsed {@code data:} event of a streamed chat completion
     * @return whether a choice of it carries output or a finish reason: the stream answers (its usage alone does not)
     */
    public static boolean answers(JsonNode chunk) {
        for (JsonNode choice : chunk.path("choices")) {
            if (!choice.path("finish_reason").isNull() && !choice.path("finish_reason").isMissingNode()
                    || carries(choice)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param choice one element of a chunk's {@code choices}
     * @return whether its delta carries output the model generated: text, a refusal, reasoning or a tool call (not
     *     a role, an empty keep-alive or a finish reason alone)
     */
    public static boolean carries(JsonNode choice) {
        JsonNode delta = choice.path("delta");
        return nonEmpty(delta, "content") || nonEmpty(delta, "refusal") || nonEmpty(delta, "reasoning_content")
                || nonEmpty(delta, "reasoning")
                || delta.path("tool_calls").isArray() && !delta.path("tool_calls").isEmpty();
    }

    private static boolean nonEmpty(JsonNode delta, String field) {
        JsonNode v = delta.path(field);
        return v.isTextual() && !v.asText().isEmpty();
    }
}
