package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;

/**
 * What the gateway does to a chat body's reasoning setting ({@code reasoning_effort}, OpenRouter's
 * {@code reasoning}). Stateless.
 *
 * <p>{@link #cap}: a pipeline's {@code max_reasoning_effort} lowers what a request asks a reasoning model to spend on
 * hidden reasoning, which is billed as output and is most of such a model's bill. {@code reasoning_effort} above the
 * cap becomes the cap; OpenRouter's {@code reasoning} object has its {@code effort} lowered the same way and its
 * {@code max_tokens} lowered to the cap's budget ({@link Reasoning#budgetFor}). Applied to the body before the cache
 * key is taken, so a capped request shares cache entries with one that asked for the cap. A request that sets no
 * reasoning is left to the model's default.
 *
 * <p>{@link #without}: an attempt on a model that does not reason gets no setting, which its provider would refuse.
 */
final class ReasoningSettings {

    private ReasoningSettings() {}

    /**
     * @param body a checked chat body, changed in place
     * @param max the most effort allowed
     */
    static void cap(ObjectNode body, ReasoningEffort max) {
        JsonNode effort = body.get("reasoning_effort");
        if (effort != null && effort.isTextual() && above(effort.asText(), max)) {
            body.put("reasoning_effort", max.wireName());
        }
        if (body.get("reasoning") instanceof ObjectNode object) {
            JsonNode objectEffort = object.get("effort");
            if (objectEffort != null && objectEffort.isTextual() && above(objectEffort.asText(), max)) {
                object.put("effort", max.wireName());
            }
            JsonNode budget = object.get("max_tokens");
            int maxBudget = Reasoning.budgetFor(max);
            if (budget != null && budget.canConvertToLong() && budget.asLong() > maxBudget) {
                object.put("max_tokens", maxBudget);
            }
        }
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

    /** Names were checked with the body: an unknown one cannot reach here, but is left alone if it does. */
    private static boolean above(String name, ReasoningEffort max) {
        return ReasoningEffort.fromWireName(name).map(e -> e.compareTo(max) > 0).orElse(false);
    }
}
