package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.http.CostwiseObject;
import dev.costwise.llm.wire.OpenAiWire;
import java.io.IOException;

/**
 * Replays a cached completion as OpenAI stream chunks: per choice, in order, one delta with its role, content, refusal
 * and whole tool calls, then one with its finish reason (and the stop sequence that ended it, when the answer names
 * one); and the usage when asked.
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
            ObjectNode first = chunk(json, id, created, model, index);
            ObjectNode delta = ((ObjectNode) first.get("choices").get(0)).putObject("delta");
            delta.put("role", "assistant");
            JsonNode message = choice.path("message");
            if (message.has("content")) {
                delta.set("content", message.get("content"));
            }
            if (message.path("refusal").isTextual()) {
                delta.set("refusal", message.get("refusal"));
            }
            if (message.has("tool_calls")) {
                toolCalls(message.get("tool_calls"), delta.putArray("tool_calls"));
            }
            if (message.has("function_call")) {
                delta.set("function_call", message.get("function_call"));
            }
            sink.event(json.writeValueAsString(first));
            ObjectNode last = chunk(json, id, created, model, index);
            ObjectNode lastChoice = (ObjectNode) last.get("choices").get(0);
            lastChoice.putObject("delta");
            lastChoice.set("finish_reason", choice.path("finish_reason"));
            for (String why : new String[] {OpenAiWire.NATIVE_FINISH_REASON, OpenAiWire.STOP_REASON}) {
                if (choice.has(why)) {
                    lastChoice.set(why, choice.get(why)); // the provider's own reason, the stop sequence that hit
                }
            }
            sink.event(json.writeValueAsString(last));
        }
        if (includeUsage) {
            ObjectNode usage = json.createObjectNode();
            usage.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
            usage.putArray("choices");
            usage.set("usage", body.path("usage"));
            costwise.writeTo(usage);
            sink.event(json.writeValueAsString(usage));
        }
        sink.done();
    }

    /** Each call whole in one delta, as OpenAI streams it: its {@code index}, {@code id}, {@code type}, function. */
    private static void toolCalls(JsonNode calls, ArrayNode out) {
        int index = 0;
        for (JsonNode call : calls) {
            ObjectNode c = out.addObject().put("index", index++);
            c.put("id", call.path("id").asText(""));
            c.put("type", call.path("type").asText("function"));
            c.set("function", call.get("function"));
        }
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
