package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;

/**
 * Sends an attempt the output limit its budget reservation assumed. A request that sets no {@code max_tokens} reserves
 * its model's {@code max_output_tokens} ({@link Plan#outputLimit}); a provider not told that limit answers up to its
 * own, which may be far longer, and a hard budget would pay for the difference. The limit goes under the name the
 * upstream wants, so the pass-through need not copy the body again to rename it: {@code max_completion_tokens} for
 * OpenAI, else {@code max_tokens}, which Gemini's adapter sends as {@code maxOutputTokens} and Ollama's OpenAI API
 * reads as {@code num_predict}. Anthropic's adapter sends the same
 * limit on its own ({@code defaultMaxTokens}, with the thinking budget added as the reservation assumes). A caller's
 * own limit, larger than the model's or not, is what its reservation assumed, and is sent as it is. Stateless.
 */
final class OutputLimits {

    private OutputLimits() {}

    /**
     * @param body the attempt's body, shared by a request's attempts and not changed here
     * @param model the model the attempt calls
     * @param reserved the output limit the attempt's reservation assumed; 0 when it generates nothing (embeddings)
     * @return {@code body} itself when the caller set a limit, nothing is generated or the adapter sends the limit;
     *     otherwise a copy that sets the upstream's limit field to {@code reserved}
     */
    static ObjectNode forAttempt(ObjectNode body, Model model, long reserved) {
        if (reserved <= 0 || Plan.requestedOutputLimit(body) > 0 || model.provider().equals("anthropic")) {
            return body;
        }
        // a shallow copy: only a top-level field is added, and bodies may hold long prompts and images
        ObjectNode copy = body.objectNode();
        copy.setAll(body);
        copy.put(OpenAiCompatibleEndpoint.wantsMaxCompletionTokens(model.provider()) ? "max_completion_tokens"
                : "max_tokens", reserved);
        return copy;
    }
}
