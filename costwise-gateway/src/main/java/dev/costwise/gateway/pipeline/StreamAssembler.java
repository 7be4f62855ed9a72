package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.Usage;
import java.util.Optional;

/**
 * Rebuilds a {@code chat.completion} from the chunks of a stream, so a streamed answer can be cached and later served
 * to both streaming and non-streaming callers. Answers with tool calls, reasoning blocks or several choices are not
 * rebuilt (and so not cached). Not thread-safe: one stream.
 */
final class StreamAssembler {
    private final ObjectMapper json;
    private final StringBuilder content = new StringBuilder();
    private String id = "";
    private long created;
    private String finish = "stop";
    private boolean assemblable = true;

    StreamAssembler(ObjectMapper json) {
        this.json = json;
    }

    /** Reads one chunk; returns it parsed. */
    JsonNode accept(String chunk) throws JsonProcessingException {
        JsonNode node = json.readTree(chunk);
        if (id.isEmpty()) {
            id = node.path("id").asText("");
            created = node.path("created").asLong(0);
        }
        for (JsonNode choice : node.path("choices")) {
            if (choice.path("index").asInt(0) != 0) {
                assemblable = false;
            }
            JsonNode delta = choice.path("delta");
            // signed reasoning blocks are not rebuilt: such an answer is not cached from its stream
            if (delta.has("tool_calls") || delta.has("function_call") || delta.has("thinking_blocks")) {
                assemblable = false;
            }
            if (delta.path("content").isTextual()) {
                content.append(delta.get("content").asText());
            }
            if (choice.path("finish_reason").isTextual()) {
                finish = choice.get("finish_reason").asText();
            }
        }
        return node;
    }

    /** @return the completion's JSON, if the stream can be rebuilt */
    Optional<byte[]> completion(String model, Usage usage) {
        if (!assemblable) {
            return Optional.empty();
        }
        ObjectNode root = json.createObjectNode();
        root.put("id", id).put("object", "chat.completion").put("created", created).put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content.toString()).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finish);
        ObjectNode u = root.putObject("usage");
        u.put("prompt_tokens", usage.inputTokens()).put("completion_tokens", usage.outputTokens())
                .put("total_tokens", usage.totalTokens());
        try {
            return Optional.of(json.writeValueAsBytes(root));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
