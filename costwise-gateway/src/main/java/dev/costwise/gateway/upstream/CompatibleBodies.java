package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.AnthropicToolTypes;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.provider.http.FunctionTools;
import dev.costwise.llm.provider.http.ThoughtSignatureIds;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.wire.BlockOrder;
import dev.costwise.llm.wire.OpenAiWire;
import java.util.Set;

/**
 * Makes a caller's chat body fit an OpenAI-compatible upstream that is sent it as is. Some of the gateway's own
 * extensions would be refused there:
 *
 * <ul>
 *   <li>Anthropic's signed reasoning blocks ({@code thinking_blocks}, with their {@code reasoning_content}, and the
 *       order of a turn's blocks, {@code block_order}) and a tool result's {@code is_error}, Anthropic's
 *       {@code context_management} (context editing) and the caller's
 *       Anthropic betas ({@code anthropic_beta}, from its {@code anthropic-beta} header) and {@code inference_geo}
 *       (US-only inference, which Anthropic's own OpenAI-compatible endpoint does not take either), which only an
 *       Anthropic model reads: removed for every such upstream.</li>
 *   <li>OpenRouter's {@code reasoning} object, which OpenAI's chat API does not know: every upstream but OpenRouter
 *       gets {@code reasoning_effort} instead (the budget's nearest effort), and Anthropic's {@code max} effort
 *       becomes OpenAI's deepest, {@code xhigh}.</li>
 *   <li>Prompt-cache breakpoints ({@code cache_control} on a content part, a message or a tool, the LiteLLM form
 *       Anthropic clients send): OpenAI refuses unknown fields in messages and tools, and the providers named here
 *       cache prompts on their own, so they are removed for them. OpenRouter hands them to Anthropic and Gemini, and
 *       an {@code openai-compatible} server may be a proxy that does the same: those keep them.</li>
 *   <li>{@code top_k}, which OpenAI's API lacks and refuses, as Groq, DeepSeek, Mistral and Hugging Face's do: removed
 *       for them ({@link OpenAiCompatibleEndpoint#refusesTopK}); OpenRouter, Together, Ollama and self-hosted
 *       servers sample with it.</li>
 *   <li>OpenAI's {@code service_tier} ({@code flex}, {@code priority}): the other providers have no such tiers, and
 *       Groq refuses OpenAI's names for them, so only OpenAI and an {@code openai-compatible} server get it; a call
 *       that falls back to another provider runs on its one tier, at its price.</li>
 *   <li>A Gemini thought signature in a tool-call id ({@code tool_calls[].id} and the result's {@code tool_call_id};
 *       {@link ThoughtSignatureIds}), which only Gemini reads and OpenAI refuses (an id over 40 characters): cut off
 *       for every such upstream.</li>
 *   <li>{@code max_tokens}, which OpenAI's reasoning models (o-series, gpt-5) refuse: OpenAI gets the same limit as
 *       {@code max_completion_tokens}, which all its chat models read ({@link
 *       OpenAiCompatibleEndpoint#wantsMaxCompletionTokens}). The gateway's Messages and Responses endpoints write
 *       {@code max_tokens}, which every other OpenAI-format server reads, so a request may go to any of them. A
 *       request that sets both (OpenAI refuses that with a 400, {@code invalid_parameter_combination}) sends one:
 *       {@code max_completion_tokens}' value, the limit its budget reservation assumed ({@code Plan}), named as the
 *       upstream wants it.</li>
 * </ul>
 *
 * <p>An Anthropic-defined client tool ({@code bash_20250124}, {@code text_editor_*}, {@code computer_*}), which
 * only Anthropic models know, is refused for every such upstream, naming {@code tools[i].type}.
 *
 * <p>The body is shared by a request's attempts, which may go to Anthropic next, so a body that needs a change is
 * copied; most need none and are returned as they are. Stateless.
 */
final class CompatibleBodies {
    private static final OpenAiWire WIRE = new OpenAiWire();
    /** Providers whose OpenAI-format API takes no {@code cache_control}. */
    private static final Set<String> NO_CACHE_CONTROL = Set.of("openai", "groq", "deepseek", "mistral",
            "huggingface", "together", "ollama");
    private static final String CACHE_CONTROL = "cache_control";
    private static final String SERVICE_TIER = "service_tier";
    private static final String TOP_K = "top_k";
    private static final String MAX_TOKENS = "max_tokens";
    private static final String MAX_COMPLETION_TOKENS = "max_completion_tokens";
    private static final String CONTEXT_MANAGEMENT = "context_management";
    private static final String TOOL_CALL_ID = "tool_call_id";
    private static final String TOOL_CALLS = "tool_calls";
    /** Providers that take OpenAI's {@code service_tier}. */
    private static final Set<String> SERVICE_TIERS = Set.of("openai", "openai-compatible");

    private CompatibleBodies() {}

