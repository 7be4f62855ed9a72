package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * An Anthropic model's signed thinking block as a Responses API {@code reasoning} item
 * (https://platform.openai.com/docs/api-reference/responses/object): its text as the item's {@code summary}, and the
 * whole block, signature included, in the item's {@code encrypted_content}, which is opaque to clients. Anthropic
 * needs a tool turn's thinking blocks back with the tool's result, unchanged and in order; with the item in the stored
 * response (or sent back by a client that stores nothing), a continuation gives them back. Stateless.
 */
final class ReasoningItems {
    /** Marks {@code encrypted_content} the gateway wrote, apart from the reasoning OpenAI's models encrypt. */
    private static final String PREFIX = "costwise.thinking.v1.";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReasoningItems() {}

    /**
     * @param id the item's id
     * @param block a {@code thinking} or {@code redacted_thinking} block, as {@code thinking_blocks} holds it
     * @return the {@code reasoning} item
     */
    static ObjectNode item(String id, JsonNode block) {
        ObjectNode whole = NODES.objectNode();
        if (block.path("type").asText().equals("redacted_thinking")) {
            whole.put("type", "redacted_thinking").put("data", block.path("data").asText(""));
        } else {
            whole.put("type", "thinking").put("thinking", block.path("thinking").asText(""));
            if (block.hasNonNull("signature")) {
                whole.put("signature", block.get("signature").asText());
            }
        }
        ObjectNode item = NODES.objectNode().put("type", "reasoning").put("id", id);
        String text = whole.path("thinking").asText("");
        if (text.isEmpty()) {
            item.putArray("summary");
        } else {
            item.putArray("summary").addObject().put("type", "summary_text").put("text", text);
        }
        item.put("encrypted_content", PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(
                whole.toString().getBytes(StandardCharsets.UTF_8)));
        return item;
    }

    /**
     * @param item a {@code reasoning} input item
     * @param at its path in the request, for errors
     * @return the thinking block it carries, when the gateway wrote it; empty for another's (OpenAI's reasoning, which
     *     replays only to the model that wrote it) or one without {@code encrypted_content}
     * @throws GatewayException.InvalidField if its {@code encrypted_content} is marked as the gateway's but does not
     *     hold a thinking block
     */
    static Optional<ObjectNode> block(JsonNode item, String at) {
        String content = item.path("encrypted_content").asText("");
        if (!content.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            JsonNode block = JSON.readTree(Base64.getUrlDecoder().decode(content.substring(PREFIX.length())));
            String type = block.path("type").asText();
            if (block.isObject() && (type.equals("thinking") || type.equals("redacted_thinking"))) {
                return Optional.of((ObjectNode) block);
            }
        } catch (IOException | IllegalArgumentException e) {
            // refused below
        }
        throw new GatewayException.InvalidField(at + ".encrypted_content", "is not a reasoning item's content as the "
                + "gateway wrote it: send the item back as it came");
    }
}
