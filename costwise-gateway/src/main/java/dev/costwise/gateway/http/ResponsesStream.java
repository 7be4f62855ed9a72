package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.pipeline.ChatService;
import dev.costwise.gateway.pipeline.KeyUsage;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns the pipeline's stream of chat chunks into the server-sent events of OpenAI's Responses API
 * (https://platform.openai.com/docs/api-reference/responses-streaming): {@code response.created} and
 * {@code response.in_progress}; for text, {@code response.output_item.added}, {@code response.content_part.added},
 * {@code response.output_text.delta}s, then {@code response.output_text.done}, {@code response.content_part.done} and
 * {@code response.output_item.done}; for a tool call, the item's {@code response.function_call_arguments.delta}s and
 * {@code .done}; for an Anthropic model's signed thinking block, a {@code reasoning} item ({@link ReasoningItems}),
 * added as it starts and done, whole, as it ends; finally {@code response.completed} (or {@code response.incomplete}
 * when the output limit cut it or a content filter stopped it) with the whole response, its usage and the gateway's
 * {@code costwise} cost object. Every
 * event has its {@code sequence_number}. A failure after the first event is {@code response.failed}, its response
 * with the usage the provider reported before it (if it did) and the {@code costwise} object of what the request
 * cost. One instance per request; not thread-safe.
 */
final class ResponsesStream implements ChatService.StreamSink, ChatChunkReader.Listener {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ServerResponse res;
    private final ObjectMapper json;
    private final String responseId;
    private final String messageId;
    private final JsonNode request;
    private final long createdAt;
    private final ChatChunkReader chunks = new ChatChunkReader();
    private NamedEventWriter out;
    private ObjectNode response;
    private long sequence;
    /** The output item being streamed: a message's text, a tool call, a reasoning block, or none. */
    private Item open = Item.NONE;
    private String openCallId = "";
    private String openName = "";
    private final StringBuilder openContent = new StringBuilder();
    /** The open reasoning block: its number among the answer's, and the block as far as it came. */
    private int openReasoning = -1;
    private ObjectNode openBlock;
    /** The open message item's id, and how many message and reasoning items came before. */
    private String openMessageId;
    private int messages;
    private int reasonings;
    private boolean failed;
    private final Consumer<ObjectNode> onFinished;

    private enum Item { NONE, TEXT, CALL, REASONING }

    /**
     * @param onFinished given the finished response (completed or incomplete, not failed) before it is sent, to
     *     store it; it may change the response (set {@code store} false)
     */
    ResponsesStream(ServerResponse res, ObjectMapper json, String responseId, JsonNode request, long createdAt,
            Consumer<ObjectNode> onFinished) {
        this.res = res;
        this.json = json;
        this.responseId = responseId;
        this.messageId = "msg_" + responseId.substring("resp_".length());
        this.request = request;
        this.createdAt = createdAt;
        this.onFinished = onFinished;
    }

    @Override
    public void start(String cache, String modelUsed, String route, Optional<KeyUsage> keyUsage,
            Optional<JsonNode> promptUsage) {
        // response.created has no usage yet (null), as OpenAI's own; response.completed carries the whole
        HttpExchange.streamHeaders(res, cache, modelUsed, route, keyUsage);
        out = new NamedEventWriter(res.outputStream(), json);
        response = ResponsesAnswer.started(responseId, request, modelUsed, createdAt);
        try {
            out.send(newEvent("response.created").set("response", response.deepCopy()));
            out.send(newEvent("response.in_progress").set("response", response.deepCopy()));
        } catch (IOException e) {
            // the next write fails the same way and ends the stream as aborted
        }
    }

    /** An SSE comment, which OpenAI's SDKs skip: the Responses API has no keep-alive event of its own. */
    @Override
    public void keepAlive() throws IOException {
        out.keepAlive();
    }

    @Override
    public void event(String chunkJson) throws IOException {
        chunks.read(json.readTree(chunkJson), this);
    }

    @Override
    public void text(String delta) throws IOException {
        if (open != Item.TEXT) {
            openText();
        }
        openContent.append(delta);
        out.send(newEvent("response.output_text.delta").put("item_id", openMessageId)
                .put("output_index", outputIndex()).put("content_index", 0).put("delta", delta));
    }

    /** A piece of an Anthropic model's signed thinking: the block becomes a reasoning item once it is whole. */
    @Override
    public void thinking(int block, String text, String signature) throws IOException {
        if (open != Item.REASONING || openReasoning != block) {
            openReasoning(block, NODES.objectNode().put("type", "thinking").put("thinking", ""));
        }
        openBlock.put("thinking", openBlock.path("thinking").asText() + text);
        if (signature != null) {
            openBlock.put("signature", signature);
        }
    }

    @Override
    public void redactedThinking(int block, String data) throws IOException {
        openReasoning(block, NODES.objectNode().put("type", "redacted_thinking").put("data", data));
    }

    @Override
    public void toolCall(String id, String name) throws IOException {
        closeItem();
        open = Item.CALL;
        openCallId = id;
        openName = name;
        output().add(NODES.nullNode()); // its place; the finished item replaces it
        out.send(newEvent("response.output_item.added").put("output_index", outputIndex())
                .set("item", ResponsesAnswer.functionCall(id, name, "", "in_progress")));
    }

    @Override
    public void toolArguments(String delta) throws IOException {
        openContent.append(delta);
        out.send(newEvent("response.function_call_arguments.delta").put("item_id", "fc_" + openCallId)
                .put("output_index", outputIndex()).put("delta", delta));
    }

    @Override
    public void failed(String message, String code) throws IOException {
        failed = true;
        if (open != Item.NONE) {
            // the item cut short takes its place, as far as it got, instead of the placeholder added with it
            output().set(outputIndex(), openItem("incomplete"));
            open = Item.NONE;
        }
        response.put("status", "failed");
        // the gateway's code, as the same failure before the stream would have been answered with
        response.putObject("error").put("code", code.isEmpty() ? "server_error" : code).put("message", message);
        if (!chunks.usage().isEmpty()) {
            response.set("usage", ResponsesAnswer.usage(chunks.usage()));
        }
        if (chunks.costwise() != null) {
            response.set("costwise", chunks.costwise());
        }
        out.send(newEvent("response.failed").set("response", response));
    }

    @Override
    public void done() throws IOException {
        if (!failed) {
            closeItem();
            ResponsesAnswer.finish(response, chunks.finishReason(), chunks.usage(), chunks.serviceTier());
            if (chunks.costwise() != null) {
                response.set("costwise", chunks.costwise());
            }
            String type = response.path("status").asText().equals("incomplete") ? "response.incomplete"
                    : "response.completed";
            onFinished.accept(response); // first: a response that could not be stored is sent as store: false
            out.send(newEvent(type).set("response", response));
        }
        out.close();
    }

    /** Closes the stream after the client went away; nothing more can reach it. */
    void abandon() {
        if (out != null) {
            out.abandon();
        }
    }

    private void openText() throws IOException {
        closeItem();
        open = Item.TEXT;
        openMessageId = ResponsesAnswer.itemId(messageId, messages++);
        output().add(NODES.nullNode());
        ObjectNode item = ResponsesAnswer.messageItem(openMessageId, "", "in_progress");
        item.putArray("content");
        out.send(newEvent("response.output_item.added").put("output_index", outputIndex()).set("item", item));
        out.send(newEvent("response.content_part.added").put("item_id", openMessageId)
                .put("output_index", outputIndex()).put("content_index", 0)
                .set("part", ResponsesAnswer.outputText("")));
    }

    /** Opens a reasoning item: added now, its whole block (summary and encrypted content) when it is done. */
    private void openReasoning(int block, ObjectNode whole) throws IOException {
        closeItem();
        open = Item.REASONING;
        openReasoning = block;
        openBlock = whole;
        output().add(NODES.nullNode());
        ObjectNode item = NODES.objectNode().put("type", "reasoning").put("id", reasoningId());
        item.putArray("summary");
        out.send(newEvent("response.output_item.added").put("output_index", outputIndex()).set("item", item));
    }

    private String reasoningId() {
        return ResponsesAnswer.itemId("rs_" + responseId.substring("resp_".length()), reasonings);
    }

    private void closeItem() throws IOException {
        if (open == Item.NONE) {
            return;
        }
        String content = openContent.toString();
        int index = outputIndex();
        if (open == Item.TEXT) {
            out.send(newEvent("response.output_text.done").put("item_id", openMessageId).put("output_index", index)
                    .put("content_index", 0).put("text", content));
            out.send(newEvent("response.content_part.done").put("item_id", openMessageId)
                    .put("output_index", index).put("content_index", 0)
                    .set("part", ResponsesAnswer.outputText(content)));
        } else if (open == Item.CALL) {
            out.send(newEvent("response.function_call_arguments.done").put("item_id", "fc_" + openCallId)
                    .put("output_index", index).put("arguments", content));
        }
        ObjectNode item = openItem("completed");
        output().set(index, item);
        out.send(newEvent("response.output_item.done").put("output_index", index).set("item", item));
        if (open == Item.REASONING) {
            reasonings++;
            openReasoning = -1;
        }
        open = Item.NONE;
        openContent.setLength(0);
    }

    /** @return the open item with what it holds so far */
    private ObjectNode openItem(String status) {
        String content = openContent.toString();
        return switch (open) {
            case TEXT -> ResponsesAnswer.messageItem(openMessageId, content, status);
            case REASONING -> ReasoningItems.item(reasoningId(), openBlock);
            default -> ResponsesAnswer.functionCall(openCallId, openName, content, status);
        };
    }

    private ArrayNode output() {
        return (ArrayNode) response.get("output");
    }

    private int outputIndex() {
        return output().size() - 1;
    }

    private ObjectNode newEvent(String type) {
        return NODES.objectNode().put("type", type).put("sequence_number", sequence++);
    }
}
