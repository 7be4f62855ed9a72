package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.wire.OpenAiWire;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Rebuilds a {@code chat.completion} from the chunks of a stream, so a streamed answer can be cached and later served
 * to both streaming and non-streaming callers: every choice ({@code n > 1}) in index order, each with its text,
 * refusal, tool calls and finish reason, as the non-streamed answer would have them.
 *
 * <p>An answer with signed reasoning blocks ({@code thinking_blocks}: Anthropic's, relayed as LiteLLM streams them) is
 * rebuilt as the message the same answer unstreamed is ({@link StreamedBlocks}: its thinking blocks with their
 * signatures, its text and tool calls, in the order the model wrote them) and written by
 * {@link OpenAiWire#writeResponse} as that answer is: its {@code thinking_blocks} and {@code reasoning_content}, its
 * {@code block_order} when the blocks interleave, its stop sequence, its usage whole. So a streamed miss is cached as
 * the same answer unstreamed would be, and served as it to both kinds of caller; one whose blocks cannot be placed,
 * or with more than one choice, is not cached. Not thread-safe: one stream.
 */
final class StreamAssembler {
    private final ObjectMapper json;
    private final OpenAiWire wire;
    private final Map<Integer, AssembledChoice> choices = new TreeMap<>();
    private String id = "";
    private long created;
    private String answered = "";

    /** @param wire writes an answer with reasoning blocks, with its mapper reading the chunks */
    StreamAssembler(OpenAiWire wire) {
        this.wire = wire;
        this.json = wire.mapper();
    }

    /** Reads one chunk; returns it parsed. */
    JsonNode accept(String chunk) throws JsonProcessingException {
        JsonNode node = json.readTree(chunk);
        if (id.isEmpty()) {
            id = node.path("id").asText("");
            created = node.path("created").asLong(0);
        }
        if (answered.isEmpty()) {
            answered = node.path("model").asText("");
        }
        for (JsonNode choice : node.path("choices")) {
            choices.computeIfAbsent(choice.path("index").asInt(0), i -> new AssembledChoice()).accept(choice);
        }
        return node;
    }

    /** @return the completion's JSON, if the stream can be rebuilt */
    Optional<byte[]> completion(String model, Usage usage) {
        if (choices.values().stream().anyMatch(AssembledChoice::hasReasoning)) {
            return withReasoning(model, usage);
        }
        ObjectNode root = json.createObjectNode();
        root.put("id", id).put("object", "chat.completion").put("created", created).put("model", model);
        ArrayNode out = root.putArray("choices");
        if (choices.isEmpty()) {
            new AssembledChoice().writeTo(out.addObject(), 0); // a stream without choices: an empty answer
        }
        choices.forEach((index, choice) -> choice.writeTo(out.addObject(), index));
        // whole, cache reads and writes and reasoning included, as the provider's last chunk reported it: a hit's
        // replay, streamed or not, tells its caller what the miss did
        root.set("usage", wire.writeUsage(usage));
        try {
            return Optional.of(json.writeValueAsBytes(root));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /**
     * An answer with reasoning blocks, as {@link OpenAiWire#writeResponse} writes the same answer unstreamed (the
     * model it names is the one the chunks name, as the provider's answer does).
     */
    private Optional<byte[]> withReasoning(String model, Usage usage) {
        AssembledChoice choice = choices.get(0);
        if (choices.size() != 1 || choice == null) {
            return Optional.empty(); // Anthropic answers one choice; several with reasoning are not rebuilt
        }
        String named = answered.isEmpty() ? model : answered;
        return choice.message().map(message -> wire.bytes(wire.writeResponse(new ChatResponse(id, named, named, "",
                message, choice.finishReason(), usage, Money.ZERO, PriceStatus.PRICED, Duration.ZERO,
                Optional.empty(), false, choice.stopSequence()), created)));
    }
}