    /**
     * @param body the request body (already checked)
     * @param provider the upstream's provider id
     * @return the body to send: {@code body} itself when nothing needs changing
     */
    static ObjectNode forUpstream(ObjectNode body, String provider) {
        requireNoAnthropicTools(body);
        // OpenAI's chat API takes reasoning_effort only, and its deepest effort is xhigh: OpenRouter's object (for
        // every other provider) and Anthropic's max (from a Messages client's output_config) are rewritten as one
        boolean rewriteReasoning = body.has("reasoning") && !provider.equals("openrouter")
                || "max".equals(body.path("reasoning_effort").asText());
        boolean stripCacheControl = NO_CACHE_CONTROL.contains(provider) && hasCacheControl(body);
        boolean stripServiceTier = body.has(SERVICE_TIER) && !SERVICE_TIERS.contains(provider);
        boolean stripTopK = body.has(TOP_K) && OpenAiCompatibleEndpoint.refusesTopK(provider);
        boolean wantsMaxCompletionTokens = OpenAiCompatibleEndpoint.wantsMaxCompletionTokens(provider);
        boolean bothLimits = body.has(MAX_TOKENS) && body.has(MAX_COMPLETION_TOKENS);
        boolean renameMaxTokens = body.has(MAX_TOKENS) && !body.has(MAX_COMPLETION_TOKENS) && wantsMaxCompletionTokens;
        if (!rewriteReasoning && !stripCacheControl && !stripServiceTier && !stripTopK && !renameMaxTokens
                && !bothLimits && !hasForeignFields(body)) {
            return body;
        }
        ObjectNode copy = body.deepCopy();
        copy.remove(CONTEXT_MANAGEMENT);
        copy.remove(OpenAiWire.ANTHROPIC_BETA);
        copy.remove(OpenAiWire.INFERENCE_GEO);
        if (stripServiceTier) {
            copy.remove(SERVICE_TIER);
        }
        if (stripTopK) {
            copy.remove(TOP_K);
        }
        if (renameMaxTokens) {
            copy.set(MAX_COMPLETION_TOKENS, copy.remove(MAX_TOKENS));
        }
        if (bothLimits) {
            // the limit the reservation assumed (max_completion_tokens first, as Plan reads it), under one name
            JsonNode completion = copy.remove(MAX_COMPLETION_TOKENS);
            JsonNode max = copy.remove(MAX_TOKENS);
            copy.set(wantsMaxCompletionTokens ? MAX_COMPLETION_TOKENS : MAX_TOKENS,
                    completion.isNull() ? max : completion);
        }
        if (rewriteReasoning) {
            WIRE.readReasoning(copy).ifPresent(r -> copy.put("reasoning_effort", OpenAiWire.reasoningEffortName(r)));
            copy.remove("reasoning");
        }
        for (JsonNode message : copy.path("messages")) {
            if (message.has("thinking_blocks")) {
                ((ObjectNode) message).remove("thinking_blocks");
                ((ObjectNode) message).remove("reasoning_content"); // our copy of the blocks' text
            }
            ((ObjectNode) message).remove(BlockOrder.FIELD); // the content says the same text
            if (message.has("is_error")) {
                ((ObjectNode) message).remove("is_error"); // the tool result's text says what failed
            }
            unsignCallIds((ObjectNode) message);
        }
        if (stripCacheControl) {
            CacheMarkers.forEachHolder(copy, node -> node.remove(CACHE_CONTROL));
        }
        return copy;
    }

    /**
     * @return whether the body carries a field only Anthropic reads (context editing, betas, the inference geography,
     *     or a message's reasoning blocks or tool error flag), or a tool-call id only Gemini reads
     */
    private static boolean hasForeignFields(ObjectNode body) {
        if (body.has(CONTEXT_MANAGEMENT) || body.has(OpenAiWire.ANTHROPIC_BETA) || body.has(OpenAiWire.INFERENCE_GEO)) {
            return true;
        }
        for (JsonNode message : body.path("messages")) {
            if (message.has("thinking_blocks") || message.has("is_error") || message.has(BlockOrder.FIELD)
                    || isSigned(message.get(TOOL_CALL_ID))) {
                return true;
            }
            for (JsonNode call : message.path(TOOL_CALLS)) {
                if (isSigned(call.get("id"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * An Anthropic-defined client tool ({@code bash_20250124}...) has no OpenAI form: refused before the call, so that
     * another model of the pipeline (a Claude one) may take the request.
     *
     * @throws UnsupportedRequestException naming the tool's type
     */
    private static void requireNoAnthropicTools(ObjectNode body) {
        JsonNode tools = body.path("tools");
        for (int i = 0; i < tools.size(); i++) {
            String type = tools.get(i).path("type").asText("");
            if (AnthropicToolTypes.isClientTool(type)) {
                throw FunctionTools.onlyAnthropic(i, type);
            }
        }
    }

    private static boolean isSigned(JsonNode id) {
        return id != null && id.isTextual() && ThoughtSignatureIds.isSigned(id.asText());
    }

    /** Cuts a Gemini thought signature off the message's call ids, alike in a call and in its result. */
    private static void unsignCallIds(ObjectNode message) {
        if (isSigned(message.get(TOOL_CALL_ID))) {
            message.put(TOOL_CALL_ID, ThoughtSignatureIds.unsigned(message.get(TOOL_CALL_ID).asText()));
        }
        for (JsonNode call : message.path(TOOL_CALLS)) {
            if (isSigned(call.get("id"))) {
                ((ObjectNode) call).put("id", ThoughtSignatureIds.unsigned(call.get("id").asText()));
            }
        }
    }

    private static boolean hasCacheControl(ObjectNode body) {
        boolean[] found = {false};
        CacheMarkers.forEachHolder(body, node -> found[0] |= node.has(CACHE_CONTROL));
        return found[0];
    }
}
