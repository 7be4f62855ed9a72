package dev.costwise.gateway.http;

import static dev.costwise.gateway.http.RequestValidator.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.AnthropicToolTypes;
import dev.costwise.llm.chat.CacheControl;
import dev.costwise.llm.wire.BlockOrder;
import dev.costwise.llm.wire.OpenAiWire;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Translates a request to Anthropic's Messages API (https://docs.claude.com/en/api/messages) into the OpenAI chat
 * body every pipeline runs on, checking each field on the way and naming the first bad one by its path in the
 * Anthropic request ({@code messages[2].content[0].source.type: ...}).
 *
 * <p>What maps: {@code system} (a string or text blocks) becomes the first message; text, image ({@code base64} or
 * {@code url} source), {@code tool_use} and {@code tool_result} blocks become OpenAI content parts, tool calls and tool
 * messages (a user turn's tool results first, as OpenAI wants each answer right after its call); {@code cache_control}
 * stays on its text, image, tool use, tool result or tool (a thinking block takes none, as at Anthropic);
 * {@code stop_sequences}, {@code temperature}, {@code top_p},
 * {@code top_k} (which OpenAI-format providers that lack it do not get), {@code tools}, {@code tool_choice}
 * ({@code disable_parallel_tool_use} included) and {@code metadata.user_id} map to their OpenAI fields; a stream asks
 * for the final usage chunk.
 *
 * <p>Reasoning: {@code thinking} {@code enabled} with its {@code budget_tokens} becomes OpenRouter's
 * {@code reasoning.max_tokens}, {@code adaptive} becomes {@code reasoning_effort} from {@code output_config.effort}
 * (Anthropic's default, {@code high}, when absent), {@code disabled} becomes {@code reasoning_effort: none}.
 * {@code output_config.effort} itself, which governs the whole answer with or without thinking, stays in the chat body
 * as {@code output_config.effort}: Anthropic models get it as given, others as their {@code reasoning_effort} when the
 * request sets no reasoning. An assistant turn's {@code thinking} and {@code redacted_thinking} blocks travel,
 * signatures intact, as LiteLLM's {@code thinking_blocks}, so that an Anthropic model gets them back with its tool
 * results (other providers never see them). An assistant turn whose blocks are not thinking, then text, then
 * {@code tool_use} (interleaved thinking) carries their order as {@link BlockOrder}, so that an Anthropic model gets
 * them back as it gave them.
 *
 * <p>Structured outputs: {@code output_config.format} (or the beta's top-level {@code output_format}) of type
 * {@code json_schema} becomes a strict {@code response_format: json_schema}, and a tool's {@code strict: true} its
 * function's {@code strict}: an Anthropic model that takes structured outputs gets them back as they came, an
 * OpenAI-format one gets OpenAI's structured outputs.
 *
 * <p>A tool result's {@code is_error} travels as {@code "is_error": true} on the tool message, which reaches Anthropic
 * models (other providers get the result's text, which says what failed).
 *
 * <p>{@code inference_geo} ({@code us}: US-only inference, billed at 1.1× on Claude Opus 4.6, Sonnet 4.6 and later)
 * reaches Anthropic models as given; other providers do not get it.
 *
 * <p>{@code context_management}'s clearing edits (old tool results, old thinking) reach Anthropic models with their
 * beta header; other providers get the whole conversation, which is longer but answers the same. What does not map
 * is refused, naming the field: compaction edits (their answer holds blocks with no OpenAI form), features that run
 * on Anthropic's servers (server tools such as web search, {@code mcp_servers}, {@code container}), unknown tool
 * types and block types with no OpenAI form ({@code document}, {@code search_result}, images inside a tool result).
 *
 * <p>Anthropic's client tools ({@code bash_20250124}, {@code text_editor_20250728}, {@code computer_*},
 * {@code memory_*}), which the caller runs, travel in {@code tools} as Anthropic defines them: Anthropic models get
 * them as they came, and other providers refuse them, naming {@code tools[i].type}. Stateless.
 */
final class MessagesRequest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Fields that would change what the model does and cannot be carried: refused rather than dropped. */
    private static final Set<String> REFUSED = Set.of("mcp_servers", "container");

    private MessagesRequest() {}

    /**
     * @param root the parsed Anthropic request
     * @return the same request as an OpenAI chat body
     * @throws GatewayException.InvalidField naming the first bad field
     */
    static ObjectNode toOpenAi(JsonNode root) {
        return toOpenAi(root, true);
    }

    /**
     * @param root the parsed Anthropic request
     * @param call {@code true} for a call, which needs {@code max_tokens}; {@code false} for a token count
     * @return the same request as an OpenAI chat body
     * @throws GatewayException.InvalidField naming the first bad field
     */
    static ObjectNode toOpenAi(JsonNode root, boolean call) {
        if (!root.isObject()) {
            throw new GatewayException.InvalidField("body", "expected a JSON object with model, max_tokens and "
                    + "messages");
        }
        for (String field : REFUSED) {
            if (root.has(field) && !root.get(field).isNull()) {
                throw new GatewayException.InvalidField(field, "runs on Anthropic's own servers and is not "
                        + "supported through the gateway");
            }
        }
        ObjectNode out = NODES.objectNode();
        out.set("model", root.get("model")); // checked with the rest of the OpenAI body
        JsonNode maxTokens = root.get("max_tokens");
        if (call && (maxTokens == null || maxTokens.isNull())) {
            throw new GatewayException.InvalidField("max_tokens", "is required (the most tokens to generate)");
        }
        if (maxTokens != null && !maxTokens.isNull()) {
            out.set("max_tokens", maxTokens);
        }
        ArrayNode messages = out.putArray("messages");
        system(root.get("system"), messages);
        JsonNode in = root.get("messages");
        if (in == null || !in.isArray() || in.isEmpty()) {
            throw new GatewayException.InvalidField("messages", "expected a non-empty array of messages");
        }
        for (int i = 0; i < in.size(); i++) {
            message(in.get(i), "messages[" + i + "]", messages);
        }
        requireCalls(messages, in);
        copyRange(root, "temperature", 0, 1, out);
        copyRange(root, "top_p", 0, 1, out);
        if (root.hasNonNull("top_k")) {
            out.set("top_k", root.get("top_k")); // checked with the chat body; reaches the providers that take it
        }
        JsonNode stops = root.get("stop_sequences");
        if (stops != null && !stops.isNull()) {
            if (!stops.isArray() || !allText(stops)) {
                throw new GatewayException.InvalidField("stop_sequences", "expected an array of strings");
            }
            out.set("stop", stops);
        }
        tools(root.get("tools"), out);
        toolChoice(root.get("tool_choice"), out);
        thinking(root, out);
        outputEffort(root.get(OpenAiWire.OUTPUT_CONFIG), out);
        outputFormat(root, out);
        contextManagement(root.get("context_management"), out);
        if (root.hasNonNull(OpenAiWire.INFERENCE_GEO)) {
            // checked with the chat body; Anthropic models run there, other providers never see it
            out.set(OpenAiWire.INFERENCE_GEO, root.get(OpenAiWire.INFERENCE_GEO));
        }
        JsonNode user = root.path("metadata").get("user_id");
        if (user != null && !user.isNull()) {
            if (!user.isTextual()) {
                throw new GatewayException.InvalidField("metadata.user_id", "expected a string");
            }
            RequestValidator.checkEndUser(user, "metadata.user_id");
            out.set("user", user);
        }
        JsonNode stream = root.get("stream");
        if (stream != null && !stream.isNull()) {
            if (!stream.isBoolean()) {
                throw new GatewayException.InvalidField("stream", "expected true or false");
            }
            out.set("stream", stream);
            if (stream.asBoolean()) {
                out.putObject("stream_options").put("include_usage", true); // message_delta carries the usage
            }
        }
        return out;
    }

    /**
     * Context editing reaches Anthropic models as given: clearing old tool results ({@code clear_tool_uses_*}) and
     * thinking ({@code clear_thinking_*}) change only what the model reads. Other edits (compaction) answer with
     * blocks the gateway cannot carry back, so they are refused.
     */
    private static void contextManagement(JsonNode value, ObjectNode out) {
        if (value == null || value.isNull()) {
            return;
        }
        JsonNode edits = value.get("edits");
        if (!value.isObject() || edits != null && !edits.isArray()) {
            throw new GatewayException.InvalidField("context_management", "expected an object with an edits array");
        }
        for (int i = 0; edits != null && i < edits.size(); i++) {
            String type = edits.get(i).path("type").asText("");
            if (!type.startsWith("clear_tool_uses_") && !type.startsWith("clear_thinking_")) {
                throw new GatewayException.InvalidField("context_management.edits[" + i + "].type", "'" + type
                        + "' is not supported through the gateway (clear_tool_uses_* and clear_thinking_* are)");
            }
        }
        out.set("context_management", value);
    }

    private static void system(JsonNode system, ArrayNode messages) {
        if (system == null || system.isNull()) {
            return;
        }
        ObjectNode m = NODES.objectNode().put("role", "system");
        if (system.isTextual()) {
            m.put("content", system.asText());
        } else if (system.isArray()) {
            ArrayNode parts = m.putArray("content");
            for (int i = 0; i < system.size(); i++) {
                String at = "system[" + i + "]";
                JsonNode block = requireBlock(system.get(i), at);
                if (!"text".equals(block.path("type").asText())) {
                    throw new GatewayException.InvalidField(at + ".type", "a system block must be text, was '"
                            + block.path("type").asText() + "'");
                }
                parts.add(text(block, at));
            }
        } else {
            throw new GatewayException.InvalidField("system", "expected a string or an array of text blocks");
        }
        messages.add(m);
    }

    private static void message(JsonNode m, String at, ArrayNode messages) {
        if (!m.isObject()) {
            throw new GatewayException.InvalidField(at, "expected an object with role and content");
        }
        String role = m.path("role").asText("");
        if (!role.equals("user") && !role.equals("assistant")) {
            throw new GatewayException.InvalidField(at + ".role", "expected user or assistant, was '"
                    + m.path("role").asText() + "'");
        }
        JsonNode content = m.get("content");
        if (content != null && content.isTextual()) {
            messages.addObject().put("role", role).put("content", content.asText());
            return;
        }
        if (content == null || !content.isArray()) {
            throw new GatewayException.InvalidField(at + ".content", "expected a string or an array of blocks");
        }
        ArrayNode parts = NODES.arrayNode();
        ArrayNode calls = NODES.arrayNode();
        ArrayNode thinking = NODES.arrayNode();
        List<BlockOrder.Block> order = new ArrayList<>(); // an assistant turn's blocks go back in their order
        for (int i = 0; i < content.size(); i++) {
            String bat = at + ".content[" + i + "]";
            JsonNode block = requireBlock(content.get(i), bat);
            String type = block.path("type").asText("");
            switch (type) {
                case "text" -> parts.add(ordered(BlockOrder.Kind.CONTENT, text(block, bat), order));
                case "image" -> parts.add(ordered(BlockOrder.Kind.CONTENT, image(block, bat), order));
                case "tool_use" -> {
                    requireRole(role, "assistant", bat);
                    calls.add(ordered(BlockOrder.Kind.TOOL_CALL, toolCall(block, bat), order));
                }
                case "tool_result" -> {
                    requireRole(role, "user", bat);
                    messages.add(toolResult(block, bat)); // before the turn's other parts, right after the call
                }
                case "thinking", "redacted_thinking" -> {
                    requireRole(role, "assistant", bat);
                    thinking.add(ordered(BlockOrder.Kind.REASONING, thinkingBlock(block, type, bat), order));
                }
                default -> throw new GatewayException.InvalidField(bat + ".type", "unsupported block type '" + type
                        + "' (supported: text, image, tool_use, tool_result, thinking, redacted_thinking)");
            }
        }
        if (parts.isEmpty() && calls.isEmpty() && thinking.isEmpty()) {
            return; // only tool results (already added)
        }
        ObjectNode out = messages.addObject().put("role", role);
        if (!thinking.isEmpty()) {
            out.set("thinking_blocks", thinking);
        }
        if (parts.isEmpty()) {
            out.putNull("content");
        } else {
            out.set("content", parts);
        }
        if (!calls.isEmpty()) {
            out.set("tool_calls", calls);
        }
        if (role.equals("assistant")) {
            BlockOrder.write(out, order, false);
        }
    }

    /** @return {@code node}, noted in {@code order} as the next block */
    private static ObjectNode ordered(BlockOrder.Kind kind, ObjectNode node, List<BlockOrder.Block> order) {
        order.add(new BlockOrder.Block(kind, node, ""));
        return node;
    }

    /**
     * Each {@code tool_result} answers a {@code tool_use} of an earlier assistant turn, as Anthropic requires: one that
     * answers none is refused here, by its path, before a provider that looks the call up (Gemini, for its function's
     * name) refuses it less clearly.
     *
     * @param messages the translated messages, a tool message per tool result
     * @param in the request's own messages, for the path
     */
    private static void requireCalls(ArrayNode messages, JsonNode in) {
        Set<String> called = new HashSet<>();
        for (JsonNode m : messages) {
            m.path("tool_calls").forEach(c -> called.add(c.path("id").asText()));
            String answered = m.path("tool_call_id").asText(null);
            if (answered != null && !called.contains(answered)) {
                throw new GatewayException.InvalidField(resultPath(in, answered), "tool_result for '" + answered
                        + "' answers no tool_use of an earlier assistant turn");
            }
        }
    }

    /** @return the path of the first {@code tool_result} block answering {@code id} */
    private static String resultPath(JsonNode in, String id) {
        for (int i = 0; i < in.size(); i++) {
            JsonNode content = in.get(i).path("content");
            for (int j = 0; j < content.size(); j++) {
                if (id.equals(content.get(j).path("tool_use_id").asText(null))) {
                    return "messages[" + i + "].content[" + j + "].tool_use_id";
                }
            }
        }
        return "messages";
    }

    /** A signed reasoning block, kept whole: Anthropic checks the signature when it comes back. */
    private static ObjectNode thinkingBlock(JsonNode block, String type, String at) {
        if (block.hasNonNull("cache_control")) {
            // Anthropic's thinking blocks have no cache_control; a breakpoint after them caches them with the turn
            throw new GatewayException.InvalidField(at + ".cache_control", "Anthropic takes no cache_control on a "
                    + type + " block: place it on a later block of the turn, which caches this one with it");
        }
        if (type.equals("redacted_thinking")) {
            return NODES.objectNode().put("type", type).put("data", requiredText(block, "data", at));
        }
        JsonNode text = block.get("thinking");
        if (text == null || !text.isTextual()) {
            throw new GatewayException.InvalidField(at + ".thinking", "is required (a string)");
        }
        return NODES.objectNode().put("type", type).put("thinking", text.asText())
                .put("signature", requiredText(block, "signature", at));
    }

    /** Anthropic's {@code thinking} (and {@code output_config.effort}) as the chat body's reasoning setting. */
    private static void thinking(JsonNode root, ObjectNode out) {
        JsonNode thinking = root.get("thinking");
        if (thinking == null || thinking.isNull()) {
            return;
        }
        if (!thinking.isObject()) {
            throw new GatewayException.InvalidField("thinking", "expected an object such as {\"type\": \"enabled\", "
                    + "\"budget_tokens\": 2048}");
        }
        switch (thinking.path("type").asText("")) {
            case "enabled" -> {
                int budget = IntegerField.THINKING_BUDGET.readFrom(thinking).orElseThrow(() ->
                        new GatewayException.InvalidField(IntegerField.THINKING_BUDGET.path(), "is required (a whole "
                                + "number of at least " + IntegerField.THINKING_BUDGET.min() + ")"));
                out.putObject("reasoning").put("max_tokens", budget);
            }
            case "adaptive" -> {
                JsonNode effort = root.path("output_config").get("effort");
                if (effort != null && !effort.isNull() && !effort.isTextual()) {
                    throw new GatewayException.InvalidField("output_config.effort", "expected low, medium, high, "
                            + "xhigh or max");
                }
                // checked against the known efforts when the chat body is read
                out.put("reasoning_effort", effort == null || effort.isNull() ? "high" : effort.asText());
            }
            case "disabled" -> out.put("reasoning_effort", "none");
            default -> throw new GatewayException.InvalidField("thinking.type", "expected enabled, adaptive or "
                    + "disabled, was '" + thinking.path("type").asText() + "'");
        }
    }

    /**
     * Anthropic's effort, which governs the whole answer, thinking or not: carried as it came (checked with the chat
     * body, under the same name), so that Anthropic models get it and the others take it as their reasoning setting
     * when the request has none.
     */
    private static void outputEffort(JsonNode config, ObjectNode out) {
        if (config == null || config.isNull()) {
            return;
        }
        if (!config.isObject()) {
            throw new GatewayException.InvalidField(OpenAiWire.OUTPUT_CONFIG, "expected an object with effort or "
                    + "format");
        }
        JsonNode effort = config.get("effort");
        if (effort != null && !effort.isNull()) {
            out.putObject(OpenAiWire.OUTPUT_CONFIG).set("effort", effort);
        }
    }

    /** Anthropic's JSON outputs as OpenAI's strict {@code response_format}: Anthropic always holds to the schema. */
    private static void outputFormat(JsonNode root, ObjectNode out) {
        String at = "output_config.format";
        JsonNode format = root.path("output_config").get("format");
        if (format == null || format.isNull()) {
            at = "output_format"; // the beta's name, still accepted by Anthropic
            format = root.get("output_format");
        }
        if (format == null || format.isNull()) {
            return;
        }
        if (!format.isObject() || !format.path("type").asText("").equals("json_schema")) {
            throw new GatewayException.InvalidField(at + ".type", "expected json_schema");
        }
        JsonNode schema = format.get("schema");
        if (schema == null || !schema.isObject()) {
            throw new GatewayException.InvalidField(at + ".schema", "expected a JSON Schema object");
        }
        ObjectNode jsonSchema = out.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        jsonSchema.put("name", "output").put("strict", true).set("schema", schema);
    }

    private static ObjectNode text(JsonNode block, String at) {
        JsonNode text = block.get("text");
        if (text == null || !text.isTextual()) {
            throw new GatewayException.InvalidField(at + ".text", "is required (a string)");
        }
        return withCacheControl(NODES.objectNode().put("type", "text").put("text", text.asText()), block, at);
    }

    private static ObjectNode image(JsonNode block, String at) {
        JsonNode source = block.path("source");
        String url = switch (source.path("type").asText("")) {
            case "base64" -> "data:" + requiredText(source, "media_type", at + ".source") + ";base64,"
                    + requiredText(source, "data", at + ".source");
            case "url" -> {
                String link = requiredText(source, "url", at + ".source");
                RequestValidator.imageUrl(link, at + ".source.url");
                yield link;
            }
            default -> throw new GatewayException.InvalidField(at + ".source.type", "expected base64 or url, was '"
                    + source.path("type").asText() + "'");
        };
        ObjectNode part = NODES.objectNode().put("type", "image_url");
        part.putObject("image_url").put("url", url);
        return withCacheControl(part, block, at);
    }

    private static ObjectNode toolCall(JsonNode block, String at) {
        JsonNode input = block.get("input");
        if (input == null || !input.isObject()) {
            throw new GatewayException.InvalidField(at + ".input", "expected an object");
        }
        ObjectNode call = NODES.objectNode().put("id", requiredText(block, "id", at)).put("type", "function");
        call.putObject("function").put("name", requiredText(block, "name", at)).put("arguments", input.toString());
        return withCacheControl(call, block, at); // on the tool call, where Anthropic models get it back
    }

    private static ObjectNode toolResult(JsonNode block, String at) {
        ObjectNode m = NODES.objectNode().put("role", "tool")
                .put("tool_call_id", requiredText(block, "tool_use_id", at));
        JsonNode content = block.get("content");
        ArrayNode parts = m.putArray("content");
        if (content == null || content.isNull()) {
            parts.addObject().put("type", "text").put("text", "");
        } else if (content.isTextual()) {
            parts.addObject().put("type", "text").put("text", content.asText());
        } else if (content.isArray()) {
            for (int i = 0; i < content.size(); i++) {
                String pat = at + ".content[" + i + "]";
                JsonNode part = requireBlock(content.get(i), pat);
                if (!"text".equals(part.path("type").asText())) {
                    throw new GatewayException.InvalidField(pat + ".type", "a tool result may hold text blocks "
                            + "only here, was '" + part.path("type").asText() + "'");
                }
                parts.add(text(part, pat));
            }
        } else {
            throw new GatewayException.InvalidField(at + ".content", "expected a string or an array of text blocks");
        }
        if (block.hasNonNull("cache_control") && !parts.isEmpty()) {
            ((ObjectNode) parts.get(parts.size() - 1)).set("cache_control", cacheControl(block, at));
        }
        JsonNode isError = block.get("is_error");
        if (isError != null && !isError.isNull()) {
            if (!isError.isBoolean()) {
                throw new GatewayException.InvalidField(at + ".is_error", "expected true or false");
            }
            if (isError.asBoolean()) {
                m.put("is_error", true); // reaches Anthropic models; other providers read the error from the text
            }
        }
        return m;
    }

    private static void tools(JsonNode tools, ObjectNode out) {
        if (tools == null || tools.isNull()) {
            return;
        }
        if (!tools.isArray()) {
            throw new GatewayException.InvalidField("tools", "expected an array of tools");
        }
        ArrayNode list = out.putArray("tools");
        for (int i = 0; i < tools.size(); i++) {
            String at = "tools[" + i + "]";
            JsonNode t = requireBlock(tools.get(i), at);
            String type = t.path("type").asText("custom");
            if (AnthropicToolTypes.isClientTool(type)) {
                list.add(clientTool(t, at));
                continue;
            }
            if (AnthropicToolTypes.isServerTool(type)) {
                throw new GatewayException.InvalidField(at + ".type", "server tool '" + type + "' runs on "
                        + "Anthropic's own servers and is not supported through the gateway; define a custom tool");
            }
            if (!type.equals("custom")) {
                throw new GatewayException.InvalidField(at + ".type", "unknown tool type '" + type + "' (supported: "
                        + "custom, and Anthropic's client tools bash_*, text_editor_*, computer_* and memory_*)");
            }
            JsonNode schema = t.get("input_schema");
            if (schema == null || !schema.isObject()) {
                throw new GatewayException.InvalidField(at + ".input_schema", "expected a JSON Schema object");
            }
            ObjectNode fn = NODES.objectNode().put("name", requiredText(t, "name", at));
            if (t.hasNonNull("description")) {
                fn.put("description", requiredText(t, "description", at));
            }
            fn.set("parameters", schema);
            JsonNode strict = t.get("strict");
            if (strict != null && !strict.isNull() && !strict.isBoolean()) {
                throw new GatewayException.InvalidField(at + ".strict", "expected true or false");
            }
            if (strict != null && strict.asBoolean()) {
                fn.put("strict", true);
            }
            ObjectNode tool = list.addObject().put("type", "function");
            tool.set("function", fn);
            withCacheControl(tool, t, at);
        }
    }

    /**
     * One of Anthropic's client tools (bash, text editor, computer use, memory), which the caller runs: it travels as
     * Anthropic defines it, reaches Anthropic models so, and is refused by other providers, which do not know it.
     */
    private static ObjectNode clientTool(JsonNode tool, String at) {
        requiredText(tool, "name", at);
        ObjectNode copy = tool.deepCopy();
        copy.remove("cache_control");
        return withCacheControl(copy, tool, at);
    }

    private static void toolChoice(JsonNode choice, ObjectNode out) {
        if (choice == null || choice.isNull()) {
            return;
        }
        String type = choice.path("type").asText("");
        switch (type) {
            case "auto" -> out.put("tool_choice", "auto");
            case "any" -> out.put("tool_choice", "required");
            case "none" -> out.put("tool_choice", "none");
            case "tool" -> out.putObject("tool_choice").put("type", "function").putObject("function")
                    .put("name", requiredText(choice, "name", "tool_choice"));
            default -> throw new GatewayException.InvalidField("tool_choice.type", "expected auto, any, tool or "
                    + "none, was '" + choice.path("type").asText() + "'");
        }
        if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
            out.put("parallel_tool_calls", false);
        }
    }

    private static ObjectNode withCacheControl(ObjectNode part, JsonNode block, String at) {
        if (block.hasNonNull("cache_control")) {
            part.set("cache_control", cacheControl(block, at));
        }
        return part;
    }

    /** @return the block's {@code cache_control}, checked here so that an error names its path in this request */
    private static JsonNode cacheControl(JsonNode block, String at) {
        JsonNode c = block.get("cache_control");
        String cat = at + ".cache_control";
        if (!c.isObject() || !"ephemeral".equals(c.path("type").asText())) {
            throw new GatewayException.InvalidField(cat, "expected {\"type\": \"ephemeral\"}, optionally with "
                    + "\"ttl\": \"5m\" or \"1h\"");
        }
        JsonNode ttl = c.get("ttl");
        if (ttl != null && !ttl.isNull() && !CacheControl.Ttl.fromWire(ttl.asText()).isPresent()) {
            throw new GatewayException.InvalidField(cat + ".ttl", "expected 5m or 1h, was " + ttl);
        }
        return c;
    }

    private static void copyRange(JsonNode root, String field, double min, double max, ObjectNode out) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            throw new GatewayException.InvalidField(field, "expected a number from " + (int) min + " to " + (int) max
                    + ", was " + v);
        }
        out.set(field, v);
    }

    private static void requireRole(String role, String expected, String at) {
        if (!role.equals(expected)) {
            throw new GatewayException.InvalidField(at + ".type", "this block belongs in a message of role '"
                    + expected + "', not '" + role + "'");
        }
    }

    private static JsonNode requireBlock(JsonNode block, String at) {
        if (block == null || !block.isObject()) {
            throw new GatewayException.InvalidField(at, "expected an object with a type");
        }
        return block;
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode n : array) {
            if (!n.isTextual()) {
                return false;
            }
        }
        return true;
    }
}
