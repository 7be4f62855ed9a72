package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import java.io.IOException;
import java.util.Optional;

/**
 * Replays a cached completion as OpenAI stream chunks: per choice, in order, one delta with its role, content, refusal
 * and whole tool calls, then one with its finish reason; and the usage when asked.
 */
final class StreamReplay {
    private StreamReplay() {}

    /** Replays a cache hit: free, with {@code saved} (the ledger row's saving) in the usage chunk. */
    static void replayHit(ObjectMapper json, ResponseCacheStore.Entry entry, Money saved, boolean includeUsage,
            ChatService.StreamSink sink) throws IOException {
        replay(json, entry, includeUsage, sink, "hit", "0", Optional.of(saved));
    }

    static void replay(ObjectMapper json, ResponseCacheStore.Entry entry, boolean includeUsage,
            ChatService.StreamSink sink, String cacheStatus, String cost) throws IOException {
        replay(json, entry, includeUsage, sink, cacheStatus, cost, Optional.empty());
    }

    private static void replay(ObjectMapper json, ResponseCacheStore.Entry entry, boolean includeUsage,
            ChatService.StreamSink sink, String cacheStatus, String cost, Optional<Money> saved) throws IOException {
        JsonNode body = json.readTree(entry.body());
        String id = body.path("id").asText("chatcmpl-cached");
        long created = body.path("created").asLong(0);
        String model = body.path("model").asText(entry.modelUsed());
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
            sink.event(json.writeValueAsString(last));
        }
        if (includeUsage) {
            ObjectNode usage = json.createObjectNode();
            usage.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
            usage.putArray("choices");
            usage.set("usage", body.path("usage"));
            ObjectNode cw = usage.putObject("costwise").put("cost", cost).put("cache", cacheStatus)
                    .put("model_used", entry.modelUsed()).put("route", entry.route());
            saved.ifPresent(s -> cw.put("savings", s.toString()));
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
