package dev.costwise.llm.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import java.util.Optional;

/**
 * Lowers the reasoning an OpenAI chat body asks for to a cap, as the gateway applies a pipeline's
 * {@code max_reasoning_effort}: {@code reasoning_effort} above the cap becomes the cap; OpenRouter's {@code reasoning}
 * object has its {@code effort} lowered the same way and its {@code max_tokens} lowered to the cap's budget
 * ({@link Reasoning#atMost}); Anthropic's {@code output_config.effort} is lowered alike (to {@code low}, Anthropic's
 * lowest, at most). A body that sets no reasoning is left to the model's default.
 *
 * <p>The gateway caps a request's body before it takes the response-cache key, so a capped request shares cache
 * entries with one that asked for the cap; the planner keys a replayed request the same way with this one rule.
 * Stateless.
 */
public final class ReasoningBodyCap {
    private static final OpenAiWire WIRE = new OpenAiWire();

    private ReasoningBodyCap() {}

    /**
     * @param body a checked chat body, changed in place, in the form it came in
     * @param max the most effort allowed
     * @throws WireFormatException if the body's reasoning setting is malformed
     */
    public static void cap(ObjectNode body, ReasoningEffort max) {
        capOutputEffort(body, max);
        if (!asksForReasoning(body)) {
            return;
        }
        Optional<Reasoning> asked = WIRE.readReasoning(body);
        Optional<Reasoning> allowed = asked.map(r -> r.atMost(max));
        if (allowed.equals(asked)) {
            return;
        }
        if (body.has("reasoning_effort")) {
            body.put("reasoning_effort", allowed.get().effortOrNearest().wireName());
        } else {
            ObjectNode object = (ObjectNode) body.get("reasoning");
            allowed.get().effort().ifPresent(e -> object.put("effort", e.wireName()));
            allowed.get().budgetTokens().ifPresent(b -> object.put("max_tokens", b));
        }
    }

    /**
     * @param body a chat body
     * @return whether it sets any reasoning a cap may lower: {@code reasoning_effort}, {@code reasoning} or
     *     {@code output_config}
     */
    public static boolean mayLower(JsonNode body) {
        return asksForReasoning(body) || body.has(OpenAiWire.OUTPUT_CONFIG);
    }

    private static boolean asksForReasoning(JsonNode body) {
        return body.has("reasoning_effort") || body.has("reasoning");
    }

    /** Lowers Anthropic's {@code output_config.effort} to {@code max}, or to {@code low} for a lower cap. */
    private static void capOutputEffort(ObjectNode body, ReasoningEffort max) {
        JsonNode effort = body.path(OpenAiWire.OUTPUT_CONFIG).path("effort");
        Optional<ReasoningEffort> asked = effort.isTextual() ? ReasoningEffort.fromWireName(effort.asText())
                : Optional.empty();
        ReasoningEffort allowed = max.compareTo(ReasoningEffort.LOW) < 0 ? ReasoningEffort.LOW : max;
        if (asked.filter(e -> e.compareTo(allowed) > 0).isPresent()) {
            ((ObjectNode) body.get(OpenAiWire.OUTPUT_CONFIG)).put("effort", allowed.wireName());
        }
    }
}
