package dev.costwise.llm.provider.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.chat.ToolCall;

/**
 * Turns a canonical tool call's arguments (JSON text, as OpenAI carries them) into the JSON object that native APIs
 * (Anthropic's {@code tool_use.input}, Gemini's {@code functionCall.args}) require.
 */
public final class ToolArguments {

    private ToolArguments() {}

    /**
     * Parses {@code call}'s arguments as a JSON object; blank arguments are an empty object.
     *
     * @param json the mapper to parse with
     * @param call the tool call
     * @param requirement what the provider needs, for the error ("Gemini needs an object as functionCall args")
     * @return the arguments object
     * @throws IllegalArgumentException if the arguments are not a JSON object, naming the call and the requirement
     */
    public static JsonNode asObject(ObjectMapper json, ToolCall call, String requirement) {
        if (call.arguments().isBlank()) {
            return json.createObjectNode();
        }
        try {
            JsonNode parsed = json.readTree(call.arguments());
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (JsonProcessingException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("tool call '" + call.id() + "' (" + call.name()
                + ") has arguments that are not a JSON object; " + requirement);
    }
}
