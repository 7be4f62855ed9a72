package dev.costwise.llm.provider.ollama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.provider.http.FunctionTools;
import dev.costwise.llm.provider.http.SystemPrompts;
import dev.costwise.llm.provider.http.ToolResults;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Ollama's native {@code /api/chat} JSON.
 *
 * @see <a href="https://docs.ollama.com/api/chat">Ollama: generate a chat message</a>
 */
final class OllamaWire {

    private final ObjectMapper mapper;

    OllamaWire(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    ObjectNode writeRequest(ChatRequest request, String model, boolean stream) {
        ObjectNode root = mapper.createObjectNode();
        root.put("model", model);
        ArrayNode messages = root.putArray("messages");
        for (int i = 0; i < request.messages().size(); i++) {
            messages.add(writeMessage(request.messages().get(i), i));
        }
        FunctionTools.require(request.tools());
        if (!request.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (Tool t : request.tools()) {
                ObjectNode fn = tools.addObject().put("type", "function").putObject("function");
                fn.put("name", t.name());
                t.description().ifPresent(d -> fn.put("description", d));
                fn.set("parameters", t.parameters());
            }
        }
        switch (request.responseFormat()) {
            case ResponseFormat.Text t -> { }
            case ResponseFormat.JsonObject j -> root.put("format", "json");
            case ResponseFormat.JsonSchema s -> root.set("format", s.schema());
        }
        ObjectNode options = mapper.createObjectNode();
        request.temperature().ifPresent(v -> options.put("temperature", v));
        request.topP().ifPresent(v -> options.put("top_p", v));
        request.topK().ifPresent(v -> options.put("top_k", v));
        request.seed().ifPresent(v -> options.put("seed", v));
        request.presencePenalty().ifPresent(v -> options.put("presence_penalty", v));
        request.frequencyPenalty().ifPresent(v -> options.put("frequency_penalty", v));
        request.maxTokens().ifPresent(v -> options.put("num_predict", v));
        if (!request.stop().isEmpty()) {
            ArrayNode stop = options.putArray("stop");
            request.stop().forEach(stop::add);
        }
        if (!options.isEmpty()) {
            root.set("options", options);
        }
        request.reasoning().ifPresent(reasoning -> writeThink(root, reasoning, model));
        root.put("stream", stream);
        return root;
    }

    /**
     * Sets {@code think} (https://docs.ollama.com/capabilities/thinking): {@code false} for no reasoning; otherwise
     * {@code true}, or for gpt-oss, which takes named levels, the nearest of {@code low}, {@code medium} and
     * {@code high} (minimal → low; xhigh and max → high).
     */
    private static void writeThink(ObjectNode root, Reasoning reasoning, String model) {
        if (reasoning.isOff()) {
            root.put("think", false);
        } else if (model.toLowerCase(Locale.ROOT).contains("gpt-oss")) {
            root.put("think", switch (reasoning.effortOrNearest()) {
                case NONE, MINIMAL, LOW -> "low"; // NONE only with isOff, handled above
                case MEDIUM -> "medium";
                case HIGH, XHIGH, MAX -> "high"; // Ollama rejects any other name at the top level
            });
        } else {
            root.put("think", true);
        }
    }

    private ObjectNode writeMessage(Message m, int index) {
        ObjectNode node = mapper.createObjectNode();
        node.put("role", m.role().wireName());
        // the parts of one system message keep a blank line between them, as they do for Claude and Gemini
        // and a tool result's parts a line apart, as for Gemini
        node.put("content", switch (m.role()) {
            case SYSTEM -> String.join(SystemPrompts.SEPARATOR, SystemPrompts.texts(List.of(m)));
            case TOOL -> ToolResults.text(m);
            default -> m.text();
        });
        String thinking = m.reasoning().stream().filter(p -> p instanceof ContentPart.Thinking)
                .map(p -> ((ContentPart.Thinking) p).text()).collect(Collectors.joining());
        if (!thinking.isEmpty()) {
            node.put("thinking", thinking); // a message field of /api/chat: the model reads its earlier reasoning
        }
        List<String> images = new ArrayList<>();
        for (ContentPart p : m.content()) {
            if (p instanceof ContentPart.Image img) {
                if (!img.isInline()) {
                    throw new UnsupportedRequestException("messages[" + index + "].content", "Ollama takes only "
                            + "inline (data:) images, not a URL");
                }
                int comma = img.url().indexOf(',');
                images.add(comma < 0 ? img.url() : img.url().substring(comma + 1));
            }
        }
        if (!images.isEmpty()) {
            ArrayNode arr = node.putArray("images");
            images.forEach(arr::add);
        }
        if (!m.toolCalls().isEmpty()) {
            ArrayNode calls = node.putArray("tool_calls");
            for (ToolCall c : m.toolCalls()) {
                calls.addObject().putObject("function").put("name", c.name()).set("arguments", arguments(c, index));
            }
        }
        return node;
    }

    private JsonNode arguments(ToolCall c, int index) {
        if (c.arguments().isBlank()) {
            return mapper.createObjectNode();
        }
        try {
            return mapper.readTree(c.arguments());
        } catch (JsonProcessingException e) {
            throw new UnsupportedRequestException("messages[" + index + "].tool_calls", "arguments of '" + c.name()
                    + "' are not JSON; Ollama needs an object");
        }
    }

    /** The assistant message of one response or stream line (tool call ids are made up: Ollama sends none). */
    Message readMessage(JsonNode root, int toolIndexBase) {
        JsonNode msg = root.path("message");
        String text = msg.path("content").asText("");
        List<ToolCall> calls = new ArrayList<>();
        JsonNode tc = msg.path("tool_calls");
        for (int i = 0; i < tc.size(); i++) {
            JsonNode fn = tc.get(i).path("function");
            JsonNode args = fn.path("arguments");
            String id = tc.get(i).path("id").asText("call_" + (toolIndexBase + i));
            calls.add(new ToolCall(id, fn.path("name").asText(""),
                    args.isTextual() ? args.asText() : args.isMissingNode() ? "{}" : args.toString()));
        }
        List<ContentPart> content = new ArrayList<>();
        String thinking = msg.path("thinking").asText("");
        if (!thinking.isEmpty()) {
            content.add(new ContentPart.Thinking(thinking, Optional.empty())); // Ollama signs nothing
        }
        if (!text.isEmpty() || calls.isEmpty() && content.isEmpty()) {
            content.add(ContentPart.text(text));
        }
        return new Message(Role.ASSISTANT, content, Optional.empty(), calls, Optional.empty());
    }

    Optional<Usage> readUsage(JsonNode root) {
        if (!root.has("prompt_eval_count") && !root.has("eval_count")) {
            return Optional.empty();
        }
        return Optional.of(Usage.of(root.path("prompt_eval_count").asLong(0), root.path("eval_count").asLong(0)));
    }

    static FinishReason finishReason(JsonNode root, boolean calledTools) {
        if (calledTools) {
            return FinishReason.TOOL_CALLS;
        }
        return switch (root.path("done_reason").asText("stop")) {
            case "stop" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            default -> FinishReason.OTHER;
        };
    }
}
