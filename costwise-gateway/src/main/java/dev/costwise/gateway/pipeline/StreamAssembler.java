package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.Usage;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Rebuilds a {@code chat.completion} from the chunks of a stream, so a streamed answer can be cached and later served
 * to both streaming and non-streaming callers: every choice ({@code n > 1}) in index order, each with its text,
 * refusal, tool calls and finish reason, as the non-streamed answer would have them. Answers with signed reasoning
 * blocks ({@code thinking_blocks}) are not rebuilt, and so not cached. Not thread-safe: one stream.
 */
final class StreamAssembler {
    private final ObjectMapper json;
    private final Map<Integer, AssembledChoice> choices = new TreeMap<>();
    private String id = "";
    private long created;
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
            // signed reasoning blocks are not rebuilt: such an answer is not cached from its stream
            if (choice.path("delta").has("thinking_blocks")) {
                assemblable = false;
            }
            if (assemblable) {
                choices.computeIfAbsent(choice.path("index").asInt(0), i -> new AssembledChoice()).accept(choice);
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
        ArrayNode out = root.putArray("choices");
        if (choices.isEmpty()) {
            new AssembledChoice().writeTo(out.addObject(), 0); // a stream without choices: an empty answer
        }
        choices.forEach((index, choice) -> choice.writeTo(out.addObject(), index));
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
