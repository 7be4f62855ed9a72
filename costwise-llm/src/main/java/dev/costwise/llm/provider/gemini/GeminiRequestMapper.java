package dev.costwise.llm.provider.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.provider.http.FunctionTools;
import dev.costwise.llm.provider.http.SystemPrompts;
import dev.costwise.llm.provider.http.ThoughtSignatureIds;
import dev.costwise.llm.provider.http.ToolArguments;
import dev.costwise.llm.provider.http.ToolResults;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Translates a canonical {@link ChatRequest} into the body of Gemini's {@code generateContent}
 * (https://ai.google.dev/api/generate-content).
 *
 * <ul>
 *   <li>System messages, and the text parts of each, are joined (blank line between) into {@code systemInstruction}
 *       ({@link SystemPrompts}).
 *   <li>User messages become {@code user} contents with {@code text} and {@code inlineData} parts (a {@code data:}
 *       URI) or {@code fileData} parts (any other URL, media type guessed from its extension).
 *   <li>Assistant messages become {@code model} contents; their tool calls {@code functionCall} parts, with the
 *       {@code thoughtSignature} that {@link GeminiResponseMapper} stored in the call's id given back.
 *   <li>Tool results become {@code functionResponse} parts in a {@code user} content. Gemini identifies a result by
 *       the function's name, so the name is looked up from the assistant call with the same id; the result text (its
 *       parts a line apart, {@link ToolResults}) is sent as {@code response} when it is a JSON object, else wrapped
 *       as {@code {"result": text}}.
 *   <li>Consecutive contents of the same role are merged (parallel tool results travel in one content).
 *   <li>Schemas go in the fields that take JSON Schema ({@code parametersJsonSchema}, {@code responseJsonSchema}),
 *       not in the OpenAPI-subset {@code Schema} ones ({@code parameters}, {@code responseSchema}), which refuse
 *       what Pydantic, Zod and MCP servers write: {@code $defs}/{@code $ref}, {@code "type": ["string", "null"]},
 *       {@code additionalProperties}. They lose only {@code $schema}, {@code $comment} and {@code strict} (a note to
 *       readers, and OpenAI's flag), where those are keywords, not where they name a property
 *       ({@link GeminiSchemas}). A function with no parameters is sent without {@code parametersJsonSchema}.
 *   <li>{@code tool_choice}: auto → {@code AUTO}, required → {@code ANY}, none → {@code NONE}, one function →
 *       {@code ANY} with {@code allowedFunctionNames}. {@code parallel_tool_calls} is not sent: Gemini's
 *       {@code toolConfig} has no setting that limits an answer to one function call.
 *   <li>JSON mode is native: {@code responseMimeType: application/json}, plus {@code responseJsonSchema} for a
 *       schema.
 *   <li>Sampling fields go to {@code generationConfig}: {@code temperature}, {@code topP}, {@code topK},
 *       {@code maxOutputTokens}, {@code stopSequences}, {@code seed}, and the penalties as {@code presencePenalty}
 *       and {@code frequencyPenalty}.
 *   <li>A reasoning setting becomes {@code thinkingConfig}: {@code thinkingLevel} for Gemini 3 and later (which
 *       cannot turn thinking off, so no reasoning is their lowest level), {@code thinkingBudget} within the model's
 *       range for the others; {@link GeminiThinking} has the tables. No setting, no {@code thinkingConfig}.
 * </ul>
 */
final class GeminiRequestMapper {

    /**
     * Keywords that mean nothing to Gemini's JSON Schema fields (https://ai.google.dev/api/generate-content lists what
     * {@code responseJsonSchema} reads; {@code $id}, {@code $defs}, {@code $ref} and {@code additionalProperties} are
     * among them, so they stay).
     */
    private static final Set<String> UNSUPPORTED_SCHEMA_KEYS = Set.of("$schema", "$comment", "strict");

    private final ObjectMapper json;

    GeminiRequestMapper(ObjectMapper json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    /**
     * Builds the request body (the model goes in the URL, not the body).
     *
     * @param request the canonical request
     * @param model the Gemini model id the body is for (its thinking controls differ by model)
     * @return the JSON body
     * @throws IllegalArgumentException if a tool result answers no known call, tool-call arguments are not a JSON
     *     object, an image URL is unusable, the seed does not fit Gemini's 32-bit seed, or the model cannot honour
     *     the reasoning setting (no reasoning on Gemini 2.5 Pro, any reasoning on a model that does not think)
     */
    ObjectNode toBody(ChatRequest request, String model) {
        ObjectNode body = json.createObjectNode();
        List<String> system = SystemPrompts.texts(request.messages());
        if (!system.isEmpty()) {
            body.putObject("systemInstruction").putArray("parts").addObject()
                    .put("text", String.join(SystemPrompts.SEPARATOR, system));
        }
        body.set("contents", contents(request.messages()));
        FunctionTools.require(request.tools());
        if (!request.tools().isEmpty()) {
            ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
            for (Tool tool : request.tools()) {
                ObjectNode d = declarations.addObject();
                d.put("name", tool.name());
                tool.description().ifPresent(text -> d.put("description", text));
                if (hasParameters(tool.parameters())) {
                    d.set("parametersJsonSchema", sanitizeSchema(tool.parameters()));
                }
            }
        }
        request.toolChoice().ifPresent(choice -> body.putObject("toolConfig").set("functionCallingConfig",
                functionCallingConfig(choice)));
        ObjectNode config = json.createObjectNode();
        request.temperature().ifPresent(t -> config.put("temperature", t));
        request.topP().ifPresent(p -> config.put("topP", p));
        request.topK().ifPresent(k -> config.put("topK", k));
        request.maxTokens().ifPresent(m -> config.put("maxOutputTokens", m));
        request.presencePenalty().ifPresent(p -> config.put("presencePenalty", p));
        request.frequencyPenalty().ifPresent(p -> config.put("frequencyPenalty", p));
        if (!request.stop().isEmpty()) {
            ArrayNode stop = config.putArray("stopSequences");
            request.stop().forEach(stop::add);
        }
        request.seed().ifPresent(seed -> {
            if (seed < Integer.MIN_VALUE || seed > Integer.MAX_VALUE) {
                throw new UnsupportedRequestException("seed", "seed must fit in 32 bits for Gemini, was " + seed);
            }
            config.put("seed", seed.intValue());
        });
        request.reasoning().flatMap(reasoning -> GeminiThinking.config(json, model, reasoning))
                .ifPresent(thinking -> config.set("thinkingConfig", thinking));
        switch (request.responseFormat()) {
            case ResponseFormat.Text text -> { }
            case ResponseFormat.JsonObject object -> config.put("responseMimeType", "application/json");
            case ResponseFormat.JsonSchema schema -> {
                config.put("responseMimeType", "application/json");
                config.set("responseJsonSchema", sanitizeSchema(schema.schema()));
            }
        }
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
        GeminiServiceTiers.ask(body, request.serviceTier());
        return body;
    }

    private ArrayNode contents(List<Message> messages) {
        ArrayNode out = json.createArrayNode();
        String lastRole = null;
        ArrayNode lastParts = null;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m.role() == Role.SYSTEM) {
                continue;
            }
            String role = m.role() == Role.ASSISTANT ? "model" : "user";
            List<ObjectNode> parts = parts(m, messages.subList(0, i));
            if (parts.isEmpty()) {
                continue;
            }
            if (!role.equals(lastRole)) {
                ObjectNode content = out.addObject();
                content.put("role", role);
                lastParts = content.putArray("parts");
                lastRole = role;
            }
            parts.forEach(lastParts::add);
        }
        return out;
    }

    private List<ObjectNode> parts(Message m, List<Message> earlier) {
        List<ObjectNode> parts = new ArrayList<>();
        if (m.role() == Role.TOOL) {
            String callId = m.toolCallId().orElseThrow();
            ObjectNode response = json.createObjectNode();
            ObjectNode fr = response.putObject("functionResponse");
            fr.put("name", functionNameOf(callId, earlier));
            fr.set("response", resultObject(ToolResults.text(m)));
            parts.add(response);
            return parts;
        }
        for (ContentPart part : m.content()) {
            switch (part) {
                case ContentPart.Text text -> {
                    if (!text.text().isEmpty()) {
                        ObjectNode p = json.createObjectNode();
                        p.put("text", text.text());
                        parts.add(p);
                    }
                }
                case ContentPart.Image image -> parts.add(imagePart(image));
                // Anthropic's signed reasoning means nothing to Gemini (it checks its own thought signatures)
                case ContentPart.Thinking thinking -> { }
                case ContentPart.RedactedThinking redacted -> { }
            }
        }
        if (m.role() == Role.ASSISTANT) {
            for (ToolCall call : m.toolCalls()) {
                ObjectNode p = json.createObjectNode();
                ObjectNode fc = p.putObject("functionCall");
                fc.put("name", call.name());
                fc.set("args", arguments(call));
                ThoughtSignatureIds.signature(call.id()).ifPresent(sig -> p.put("thoughtSignature", sig));
                parts.add(p);
            }
        }
        return parts;
    }

    /** @param earlier the messages before the tool result, which is {@code messages[earlier.size()]} */
    private static String functionNameOf(String callId, List<Message> earlier) {
        for (int i = earlier.size() - 1; i >= 0; i--) {
            for (ToolCall call : earlier.get(i).toolCalls()) {
                if (call.id().equals(callId)) {
                    return call.name();
                }
            }
        }
        throw new UnsupportedRequestException("messages[" + earlier.size() + "].tool_call_id", "tool result for call '"
                + callId + "' answers no earlier assistant tool call; Gemini needs the function's name");
    }

    private JsonNode resultObject(String text) {
        try {
            JsonNode parsed = json.readTree(text);
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (JsonProcessingException e) {
            // plain text result: wrapped below
        }
        ObjectNode wrapped = json.createObjectNode();
        wrapped.put("result", text);
        return wrapped;
    }

    private JsonNode arguments(ToolCall call) {
        return ToolArguments.asObject(json, call, "Gemini needs an object as functionCall args");
    }

    private ObjectNode imagePart(ContentPart.Image image) {
        ObjectNode p = json.createObjectNode();
        if (image.isInline()) {
            DataUri data = DataUri.parse(image.url());
            ObjectNode inline = p.putObject("inlineData");
            inline.put("mimeType", data.mediaType());
            inline.put("data", data.base64());
        } else if (image.url().startsWith("https://") || image.url().startsWith("http://")) {
            ObjectNode file = p.putObject("fileData");
            file.put("mimeType", mediaTypeFromExtension(image.url()));
            file.put("fileUri", image.url());
        } else {
            throw new IllegalArgumentException("image URL must be a data: URI or an http(s) link, was '"
                    + DataUri.abbreviate(image.url()) + "'");
        }
        return p;
    }

    static String mediaTypeFromExtension(String url) {
        String path = url.toLowerCase(Locale.ROOT);
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.endsWith(".png")) {
            return "image/png";
        }
        if (path.endsWith(".webp")) {
            return "image/webp";
        }
        if (path.endsWith(".gif")) {
            return "image/gif";
        }
        if (path.endsWith(".heic")) {
            return "image/heic";
        }
        return "image/jpeg";
    }

    private JsonNode functionCallingConfig(JsonNode choice) {
        ObjectNode config = json.createObjectNode();
        if (choice.isTextual()) {
            switch (choice.asText()) {
                case "auto" -> config.put("mode", "AUTO");
                case "required" -> config.put("mode", "ANY");
                case "none" -> config.put("mode", "NONE");
                default -> throw new UnsupportedRequestException("tool_choice", "tool_choice must be auto, required, "
                        + "none or a function object, was '" + choice.asText() + "'");
            }
            return config;
        }
        String name = choice.path("function").path("name").asText("");
        if (name.isEmpty()) {
            throw new UnsupportedRequestException("tool_choice", "tool_choice object must name a function, was "
                    + choice);
        }
        config.put("mode", "ANY");
        config.putArray("allowedFunctionNames").add(name);
        return config;
    }

    private static boolean hasParameters(JsonNode schema) {
        return !(schema.isEmpty() || ("object".equals(schema.path("type").asText())
                && schema.path("properties").isEmpty()));
    }

    private static JsonNode sanitizeSchema(JsonNode schema) {
        return GeminiSchemas.without(schema, UNSUPPORTED_SCHEMA_KEYS);
    }
}
