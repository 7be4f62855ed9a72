package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.wire.OpenAiWire;

/**
 * Makes a caller's chat body fit an OpenAI-compatible upstream that is sent it as is. Two of the gateway's own
 * extensions would be refused there: Anthropic's signed reasoning blocks ({@code thinking_blocks}, with their
 * {@code reasoning_content}), which only an Anthropic model reads, and OpenRouter's {@code reasoning} object, which
 * OpenAI's chat API does not know ({@code reasoning_effort} carries the nearest effort instead). The body is shared by
 * a request's attempts, which may go to Anthropic next, so a body that needs a change is copied; most need none and
 * are returned as they are. Stateless.
 */
final class CompatibleBodies {
    private static final OpenAiWire WIRE = new OpenAiWire();

    private CompatibleBodies() {}

    /**
     * @param body the request body (already checked)
     * @param provider the upstream's provider id; {@code openrouter} keeps its own {@code reasoning} object
     * @return the body to send: {@code body} itself when nothing needs changing
     */
    static ObjectNode forUpstream(ObjectNode body, String provider) {
        boolean convertReasoning = body.has("reasoning") && !provider.equals("openrouter");
        if (!convertReasoning && !hasReasoningBlocks(body)) {
            return body;
        }
        ObjectNode copy = body.deepCopy();
        if (convertReasoning) {
            WIRE.readReasoning(copy).ifPresent(r -> copy.put("reasoning_effort", OpenAiWire.reasoningEffortName(r)));
            copy.remove("reasoning");
        }
        for (JsonNode message : copy.path("messages")) {
            if (message.has("thinking_blocks")) {
                ((ObjectNode) message).remove("thinking_blocks");
                ((ObjectNode) message).remove("reasoning_content"); // our copy of the blocks' text
            }
        }
        return copy;
    }

    private static boolean hasReasoningBlocks(ObjectNode body) {
        for (JsonNode message : body.path("messages")) {
            if (message.has("thinking_blocks")) {
                return true;
            }
        }
        return false;
    }
}
