package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.llm.wire.OpenAiWire;

/**
 * Anthropic's {@code output_config.effort} on an attempt. Anthropic models read it as it came: how eagerly the model
 * spends tokens on its whole answer, thinking or not. Other providers do not know it, so, as Anthropic's
 * {@code thinking} is given to them as a reasoning setting, the effort becomes their {@code reasoning_effort} when the
 * request sets no reasoning of its own (a reasoning model's hidden reasoning is most of what the effort saves there),
 * and is left out when it does (the request's {@code thinking} answers for it). A model that does not reason then
 * loses the setting with the rest of the reasoning ({@link ReasoningSettings#without}). Stateless.
 */
final class OutputEffort {
    private OutputEffort() {}

    /**
     * @param body the attempt's body, shared by a request's attempts and not changed here
     * @param model the model the attempt calls
     * @return {@code body} itself for an Anthropic model or a body without the effort; otherwise a copy in the form
     *     the model's provider takes
     */
    static ObjectNode forAttempt(ObjectNode body, Model model) {
        JsonNode config = body.get(OpenAiWire.OUTPUT_CONFIG);
        if (config == null || model.provider().equals("anthropic")) {
            return body;
        }
        ObjectNode copy = body.deepCopy();
        copy.remove(OpenAiWire.OUTPUT_CONFIG);
        JsonNode effort = config.path("effort");
        if (effort.isTextual() && !copy.has("reasoning_effort") && !copy.has("reasoning")) {
            copy.put("reasoning_effort", effort.asText());
        }
        return copy;
    }
}
