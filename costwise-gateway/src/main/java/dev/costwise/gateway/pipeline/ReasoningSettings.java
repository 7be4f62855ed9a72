package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.wire.OpenAiWire;
import java.util.Optional;

/**
 * What the gateway does to a chat body's reasoning setting ({@code reasoning_effort}, OpenRouter's
 * {@code reasoning}). Stateless.
 *
 * <p>{@link #cap}: a pipeline's {@code max_reasoning_effort} lowers what a request asks a reasoning model to spend on
 * hidden reasoning, which is billed as output and is most of such a model's bill. {@code reasoning_effort} above the
 * cap becomes the cap; OpenRouter's {@code reasoning} object has its {@code effort} lowered the same way and its
 * {@code max_tokens} lowered to the cap's budget ({@link Reasoning#atMost}). Applied to the body before the cache
 * key is taken, so a capped request shares cache entries with one that asked for the cap. A request that sets no
 * reasoning is left to the model's default. Anthropic's {@code output_config.effort}, which governs an Anthropic
 * model's thinking with the rest of its answer, is lowered alike (to {@code low}, Anthropic's lowest, at most).
 *
 * <p>{@link #without}: an attempt on a model that does not reason gets no setting, which its provider would refuse.
 */
final class ReasoningSettings {
    private static final OpenAiWire WIRE = new OpenAiWire();

    private ReasoningSettings() {}

    /**
     * @param body a checked chat body, changed in place, in the form it came in
     * @param max the most effort allowed
     */
    static void cap(ObjectNode body, ReasoningEffort max) {
        capOutputEffort(body, max);
        if (!body.has("reasoning_effort") && !body.has("reasoning")) {
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

    /**
     * @param body a chat body, shared by a request's attempts and not changed here
     * @param max the most effort the attempt's model may be asked for, if it has a cap of its own
     * @return the body with its reasoning lowered to {@code max}: a copy if that changes it, else {@code body}
     */
    static ObjectNode cappedCopy(ObjectNode body, Optional<ReasoningEffort> max) {
        if (max.isEmpty() || !body.has("reasoning_effort") && !body.has("reasoning")
                && !body.has(OpenAiWire.OUTPUT_CONFIG)) {
            return body;
        }
        ObjectNode copy = body.deepCopy();
        cap(copy, max.get());
        return copy.equals(body) ? body : copy;
    }

    /**
     * @param body a chat body, shared by a request's attempts and not changed here
     * @return the body without its reasoning setting: a copy if it has one, else {@code body} itself
     */
    static ObjectNode without(ObjectNode body) {
        if (!body.has("reasoning_effort") && !body.has("reasoning")) {
            return body;
        }
        ObjectNode copy = body.deepCopy();
        copy.remove("reasoning_effort");
        copy.remove("reasoning");
        return copy;
    }
}
