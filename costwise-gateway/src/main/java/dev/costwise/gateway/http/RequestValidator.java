package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.config.ShownValue;
import dev.costwise.gateway.config.TagRules;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireFormatException;
import java.util.List;
import java.util.Set;

/**
 * Checks a chat-completion body field by field before anything else runs, and names the first bad field with its
 * value: {@code messages[1].role: unknown role 'bot' (known: system, developer, user, assistant, tool)}.
 * Unknown fields pass through to the provider untouched. Stateless.
 */
public final class RequestValidator {
    /** An embedding's size, for the models that can shorten theirs. */
    private static final IntegerField DIMENSIONS = IntegerField.positive("dimensions");
    /** How an embeddings answer writes its vectors: OpenAI's two formats. */
    private static final Set<String> ENCODING_FORMATS = Set.of("float", "base64");

    private static final int MAX_USER_CHARS = 256;
    private static final OpenAiWire WIRE = new OpenAiWire();
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
    /** The chat body's integer fields: budgets reserve by the output limits and n, so none may be read wrongly. */
    private static final List<IntegerField> INTEGER_FIELDS = List.of(IntegerField.MAX_TOKENS,
            IntegerField.MAX_COMPLETION_TOKENS, IntegerField.TOP_K, IntegerField.N, IntegerField.TOP_LOGPROBS);

    private RequestValidator() {}

