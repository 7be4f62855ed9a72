package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;

/**
 * Where a chat body may carry prompt-cache breakpoints ({@code cache_control}, the LiteLLM form): on a tool, on a
 * message (after its last part), on a content part and on an assistant's tool call (Anthropic's {@code tool_use}).
 * Stateless.
 */
public final class CacheMarkers {

    private CacheMarkers() {}

    /**
     * Visits every object of {@code body} that may carry {@code cache_control}: tools, then each message, its
     * content parts and its tool calls, in order.
     *
     * @param body a chat body
     * @param visit called with each such object
     */
    public static void forEachHolder(JsonNode body, Consumer<ObjectNode> visit) {
        for (JsonNode tool : body.path("tools")) {
            if (tool instanceof ObjectNode t) {
                visit.accept(t);
            }
        }
        for (JsonNode message : body.path("messages")) {
            if (message instanceof ObjectNode m) {
                visit.accept(m);
            }
            for (JsonNode part : message.path("content")) { // a string content has no parts
                if (part instanceof ObjectNode p) {
                    visit.accept(p);
                }
            }
            for (JsonNode call : message.path("tool_calls")) {
                if (call instanceof ObjectNode c) {
                    visit.accept(c);
                }
            }
        }
    }
}
