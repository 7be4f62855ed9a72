package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.http.CostwiseObject;
import dev.costwise.llm.wire.BlockOrder;
import dev.costwise.llm.wire.OpenAiWire;
import java.io.IOException;

/**
 * Replays a cached completion as OpenAI stream chunks: per choice, in order, one delta with its role, reasoning blocks
 * ({@code thinking_blocks}, signatures kept, with their {@code reasoning_content}), content, refusal and whole tool
 * calls, or, for an answer whose blocks have their own order ({@link BlockOrder}: interleaved thinking), one delta per
 * block in that order; then one with its finish reason (and the stop sequence that ended it, when the answer names
 * one); and the usage when asked. A streamed hit thus gives back what a whole one does, in the order the model wrote
 * it, as Anthropic needs a tool turn's thinking blocks back. Chunks go to the sink as trees, so that the long strings
 * of a stored answer ({@link StoredAnswerTree}) are written from where they are stored.
 */
final class StreamReplay {
    private StreamReplay() {}

    /**
     * Replays a whole answer as a stream.
     *
     * @param body the chat completion
     * @param modelUsed the model that answered, for chunks of an answer that names none
     * @param costwise what the request cost, for the usage chunk
     * @param includeUsage the caller asked for the usage chunk
     * @param sink where the chunks go
     */
    static void replay(ObjectMapper json, JsonNode body, String modelUsed, CostwiseObject costwise,
            boolean includeUsage, ChatService.StreamSink sink) throws IOException {
        String id = body.path("id").asText("chatcmpl-cached");
        long created = body.path("created").asLong(0);
        String model = body.path("model").asText(modelUsed);
        for (JsonNode choice : body.path("choices")) {
            int index = choice.path("index").asInt(0);
            JsonNode message = choice.path("message");
            if (message.hasNonNull(BlockOrder.FIELD)) {
                blockByBlock(json, id, created, model, index, message, sink);
            } else {
                ObjectNode first = chunk(json, id, created, model, index);
                whole(message, ((ObjectNode) first.get("choices").get(0)).putObject("delta"));
                sink.event(first);
            }
            ObjectNode last = chunk(json, id, created, model, index);
            ObjectNode lastChoice = (ObjectNode) last.get("choices").get(0);
            lastChoice.putObject("delta");
            lastChoice.set("finish_reason", choice.path("finish_reason"));
            for (String why : new String[] {OpenAiWire.NATIVE_FINISH_REASON, OpenAiWire.STOP_REASON}) {
                if (choice.has(why)) {
                    lastChoice.set(why, choice.get(why)); // the provider's own reason, the stop sequence that hit
                }
            }
            sink.event(last);
        }
        if (includeUsage) {
            ObjectNode usage = json.createObjectNode();
            usage.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
            usage.putArray("choices");
            usage.set("usage", body.path("usage"));
            costwise.writeTo(usage);
            sink.event(usage);
        }
        sink.done();
    }

    /** The whole message in one delta: role, reasoning blocks, content, refusal, tool calls, function call. */
    private static void whole(JsonNode message, ObjectNode delta) {
        delta.put("role", "assistant");
        reasoning(message.path("thinking_blocks"), 0, delta);
        if (message.has("content")) {
            delta.set("content", message.get("content"));
        }
        if (message.path("refusal").isTextual()) {
            delta.set("refusal", message.get("refusal"));
        }
        int call = 0;
        for (JsonNode c : message.path("tool_calls")) {
            toolCall(c, call++, delta);
        }
        if (message.has("function_call")) {
            delta.set("function_call", message.get("function_call"));
        }
    }

    /** One delta per block, in the answer's order: a reasoning block, a text, a tool call. */
    private static void blockByBlock(ObjectMapper json, String id, long created, String model, int index,
            JsonNode message, ChatService.StreamSink sink) throws IOException {
        int reasoning = 0;
        int call = 0;
        boolean first = true;
        for (BlockOrder.Block b : BlockOrder.read(message, "choices[" + index + "].message")) {
            ObjectNode chunk = chunk(json, id, created, model, index);
            ObjectNode delta = ((ObjectNode) chunk.get("choices").get(0)).putObject("delta");
            if (first) {
                delta.put("role", "assistant");
                first = false;
            }
            switch (b.kind()) {
                case REASONING -> reasoning(json.createArrayNode().add(b.node()), reasoning++, delta);
                case CONTENT -> delta.put("content", b.node().path("text").asText(""));
                case TOOL_CALL -> toolCall(b.node(), call++, delta);
            }
            sink.event(chunk);
        }
    }

    /**
     * Whole reasoning blocks in one delta, as a live stream's chunks carry them: each with its {@code index} among
     * the answer's blocks, their text also as {@code reasoning_content}.
     *
     * @param first the index of the first of {@code blocks}
     */
    private static void reasoning(JsonNode blocks, int first, ObjectNode delta) {
        if (blocks.isEmpty()) {
            return;
        }
        ArrayNode out = delta.putArray("thinking_blocks");
        StringBuilder text = new StringBuilder();
        int index = first;
        for (JsonNode block : blocks) {
            ObjectNode b = out.addObject().put("index", index++);
            if (block.isObject()) {
                b.setAll((ObjectNode) block);
            }
            text.append(block.path("thinking").asText(""));
        }
        delta.put("reasoning_content", text.toString());
    }

    /** A call whole in one delta, as OpenAI streams it: its {@code index}, {@code id}, {@code type}, function. */
    private static void toolCall(JsonNode call, int index, ObjectNode delta) {
        ArrayNode calls = delta.has("tool_calls") ? (ArrayNode) delta.get("tool_calls")
                : delta.putArray("tool_calls");
        ObjectNode c = calls.addObject().put("index", index);
        c.put("id", call.path("id").asText(""));
        c.put("type", call.path("type").asText("function"));
        c.set("function", call.get("function"));
    }

    private static ObjectNode chunk(ObjectMapper json, String id, long created, String model, int index) {
        ObjectNode c = json.createObjectNode();
        c.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", index);
        choice.putNull("logprobs");
        return c;
    }
}