    /**
     * @param root the parsed body
     * @return the body as an object
     * @throws GatewayException.InvalidField naming the first bad field
     */
    public static ObjectNode chat(JsonNode root) {
        ObjectNode body = object(root);
        requireModel(body);
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw new GatewayException.InvalidField("messages", "is required");
        }
        if (!messages.isArray()) {
            throw new GatewayException.InvalidField("messages", "expected an array of messages, was "
                    + messages.getNodeType().name().toLowerCase());
        }
        if (messages.isEmpty()) {
            throw new GatewayException.InvalidField("messages", "must contain at least one message");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String p = "messages[" + i + "]";
            if (!m.isObject()) {
                throw new GatewayException.InvalidField(p, "expected an object with role and content");
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw new GatewayException.InvalidField(p + ".role", "is required (system, developer, user, "
                        + "assistant or tool)");
            }
            if (!ROLES.contains(role.asText())) {
                throw new GatewayException.InvalidField(p + ".role", "unknown role '" + ShownValue.clip(role.asText())
                        + "' (known: system, developer, user, assistant, tool)");
            }
            JsonNode content = m.get("content");
            boolean mayOmit = role.asText().equals("assistant") && (m.has("tool_calls") || m.has("thinking_blocks"));
            if ((content == null || content.isNull()) && !mayOmit) {
                throw new GatewayException.InvalidField(p + ".content", "is required");
            }
            if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
                throw new GatewayException.InvalidField(p + ".content", "expected a string or an array of parts");
            }
            if (m.has("thinking_blocks")) {
                reasoningBlocks(m, p, role.asText());
            }
            imageUrls(content, p + ".content");
            JsonNode isError = m.get("is_error");
            if (isError != null && !isError.isNull() && (!isError.isBoolean() || !role.asText().equals("tool"))) {
                throw new GatewayException.InvalidField(p + ".is_error", "only a tool message reports a tool error, "
                        + "as true or false");
            }
        }
        bool(body, "stream");
        number(body, "temperature", 0, 2);
        number(body, "top_p", 0, 1);
        number(body, "presence_penalty", -2, 2);
        number(body, "frequency_penalty", -2, 2);
        for (IntegerField field : INTEGER_FIELDS) {
            field.readFrom(body);
        }
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull() && !options.isObject()) {
            throw new GatewayException.InvalidField("stream_options", "expected an object such as "
                    + "{\"include_usage\": true}");
        }
        JsonNode tools = body.get("tools");
        if (tools != null && !tools.isNull() && !tools.isArray()) {
            throw new GatewayException.InvalidField("tools", "expected an array of tools");
        }
        endUser(body);
        outputEffort(body); // before reasoning: on /v1/messages, an adaptive thinking's effort is read from it
        reasoning(body);
        serviceTier(body);
        inferenceGeo(body);
        return body;
    }

    /** Anthropic's {@code inference_geo}: where its models run, which sets the price (US-only is 1.1×). */
    private static void inferenceGeo(ObjectNode body) {
        JsonNode geo = body.get(OpenAiWire.INFERENCE_GEO);
        if (geo != null && !geo.isNull() && (!geo.isTextual() || geo.asText().isBlank())) {
            throw new GatewayException.InvalidField(OpenAiWire.INFERENCE_GEO, "expected a geography such as \"us\" "
                    + "or \"global\"");
        }
    }

    /** {@code service_tier}: its value sets the price a budget reserves at, so a bad one is refused here. */
    private static void serviceTier(ObjectNode body) {
        if (!body.has("service_tier")) {
            return;
        }
        try {
            WIRE.readServiceTier(body);
        } catch (WireFormatException e) {
            throw new GatewayException.InvalidField(e.field(), e.problem());
        }
    }

    /** Anthropic's {@code output_config.effort}: a bad one would be dropped or refused by a provider less clearly. */
    private static void outputEffort(ObjectNode body) {
        if (!body.has(OpenAiWire.OUTPUT_CONFIG)) {
            return;
        }
        try {
            WIRE.readOutputEffort(body);
        } catch (WireFormatException e) {
            throw new GatewayException.InvalidField(e.field(), e.problem());
        }
    }

    /** {@code reasoning_effort} or OpenRouter's {@code reasoning}: a provider would refuse a bad one less clearly. */
    private static void reasoning(ObjectNode body) {
        if (!body.has("reasoning_effort") && !body.has("reasoning")) {
            return;
        }
        try {
            WIRE.readReasoning(body);
        } catch (WireFormatException e) {
            throw new GatewayException.InvalidField(e.field(), e.problem());
        }
    }

    /** An image part's URL: every provider takes a link or inline data only, and would refuse another less clearly. */
    private static void imageUrls(JsonNode content, String at) {
        for (int i = 0; content != null && content.isArray() && i < content.size(); i++) {
            JsonNode part = content.get(i);
            if (!"image_url".equals(part.path("type").asText())) {
                continue;
            }
            JsonNode image = part.get("image_url");
            String pat = at + "[" + i + "].image_url";
            if (image != null && image.isObject()) {
                image = image.get("url");
                pat += ".url";
            }
            imageUrl(image == null || !image.isTextual() ? "" : image.asText(), pat);
        }
    }

    /**
     * @param url an image's URL
     * @param at its path in the caller's request, for the error
     * @throws GatewayException.InvalidField unless it is an http(s) link or a base64 {@code data:} URI, the forms
     *     every provider takes
     */
    static void imageUrl(String url, String at) {
        boolean link = url.startsWith("https://") || url.startsWith("http://");
        boolean data = url.startsWith("data:") && url.contains(";base64,");
        if (!link && !data) {
            throw new GatewayException.InvalidField(at, "expected an http(s) URL or a data:<media type>;base64,... "
                    + "URI, was '" + ShownValue.clip(url) + "'");
        }
    }

    private static void reasoningBlocks(JsonNode message, String at, String role) {
        if (!role.equals("assistant")) {
            throw new GatewayException.InvalidField(at + ".thinking_blocks", "only an assistant message holds "
                    + "reasoning, this one has role '" + role + "'");
        }
        try {
            WIRE.readReasoningBlocks(message, at);
        } catch (WireFormatException e) {
            throw new GatewayException.InvalidField(e.field(), e.problem());
        }
    }

    /**
     * {@code user} names the end user: ledger rows and user budgets count by it, so it must be a plain string (a
     * control character in it would also garble the budget's bookkeeping). An empty one names no one; none is called
     * {@link TagRules#NO_VALUE}, which spend reports call the requests without a user.
     */
    private static void endUser(ObjectNode body) {
        JsonNode user = body.get("user");
        if (user != null && !user.isNull()) {
            checkEndUser(user, "user");
        }
    }

    /**
     * Checks an end user's name as {@code user} is checked, naming the field the caller sent it in (Anthropic's
     * {@code metadata.user_id} becomes {@code user}).
     *
     * @param user the value sent, not null
     * @param field the field's path in the caller's body
     * @throws GatewayException.InvalidField if it cannot name an end user
     */
    static void checkEndUser(JsonNode user, String field) {
        if (!user.isTextual() || user.asText().length() > MAX_USER_CHARS
                || user.asText().chars().anyMatch(Character::isISOControl)) {
            throw new GatewayException.InvalidField(field, "expected a string of at most " + MAX_USER_CHARS
                    + " printable characters naming the end user, was " + ShownValue.of(user));
        }
        if (user.asText().equals(TagRules.NO_VALUE)) {
            throw new GatewayException.InvalidField(field, TagRules.reservedProblem("the end user"));
        }
    }

    /**
     * @param root the parsed body of an embeddings request
     * @return the body as an object
     * @throws GatewayException.InvalidField naming the first bad field
     */
    public static ObjectNode embeddings(JsonNode root) {
        ObjectNode body = object(root);
        requireModel(body);
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw new GatewayException.InvalidField("input", "is required");
        }
        if (!input.isTextual() && !input.isArray()) {
            throw new GatewayException.InvalidField("input", "expected a string or an array");
        }
        EmbeddingInputRules.check(input);
        // checked here, not by an adapter: a bad value is the same 400 whatever provider serves the model
        DIMENSIONS.readFrom(body);
        JsonNode format = body.get("encoding_format");
        if (format != null && !format.isNull() && !ENCODING_FORMATS.contains(format.asText(""))) {
            throw new GatewayException.InvalidField("encoding_format", "expected 'float' or 'base64', was "
                    + ShownValue.of(format));
        }
        endUser(body);
        return body;
    }

    /**
     * A non-empty string field of a translated request's part (Anthropic's or the Responses API's).
     *
     * @param at the part's path, for the error
     * @return the string
     * @throws GatewayException.InvalidField naming {@code at.field} when it is missing, empty or not a string
     */
    static String requiredText(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new GatewayException.InvalidField(at + "." + field, "is required (a string)");
        }
        return v.asText();
    }

    private static ObjectNode object(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new GatewayException.InvalidField("(body)", "expected a JSON object");
        }
        return (ObjectNode) root;
    }

    private static void requireModel(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw new GatewayException.InvalidField("model", "is required");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw new GatewayException.InvalidField("model", "expected a model name, was " + ShownValue.of(model));
        }
    }

    private static void bool(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v != null && !v.isNull() && !v.isBoolean()) {
            throw new GatewayException.InvalidField(field, "expected true or false, was " + ShownValue.of(v));
        }
    }

    private static void number(ObjectNode body, String field, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            throw new GatewayException.InvalidField(field, "expected a number in [" + fmt(min) + ", " + fmt(max)
                    + "], was " + ShownValue.of(v));
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
