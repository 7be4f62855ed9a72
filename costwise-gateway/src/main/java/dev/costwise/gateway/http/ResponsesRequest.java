package dev.costwise.gateway.http;

import static dev.costwise.gateway.http.RequestValidator.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.wire.BlockOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Translates a request to OpenAI's Responses API (https://platform.openai.com/docs/api-reference/responses/create)
 * into the chat body every pipeline runs on, checking each field and naming the first bad one by its path in the
 * Responses request ({@code input[3].call_id: ...}).
 *
 * <p>What maps: {@code instructions} becomes the first (system) message; {@code input} as text or as items (messages
 * with {@code input_text}, {@code input_image} and {@code output_text} parts, {@code function_call} and
 * {@code function_call_output} items, an output as a string or as {@code input_text} parts) becomes chat messages,
 * consecutive function calls one assistant turn; {@code tools} of type {@code function}, {@code tool_choice},
 * {@code parallel_tool_calls}, {@code max_output_tokens}, {@code temperature}, {@code top_p}, {@code user},
 * {@code reasoning.effort} and {@code text.format} map to their chat fields; a stream asks for the final usage chunk.
 *
 * <p>A request that continues a stored response ({@code previous_response_id}) reaches here with that conversation's
 * items already before its own input ({@link ResponsesEndpoint} and {@link StoredResponses} keep them). Refused,
 * naming the field: {@code conversation} objects, {@code background} runs, stored {@code prompt} templates, built-in
 * tools (web search, file search, code interpreter...), client tools whose calls are not function calls
 * ({@code custom}'s free-form input, {@code local_shell}, {@code apply_patch}...), unknown tool types and items with
 * no chat form. Earlier {@code reasoning} items that hold an Anthropic model's signed thinking ({@link ReasoningItems})
 * go back in their assistant turn, in order with its text and function calls, as Anthropic needs them with a tool's
 * result; other reasoning items are left out: they replay only to the model that wrote them. Stateless.
 */
final class ResponsesRequest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Fields that need state or servers the gateway does not have: refused rather than dropped. */
    private static final Set<String> REFUSED = Set.of("conversation", "prompt");
    private static final Set<String> ROLES = Set.of("user", "system", "developer", "assistant");
    /** OpenAI's built-in tools that run on its servers. */
    private static final Set<String> HOSTED_TOOLS = Set.of("web_search", "file_search", "code_interpreter",
            "image_generation", "mcp");
    /** OpenAI's tool types that the client runs but whose calls are not function calls. */
    private static final Set<String> CLIENT_TOOLS = Set.of("custom", "local_shell", "shell", "apply_patch",
            "computer_use_preview", "computer");

    /**
     * The chat fields this translation fills from a Responses field of another name: a refusal that names one (an
     * adapter's, such as a {@code max_tokens} too small for Claude's thinking) names the caller's field instead.
     */
    private static final Map<String, String> CALLERS_NAMES = Map.of("max_tokens", "max_output_tokens",
            "reasoning_effort", "reasoning.effort");

    private ResponsesRequest() {}

    /**
     * @param error an error about the chat body this class wrote
     * @return the same error naming the Responses request's own fields ({@code max_output_tokens}, not the chat
     *     body's {@code max_tokens}), in its {@code param} and its message
     */
    static ApiError inCallersNames(ApiError error) {
        String message = error.message();
        Optional<String> param = error.param();
        for (Map.Entry<String, String> name : CALLERS_NAMES.entrySet()) {
            message = message.replaceAll("(?<![\\w.])" + name.getKey() + "(?!\\w)", name.getValue());
            param = param.map(p -> p.equals(name.getKey()) ? name.getValue() : p);
        }
        return new ApiError(error.status(), error.type(), error.code(), param, message, error.retryAfter(),
                error.extra(), error.clearsSoon(), error.billed());
    }

    /**
     * @param root the parsed Responses request
     * @return the same request as a chat body
     * @throws GatewayException.InvalidField naming the first bad field
     */
    static ObjectNode toChat(JsonNode root) {
        if (!root.isObject()) {
            throw new GatewayException.InvalidField("body", "expected a JSON object with model and input");
        }
        for (String field : REFUSED) {
            if (root.hasNonNull(field)) {
                throw new GatewayException.InvalidField(field, "is not supported: the gateway stores no "
                        + "conversations or prompts; continue a response with previous_response_id, or send the whole "
                        + "conversation in input");
            }
        }
        if (root.path("background").asBoolean(false)) {
            throw new GatewayException.InvalidField("background", "background responses are not supported");
        }
        ObjectNode out = NODES.objectNode();
        out.set("model", root.get("model"));
        ArrayNode messages = out.putArray("messages");
        JsonNode instructions = root.get("instructions");
        if (instructions != null && !instructions.isNull()) {
            if (!instructions.isTextual()) {
                throw new GatewayException.InvalidField("instructions", "expected a string");
            }
            messages.addObject().put("role", "system").put("content", instructions.asText());
        }
        input(root.get("input"), messages);
        IntegerField.MAX_OUTPUT_TOKENS.readFrom(root).ifPresent(max -> out.put("max_tokens", max));
        copy(root, "temperature", "temperature", out);
        copy(root, "top_p", "top_p", out);
        copy(root, "parallel_tool_calls", "parallel_tool_calls", out);
        copy(root, "user", "user", out);
        copy(root, "service_tier", "service_tier", out); // checked, and billed, as the chat request's
        JsonNode effort = root.path("reasoning").get("effort");
        if (effort != null && !effort.isNull()) {
            if (!effort.isTextual() || ReasoningEffort.fromWireName(effort.asText()).isEmpty()) {
                throw new GatewayException.InvalidField("reasoning.effort", "expected one of "
                        + ReasoningEffort.wireNames() + ", was " + effort);
            }
            out.set("reasoning_effort", effort);
        }
        textFormat(root.path("text").get("format"), out);
        tools(root.get("tools"), out);
        toolChoice(root.get("tool_choice"), out);
        JsonNode stream = root.get("stream");
        if (stream != null && !stream.isNull()) {
            if (!stream.isBoolean()) {
                throw new GatewayException.InvalidField("stream", "expected true or false");
            }
            out.set("stream", stream);
            if (stream.asBoolean()) {
                out.putObject("stream_options").put("include_usage", true); // response.completed carries it
            }
        }
        return out;
    }

    /**
     * @param root a Responses request
     * @return its {@code input} as items: a string is one user message
     * @throws GatewayException.InvalidField if there is no input
     */
    static ArrayNode inputItems(JsonNode root) {
        JsonNode input = root.get("input");
        if (input != null && input.isTextual()) {
            ArrayNode items = NODES.arrayNode();
            items.addObject().put("type", "message").put("role", "user").put("content", input.asText());
            return items;
        }
        if (input == null || input.isNull()) {
            throw new GatewayException.InvalidField("input", "is required (a string or an array of items)");
        }
        if (!input.isArray()) {
            throw new GatewayException.InvalidField("input", "expected a string or a non-empty array of items");
        }
        return input.deepCopy();
    }

    private static void input(JsonNode input, ArrayNode messages) {
        if (input == null || input.isNull()) {
            throw new GatewayException.InvalidField("input", "is required (a string or an array of items)");
        }
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
            return;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw new GatewayException.InvalidField("input", "expected a string or a non-empty array of items");
        }
        AssistantTurn callsTurn = null; // the assistant turn the function calls (and reasoning) in a row go to
        Set<String> called = new HashSet<>();
        for (int i = 0; i < input.size(); i++) {
            String at = "input[" + i + "]";
            JsonNode item = input.get(i);
            if (!item.isObject()) {
                throw new GatewayException.InvalidField(at, "expected an object (a message or an item with a type)");
            }
            String type = item.path("type").asText(item.has("role") ? "message" : "");
            switch (type) {
                case "message" -> {
                    ObjectNode m = message(item, at);
                    boolean assistant = m.path("role").asText().equals("assistant");
                    if (assistant && callsTurn != null && callsTurn.reasons()) {
                        callsTurn.text(m); // the text between an answer's thinking blocks: the same turn
                    } else {
                        messages.add(m);
                        callsTurn = assistant ? new AssistantTurn(m) : null;
                    }
                }
                case "function_call" -> {
                    if (callsTurn == null) {
                        callsTurn = AssistantTurn.open(messages);
                    }
                    ObjectNode call = NODES.objectNode().put("id", requiredText(item, "call_id", at))
                            .put("type", "function");
                    called.add(call.path("id").asText());
                    call.putObject("function").put("name", requiredText(item, "name", at))
                            .put("arguments", item.path("arguments").asText(""));
                    callsTurn.call(call);
                }
                case "function_call_output" -> {
                    if (!called.contains(requiredText(item, "call_id", at))) {
                        // as the Responses API refuses it; a provider that looks the call up would, less clearly
                        throw new GatewayException.InvalidField(at + ".call_id", "function_call_output for '"
                                + item.get("call_id").asText() + "' answers no earlier function_call");
                    }
                    messages.addObject().put("role", "tool").put("tool_call_id", requiredText(item, "call_id", at))
                            .set("content", callOutput(item.get("output"), at + ".output"));
                    callsTurn = null;
                }
                case "reasoning" -> {
                    // an Anthropic model's signed thinking goes back to it in its turn; other reasoning replays only
                    // to the model that wrote it: left out
                    Optional<ObjectNode> block = ReasoningItems.block(item, at);
                    if (block.isPresent()) {
                        if (callsTurn == null) {
                            callsTurn = AssistantTurn.open(messages);
                        }
                        callsTurn.reasoning(block.get());
                    }
                }
                default -> throw new GatewayException.InvalidField(at + ".type", "unsupported item type '" + type
                        + "' (supported: message, function_call, function_call_output, reasoning)");
            }
        }
    }

    /**
     * The assistant turn that an answer's items build in a row: its messages' text, its function calls and its signed
     * reasoning blocks, in their order ({@link BlockOrder}, which an Anthropic model gets back as it wrote it).
     */
    private static final class AssistantTurn {
        private final ObjectNode message;
        private final List<BlockOrder.Block> order = new ArrayList<>();

        AssistantTurn(ObjectNode message) {
            this.message = message;
            for (JsonNode part : parts(message.get("content"))) {
                order.add(new BlockOrder.Block(BlockOrder.Kind.CONTENT, part, ""));
            }
        }

        /** @return a new turn with no content yet, added to {@code messages} */
        static AssistantTurn open(ArrayNode messages) {
            ObjectNode m = messages.addObject().put("role", "assistant");
            m.putNull("content");
            return new AssistantTurn(m);
        }

        /** @return whether the turn holds reasoning blocks: an answer's items, whose text stays in the turn */
        boolean reasons() {
            return message.has("thinking_blocks");
        }

        void reasoning(ObjectNode block) {
            array("thinking_blocks").add(block);
            add(BlockOrder.Kind.REASONING, block);
        }

        void call(ObjectNode call) {
            array("tool_calls").add(call);
            add(BlockOrder.Kind.TOOL_CALL, call);
        }

        /** Adds an assistant message's parts to the turn's content. */
        void text(ObjectNode m) {
            ArrayNode content = NODES.arrayNode().addAll(parts(message.get("content")));
            message.set("content", content);
            for (JsonNode part : parts(m.get("content"))) {
                content.add(part);
                add(BlockOrder.Kind.CONTENT, part);
            }
        }

        private void add(BlockOrder.Kind kind, JsonNode node) {
            order.add(new BlockOrder.Block(kind, node, ""));
            BlockOrder.write(message, order, false);
        }

        private ArrayNode array(String field) {
            return message.has(field) ? (ArrayNode) message.get(field) : message.putArray(field);
        }

        /** @return a chat message's content as parts: a string is one text part */
        private static ArrayNode parts(JsonNode content) {
            if (content != null && content.isTextual()) {
                return NODES.arrayNode().add(NODES.objectNode().put("type", "text").put("text", content.asText()));
            }
            return content != null && content.isArray() ? (ArrayNode) content : NODES.arrayNode();
        }
    }

    /**
     * A function call's output: a string, or a list of text parts (the Responses API's {@code input_text}), which
     * stay parts of the tool message, so each provider gets them apart as it takes them.
     */
    private static JsonNode callOutput(JsonNode output, String at) {
        if (output != null && output.isTextual()) {
            return output;
        }
        if (output == null || !output.isArray()) {
            throw new GatewayException.InvalidField(at, "expected a string or an array of input_text parts");
        }
        ArrayNode parts = NODES.arrayNode();
        for (int i = 0; i < output.size(); i++) {
            String pat = at + "[" + i + "]";
            JsonNode part = output.get(i);
            String type = part.path("type").asText("");
            if (!type.equals("input_text") && !type.equals("output_text")) {
                throw new GatewayException.InvalidField(pat + ".type", "a function call's output may hold text "
                        + "parts only here (input_text), was '" + type + "'");
            }
            JsonNode text = part.get("text");
            if (text == null || !text.isTextual()) {
                throw new GatewayException.InvalidField(pat + ".text", "is required (a string)");
            }
            parts.addObject().put("type", "text").put("text", text.asText());
        }
        return parts;
    }

    private static ObjectNode message(JsonNode item, String at) {
        String role = item.path("role").asText("");
        if (!ROLES.contains(role)) {
            throw new GatewayException.InvalidField(at + ".role", "expected user, system, developer or assistant, "
                    + "was '" + item.path("role").asText() + "'");
        }
        ObjectNode m = NODES.objectNode().put("role", role);
        JsonNode content = item.get("content");
        if (content != null && content.isTextual()) {
            return m.put("content", content.asText());
        }
        if (content == null || !content.isArray()) {
            throw new GatewayException.InvalidField(at + ".content", "expected a string or an array of parts");
        }
        ArrayNode parts = m.putArray("content");
        for (int i = 0; i < content.size(); i++) {
            String pat = at + ".content[" + i + "]";
            JsonNode part = content.get(i);
            String type = part.path("type").asText("");
            switch (type) {
                case "input_text", "output_text" -> {
                    JsonNode text = part.get("text");
                    if (text == null || !text.isTextual()) {
                        throw new GatewayException.InvalidField(pat + ".text", "is required (a string)");
                    }
                    parts.addObject().put("type", "text").put("text", text.asText());
                }
                case "input_image" -> {
                    String url = requiredText(part, "image_url", pat);
                    RequestValidator.imageUrl(url, pat + ".image_url");
                    ObjectNode image = parts.addObject().put("type", "image_url").putObject("image_url")
                            .put("url", url);
                    if (part.hasNonNull("detail")) {
                        image.put("detail", part.get("detail").asText());
                    }
                }
                case "refusal" -> parts.addObject().put("type", "text")
                        .put("text", part.path("refusal").asText(""));
                default -> throw new GatewayException.InvalidField(pat + ".type", "unsupported content type '" + type
                        + "' (supported: input_text, input_image, output_text)");
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
        if (tools.isEmpty()) {
            return;
        }
        ArrayNode list = out.putArray("tools");
        for (int i = 0; i < tools.size(); i++) {
            String at = "tools[" + i + "]";
            JsonNode t = tools.get(i);
            String type = t.path("type").asText("");
            if (!type.equals("function")) {
                throw new GatewayException.InvalidField(at + ".type", refusal(type));
            }
            ObjectNode fn = list.addObject().put("type", "function").putObject("function")
                    .put("name", requiredText(t, "name", at));
            if (t.hasNonNull("description")) {
                fn.set("description", t.get("description"));
            }
            if (t.hasNonNull("parameters")) {
                fn.set("parameters", t.get("parameters"));
            }
            if (t.hasNonNull("strict")) {
                fn.set("strict", t.get("strict"));
            }
        }
    }

    /** @return why a tool of this type is refused, truthfully: where it runs, or that the type is unknown */
    private static String refusal(String type) {
        if (HOSTED_TOOLS.contains(type) || type.startsWith("web_search_preview")) {
            return "built-in tool '" + type + "' runs on OpenAI's own servers and is not supported through the "
                    + "gateway; define a function tool";
        }
        if (CLIENT_TOOLS.contains(type)) {
            return "tool type '" + type + "' is a tool your client runs, but its calls (free-form input, or OpenAI's "
                    + "own call items) have no chat form the gateway can carry to every provider; define a function "
                    + "tool with a JSON Schema";
        }
        return "unknown tool type '" + type + "' (supported: function)";
    }

    private static void toolChoice(JsonNode choice, ObjectNode out) {
        if (choice == null || choice.isNull()) {
            return;
        }
        if (choice.isTextual()) {
            out.set("tool_choice", choice); // auto, none, required: the same words in both APIs
            return;
        }
        if (!"function".equals(choice.path("type").asText())) {
            throw new GatewayException.InvalidField("tool_choice", "expected auto, none, required or "
                    + "{\"type\": \"function\", \"name\": ...}");
        }
        out.putObject("tool_choice").put("type", "function").putObject("function")
                .put("name", requiredText(choice, "name", "tool_choice"));
    }

    private static void textFormat(JsonNode format, ObjectNode out) {
        if (format == null || format.isNull()) {
            return;
        }
        switch (format.path("type").asText("")) {
            case "text" -> { }
            case "json_object" -> out.putObject("response_format").put("type", "json_object");
            case "json_schema" -> {
                ObjectNode schema = out.putObject("response_format").put("type", "json_schema")
                        .putObject("json_schema").put("name", requiredText(format, "name", "text.format"));
                if (!format.path("schema").isObject()) {
                    throw new GatewayException.InvalidField("text.format.schema", "expected a JSON Schema object");
                }
                schema.set("schema", format.get("schema"));
                if (format.hasNonNull("strict")) {
                    schema.set("strict", format.get("strict"));
                }
            }
            default -> throw new GatewayException.InvalidField("text.format.type", "expected text, json_object or "
                    + "json_schema, was '" + format.path("type").asText() + "'");
        }
    }

    private static void copy(JsonNode root, String from, String to, ObjectNode out) {
        JsonNode v = root.get(from);
        if (v != null && !v.isNull()) {
            out.set(to, v); // checked as the chat field
        }
    }
}
