package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.pipeline.ChatService;
import dev.costwise.gateway.pipeline.KeyUsage;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * Turns the pipeline's stream of OpenAI {@code chat.completion.chunk}s into the server-sent events of Anthropic's
 * Messages API (https://docs.claude.com/en/docs/build-with-claude/streaming): {@code message_start}; per content block
 * {@code content_block_start}, its {@code thinking_delta} and {@code signature_delta}, {@code text_delta} or
 * {@code input_json_delta} deltas and {@code content_block_stop}; then {@code message_delta} with the
 * {@code stop_reason} and the usage, and {@code message_stop}. {@code message_start} carries the prompt's tokens
 * when the provider reported them before its first output (Anthropic's own {@code message_start} counts the prompt
 * and its cache reads and writes), else zeros (OpenAI reports usage only at the end), and no output yet;
 * {@code message_delta} carries the whole usage, input and cache counts included, with the gateway's
 * {@code costwise} cost object beside it. Anthropic documents {@code message_delta}'s usage as cumulative, and its
 * SDKs take the input and cache counts from it when present, so a client's final message has the real counts either
 * way. A failure after the first event becomes an {@code error} event, with the usage the provider reported before
 * it (if it did) and the {@code costwise} object of what the request cost. One instance per request; not
 * thread-safe.
 */
final class MessagesStream implements ChatService.StreamSink, ChatChunkReader.Listener {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ServerResponse res;
    private final ObjectMapper json;
    private final String messageId;
    private final ChatChunkReader chunks = new ChatChunkReader();
    private NamedEventWriter out;
    /** Index of the open content block; -1 before the first. */
    private int blockIndex = -1;
    private boolean blockOpen;
    private boolean textOpen;
    /** The reasoning block (by its position among reasoning blocks) whose content block is open; -1 if none. */
    private int thinkingOpen = -1;
    private boolean toolOpen;
    /** The open tool_use block's arguments while they are held or undecided (blanks so far); empty once relayed. */
    private final StringBuilder toolInput = new StringBuilder();
    /** The open tool_use block's arguments are not an object: held, and sent wrapped when the block closes. */
    private boolean toolInputHeld;
    /** The open tool_use block's arguments are an object: each delta is relayed as it comes, and not kept. */
    private boolean toolInputRelayed;
    private boolean failed;

    MessagesStream(ServerResponse res, ObjectMapper json, String messageId) {
        this.res = res;
        this.json = json;
        this.messageId = messageId;
    }

    @Override
    public void start(String cache, String modelUsed, String route, Optional<KeyUsage> keyUsage,
            Optional<JsonNode> promptUsage) {
        HttpExchange.streamHeaders(res, cache, modelUsed, route, keyUsage);
        out = new NamedEventWriter(res.outputStream(), json);
        ObjectNode message = NODES.objectNode().put("id", messageId).put("type", "message").put("role", "assistant")
                .put("model", modelUsed);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.set("usage", MessagesAnswer.usage(promptUsage.orElse(NODES.missingNode())));
        ObjectNode start = NODES.objectNode().put("type", "message_start");
        start.set("message", message);
        try {
            out.send(start); // at once: a client waiting for it knows the call was accepted
        } catch (IOException e) {
            // the next write fails the same way and ends the stream as aborted
        }
    }

    /** Anthropic's own {@code ping} event, which its SDKs read and skip, as its API sends it while a model thinks. */
    @Override
    public void keepAlive() throws IOException {
        out.send(NODES.objectNode().put("type", "ping"));
    }

    @Override
    public void event(String chunkJson) throws IOException {
        chunks.read(json.readTree(chunkJson), this);
    }

    @Override
    public void text(String delta) throws IOException {
        if (!textOpen) {
            openBlock(NODES.objectNode().put("type", "text").put("text", ""));
            textOpen = true;
        }
        deltaEvent(NODES.objectNode().put("type", "text_delta").put("text", delta));
    }

    @Override
    public void thinking(int block, String text, String signature) throws IOException {
        if (thinkingOpen != block) {
            openBlock(NODES.objectNode().put("type", "thinking").put("thinking", ""));
            thinkingOpen = block;
        }
        if (!text.isEmpty()) {
            deltaEvent(NODES.objectNode().put("type", "thinking_delta").put("thinking", text));
        }
        if (signature != null) {
            deltaEvent(NODES.objectNode().put("type", "signature_delta").put("signature", signature));
        }
    }

    @Override
    public void redactedThinking(int block, String data) throws IOException {
        openBlock(NODES.objectNode().put("type", "redacted_thinking").put("data", data)); // arrives whole
        thinkingOpen = block;
    }

    @Override
    public void toolCall(String id, String name) throws IOException {
        ObjectNode block = NODES.objectNode().put("type", "tool_use").put("id", id).put("name", name);
        block.putObject("input");
        openBlock(block);
        toolOpen = true;
    }

    /**
     * Relays a tool call's arguments as they come while they are an object, as Anthropic's {@code input} must be.
     * Arguments an OpenAI-format provider wrote that are not one ({@code [1, 2]}, a string) are held, and sent when
     * the block closes as the whole answer gives them ({@link MessagesAnswer#toolInput}), so a client builds the same
     * {@code input} streamed or not, and can send the turn back.
     */
    @Override
    public void toolArguments(String delta) throws IOException {
        if (toolInputRelayed) {
            inputDelta(delta);
            return;
        }
        toolInput.append(delta);
        if (toolInputHeld) {
            return;
        }
        String lead = toolInput.toString().stripLeading(); // undecided: blanks so far, then this delta
        if (lead.isEmpty()) {
            return; // only blanks yet: nothing tells what follows
        }
        toolInputHeld = lead.charAt(0) != '{';
        if (!toolInputHeld) {
            toolInputRelayed = true;
            inputDelta(toolInput.toString());
            toolInput.setLength(0);
        }
    }

    private void inputDelta(String json) throws IOException {
        deltaEvent(NODES.objectNode().put("type", "input_json_delta").put("partial_json", json));
    }

    @Override
    public void failed(String message, String code) throws IOException {
        failed = true;
        ObjectNode error = NODES.objectNode().put("type", "error");
        error.putObject("error").put("type", errorType(code)).put("message", message);
        if (!chunks.usage().isEmpty()) {
            error.set("usage", MessagesAnswer.usage(chunks.usage()));
        }
        if (chunks.costwise() != null) {
            error.set("costwise", chunks.costwise());
        }
        out.send(error);
    }

    /**
     * @param code the gateway's error code the stream's error event carries, as the same failure before the stream
     *     would have been answered with
     * @return Anthropic's error type (https://docs.claude.com/en/api/errors) that answer has on this endpoint: a
     *     client that retries on {@code overloaded_error} or {@code rate_limit_error} must see them
     */
    private static String errorType(String code) {
        return MessagesAnswer.errorType(code, switch (code) {
            case "upstream_rejected", "context_length_exceeded", "content_filter", "answer_too_large" -> 400;
            case "upstream_request_too_large" -> 413;
            case "upstream_rate_limited", "upstream_overloaded", "upstream_quota_exhausted", "upstream_circuit_open",
                    "shutting_down", "interrupted" -> 503;
            case "upstream_timeout" -> 504;
            default -> 502; // upstream_error, upstream_unreachable, upstream_malformed, upstream_auth_failed...
        });
    }

    @Override
    public void done() throws IOException {
        if (!failed) {
            closeBlock();
            ObjectNode delta = NODES.objectNode().put("type", "message_delta");
            MessagesAnswer.stop(delta.putObject("delta"), chunks.finishReason(), chunks.stopSequence());
            delta.set("usage", MessagesAnswer.usage(chunks.usage()));
            if (chunks.costwise() != null) {
                delta.set("costwise", chunks.costwise());
            }
            out.send(delta);
            out.send(NODES.objectNode().put("type", "message_stop"));
        }
        out.close();
    }

    /** Closes the stream after the client went away; nothing more can reach it. */
    void abandon() {
        if (out != null) {
            out.abandon();
        }
    }

    private void openBlock(ObjectNode block) throws IOException {
        closeBlock();
        blockIndex++;
        blockOpen = true;
        ObjectNode start = NODES.objectNode().put("type", "content_block_start").put("index", blockIndex);
        start.set("content_block", block);
        out.send(start);
    }

    private void closeBlock() throws IOException {
        if (toolOpen && toolInputHeld) {
            inputDelta(MessagesAnswer.toolInput(toolInput.toString(), json).toString());
        }
        toolOpen = false;
        toolInputHeld = false;
        toolInputRelayed = false;
        toolInput.setLength(0);
        if (blockOpen) {
            out.send(NODES.objectNode().put("type", "content_block_stop").put("index", blockIndex));
            blockOpen = false;
            textOpen = false;
            thinkingOpen = -1;
        }
    }

    private void deltaEvent(ObjectNode delta) throws IOException {
        ObjectNode event = NODES.objectNode().put("type", "content_block_delta").put("index", blockIndex);
        event.set("delta", delta);
        out.send(event);
    }
}
