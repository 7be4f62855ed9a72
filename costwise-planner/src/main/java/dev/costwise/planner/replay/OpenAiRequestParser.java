package dev.costwise.planner.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads an OpenAI chat-completions request body (as logged) into a {@link ChatRequest}: {@code model},
 * {@code messages} (content as a string or as parts, of which text parts are kept and images noted), {@code max_tokens}
 * or {@code max_completion_tokens}, {@code temperature}, {@code top_p}, {@code stop}, {@code seed}, {@code user}.
 * Other fields (tools, response_format...) do not change what the planner computes and are ignored.
 *
 * <p>Format: https://platform.openai.com/docs/api-reference/chat/create. A minimal reader for the planner; the
 * gateway's full wire codec lives in {@code dev.costwise.llm.wire}.
 */
final class OpenAiRequestParser {

    private OpenAiRequestParser() {
    }

    /**
     * @param body the request JSON
     * @return the request
     * @throws BadLineException naming the field and the value when the body is not a chat request
     */
    static ChatRequest parse(JsonNode body) {
        if (!body.isObject()) {
            throw new BadLineException("request is not a JSON object: " + abbreviate(body.toString()));
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new BadLineException("missing or empty 'model'");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray()) {
            throw new BadLineException("missing 'messages' (expected an array)");
        }
        if (messages.isEmpty()) {
            throw new BadLineException("'messages' is empty");
        }
        List<Message> parsed = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            parsed.add(message(messages.get(i), i));
        }
        ChatRequest.Builder b = ChatRequest.builder(model.asText()).messages(parsed);
        JsonNode max = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        if (max != null && !max.isNull()) {
            if (!max.canConvertToInt() || max.asInt() < 1) {
                throw new BadLineException("max_tokens must be a whole number >= 1, was " + max);
            }
            b.maxTokens(max.asInt());
        }
        number(body, "temperature", 0, 2).ifPresent(b::temperature);
        number(body, "top_p", 0, 1).ifPresent(b::topP);
        JsonNode stop = body.get("stop");
        if (stop != null && stop.isTextual()) {
            b.stop(List.of(stop.asText()));
        } else if (stop != null && stop.isArray()) {
            List<String> stops = new ArrayList<>();
            stop.forEach(s -> stops.add(s.asText()));
            b.stop(stops);
        }
        if (body.hasNonNull("seed") && body.get("seed").canConvertToLong()) {
            b.seed(body.get("seed").asLong());
        }
        if (body.hasNonNull("user")) {
            b.user(body.get("user").asText());
        }
        return b.build();
    }

    private static Optional<Double> number(JsonNode body, String field, double min, double max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isNumber() || n.asDouble() < min || n.asDouble() > max) {
            throw new BadLineException(field + " must be a number in [" + min + ", " + max + "], was " + n);
        }
        return Optional.of(n.asDouble());
    }

    private static Message message(JsonNode m, int index) {
        String where = "messages[" + index + "]";
        if (!m.isObject()) {
            throw new BadLineException(where + " is not an object");
        }
        Role role;
        try {
            role = Role.fromWire(m.path("role").asText(""));
        } catch (IllegalArgumentException e) {
            throw new BadLineException(where + ".role: " + e.getMessage());
        }
        List<ContentPart> parts = new ArrayList<>();
        JsonNode content = m.get("content");
        if (content == null || content.isNull()) {
            if (role != Role.ASSISTANT) {
                throw new BadLineException(where + " has no content");
            }
        } else if (content.isTextual()) {
            parts.add(new ContentPart.Text(content.asText()));
        } else if (content.isArray()) {
            for (JsonNode part : content) {
                String type = part.path("type").asText("");
                switch (type) {
                    case "text" -> parts.add(new ContentPart.Text(part.path("text").asText("")));
                    case "image_url" -> parts.add(new ContentPart.Image(part.path("image_url").path("url")
                            .asText("image"), Optional.ofNullable(part.path("image_url").path("detail")
                            .textValue())));
                    default -> throw new BadLineException(where + ".content: unsupported part type '" + type + "'");
                }
            }
        } else {
            throw new BadLineException(where + ".content must be a string or an array of parts, was "
                    + abbreviate(content.toString()));
        }
        Optional<String> toolCallId = Optional.ofNullable(m.path("tool_call_id").textValue());
        if (role == Role.TOOL && toolCallId.isEmpty()) {
            throw new BadLineException(where + ": a tool message needs tool_call_id");
        }
        return new Message(role, parts, Optional.ofNullable(m.path("name").textValue()), List.of(), toolCallId);
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
