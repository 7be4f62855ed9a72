package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.pipeline.ChatService;
import dev.costwise.gateway.pipeline.KeyUsage;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns the pipeline's stream of OpenAI {@code chat.completion.chunk}s into the server-sent events of Anthropic's
 * Messages API (https://docs.claude.com/en/docs/build-with-claude/streaming): {@code message_start}; per content block
 * {@code content_block_start}, its {@code text_delta} or {@code input_json_delta} deltas and
 * {@code content_block_stop}; then {@code message_delta} with the {@code stop_reason} and the usage, and
 * {@code message_stop}. OpenAI streams the usage last, so {@code message_start} carries zeros and
 * {@code message_delta} the whole usage (as Anthropic's own {@code message_delta} does), with the gateway's
 * {@code costwise} cost object beside it. A failure after the first event becomes an {@code error} event. One
 * instance per request; not thread-safe.
 */
final class MessagesStream implements ChatService.StreamSink {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ServerResponse res;
    private final ObjectMapper json;
    private final String messageId;
    private OutputStream out;
    /** Index of the open content block; -1 before the first. */
    private int blockIndex = -1;
    /** The open block: text, or the OpenAI index of the tool call it carries; null when none is open. */
    private Object openBlock;
    private String openToolId = "";
    private String stopReason = "end_turn";
    private JsonNode usage = NODES.objectNode();
    private JsonNode costwise;
    private boolean failed;

    MessagesStream(ServerResponse res, ObjectMapper json, String messageId) {
        this.res = res;
        this.json = json;
        this.messageId = messageId;
    }

    @Override
    public void start(String cache, String modelUsed, String route, Optional<KeyUsage> keyUsage) {
        HttpExchange.streamHeaders(res, cache, modelUsed, route, keyUsage);
        out = res.outputStream();
        ObjectNode message = NODES.objectNode().put("id", messageId).put("type", "message").put("role", "assistant")
                .put("model", modelUsed);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.set("usage", MessagesAnswer.usage(NODES.missingNode()));
        ObjectNode start = NODES.objectNode().put("type", "message_start");
        start.set("message", message);
        // The first event goes out at once: a client waiting for it knows the call was accepted.
        sendQuietly(start);
    }

    @Override
    public void event(String chunkJson) throws IOException {
        JsonNode chunk = json.readTree(chunkJson);
        if (chunk.has("error")) {
            failed = true;
            ObjectNode error = NODES.objectNode().put("type", "error");
            error.putObject("error").put("type", "api_error")
                    .put("message", chunk.path("error").path("message").asText("the upstream stream failed"));
            send(error);
            return;
        }
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode delta = choice.path("delta");
        String text = delta.path("content").isTextual() ? delta.path("content").asText() : "";
        if (!text.isEmpty()) {
            if (!"text".equals(openBlock)) {
                openBlock(NODES.objectNode().put("type", "text").put("text", ""), "text");
            }
            deltaEvent(NODES.objectNode().put("type", "text_delta").put("text", text));
        }
        for (JsonNode call : delta.path("tool_calls")) {
            Integer index = call.path("index").asInt(0);
            String id = call.path("id").asText("");
            // A call's first delta names it; later ones carry only its index (some servers reuse index 0).
            if (!index.equals(openBlock) || !id.isEmpty() && !id.equals(openToolId)) {
                ObjectNode block = NODES.objectNode().put("type", "tool_use").put("id", id)
                        .put("name", call.path("function").path("name").asText(""));
                block.putObject("input");
                openBlock(block, index);
                openToolId = id;
            }
            String arguments = call.path("function").path("arguments").asText("");
            if (!arguments.isEmpty()) {
                deltaEvent(NODES.objectNode().put("type", "input_json_delta").put("partial_json", arguments));
            }
        }
        if (choice.hasNonNull("finish_reason")) {
            stopReason = MessagesAnswer.stopReason(choice.get("finish_reason").asText());
        }
        if (chunk.path("usage").isObject()) {
            usage = chunk.get("usage");
            costwise = chunk.get("costwise");
        }
    }

    @Override
    public void done() throws IOException {
        if (!failed) {
            closeBlock();
            ObjectNode delta = NODES.objectNode().put("type", "message_delta");
            delta.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
            delta.set("usage", MessagesAnswer.usage(usage));
            if (costwise != null) {
                delta.set("costwise", costwise);
            }
            send(delta);
            send(NODES.objectNode().put("type", "message_stop"));
        }
        try {
            out.close();
        } catch (UncheckedIOException | CloseConnectionException e) {
            throw new IOException("the client closed the connection", e);
        }
    }

    /** Closes the stream after the client went away; nothing more can reach it. */
    void abandon() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException | UncheckedIOException | CloseConnectionException ignored) {
                // the connection is gone already
            }
        }
    }

    private void openBlock(ObjectNode block, Object which) throws IOException {
        closeBlock();
        blockIndex++;
        openBlock = which;
        ObjectNode start = NODES.objectNode().put("type", "content_block_start").put("index", blockIndex);
        start.set("content_block", block);
        send(start);
    }

    private void closeBlock() throws IOException {
        if (openBlock != null) {
            send(NODES.objectNode().put("type", "content_block_stop").put("index", blockIndex));
            openBlock = null;
        }
    }

    private void deltaEvent(ObjectNode delta) throws IOException {
        ObjectNode event = NODES.objectNode().put("type", "content_block_delta").put("index", blockIndex);
        event.set("delta", delta);
        send(event);
    }

    private void sendQuietly(ObjectNode event) {
        try {
            send(event);
        } catch (IOException e) {
            // the next write fails the same way and ends the stream as aborted
        }
    }

    private void send(ObjectNode event) throws IOException {
        String type = event.get("type").asText();
        try {
            out.write(("event: " + type + "\ndata: " + json.writeValueAsString(event) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (UncheckedIOException | CloseConnectionException e) {
            throw new IOException("the client closed the connection", e);
        }
    }
}
