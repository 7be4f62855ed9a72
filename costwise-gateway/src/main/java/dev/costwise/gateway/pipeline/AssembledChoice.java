package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.wire.OpenAiWire;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One choice of a streamed answer, gathered from its deltas
 * (https://platform.openai.com/docs/api-reference/chat-streaming): text, refusal, tool calls (per call
 * {@code index}: {@code id}, {@code type} and {@code function.name} from the delta that names them,
 * {@code function.arguments} joined across deltas), the deprecated {@code function_call}, and the finish reason;
 * and, for an answer with signed reasoning ({@code thinking_blocks}), its blocks in their order
 * ({@link StreamedBlocks}). Not thread-safe: one stream.
 */
final class AssembledChoice {
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder refusal = new StringBuilder();
    private final List<ToolCall> calls = new ArrayList<>();
    /** The call each index last started: some servers give every call index 0, telling them apart by id. */
    private final Map<Integer, ToolCall> callAt = new HashMap<>();
    private ToolCall functionCall;
    private String finish = "stop";
    private String nativeFinish = "";
    private Optional<String> stopSequence = Optional.empty();
    private final StreamedBlocks blocks = new StreamedBlocks();

    /** Adds one chunk's choice: its {@code delta} and {@code finish_reason}. */
    void accept(JsonNode choice) {
        JsonNode delta = choice.path("delta");
        if (delta.path("thinking_blocks").isArray()) {
            blocks.reasoning(delta.get("thinking_blocks")); // before the text: a delta holding both has them so
        }
        if (delta.path("content").isTextual()) {
            content.append(delta.get("content").asText());
            blocks.text(delta.get("content").asText());
        }
        if (delta.path("refusal").isTextual()) {
            refusal.append(delta.get("refusal").asText());
        }
        for (JsonNode call : delta.path("tool_calls")) {
            toolCall(call);
        }
        if (delta.path("function_call").isObject()) {
            if (functionCall == null) {
                functionCall = new ToolCall(0);
            }
            functionCall.accept(delta.get("function_call"));
        }
        if (choice.path("finish_reason").isTextual()) {
            finish = choice.get("finish_reason").asText();
            nativeFinish = choice.path(OpenAiWire.NATIVE_FINISH_REASON).asText("");
            stopSequence = choice.path(OpenAiWire.STOP_REASON).isTextual()
                    ? Optional.of(choice.get(OpenAiWire.STOP_REASON).asText()) : Optional.empty();
        }
    }

    private void toolCall(JsonNode delta) {
        int index = delta.path("index").asInt(calls.size());
        String id = delta.path("id").asText("");
        ToolCall call = callAt.get(index);
        if (call == null || !id.isEmpty() && !call.id.isEmpty() && !id.equals(call.id)) {
            call = new ToolCall(index);
            calls.add(call);
            callAt.put(index, call);
            blocks.toolCall();
        }
        if (call.id.isEmpty()) {
            call.id = id;
        }
        if (call.type == null && delta.path("type").isTextual()) {
            call.type = delta.get("type").asText();
        }
        call.accept(delta.path("function"));
    }

    /**
     * Writes the choice as a non-streamed answer has it: {@code content} is null when the answer is only tool calls
     * or a refusal, as OpenAI answers.
     */
    void writeTo(ObjectNode choice, int index) {
        choice.put("index", index);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        boolean other = !calls.isEmpty() || functionCall != null || !refusal.isEmpty();
        if (content.isEmpty() && other) {
            message.putNull("content");
        } else {
            message.put("content", content.toString());
        }
        message.put("refusal", refusal.isEmpty() ? null : refusal.toString());
        if (!calls.isEmpty()) {
            ArrayNode out = message.putArray("tool_calls");
            List<ToolCall> sorted = new ArrayList<>(calls);
            sorted.sort(Comparator.comparingInt(c -> c.index)); // stable: calls sharing an index keep their order
            for (ToolCall call : sorted) {
                ObjectNode c = out.addObject().put("id", call.id).put("type", call.type == null ? "function"
                        : call.type);
                call.writeFunction(c.putObject("function"));
            }
        }
        if (functionCall != null) {
            functionCall.writeFunction(message.putObject("function_call"));
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finish);
    }

    /** @return whether the answer carries signed reasoning blocks */
    boolean hasReasoning() {
        return blocks.hasReasoning();
    }

    /**
     * The answer as a message, its blocks in the order the model wrote them: what the same answer unstreamed holds.
     *
     * @return the message; empty if its blocks cannot be placed, or it has a refusal or a {@code function_call},
     *     which such a message does not hold
     */
    Optional<Message> message() {
        if (!refusal.isEmpty() || functionCall != null) {
            return Optional.empty();
        }
        List<dev.costwise.llm.chat.ToolCall> started = new ArrayList<>();
        for (ToolCall call : calls) {
            started.add(new dev.costwise.llm.chat.ToolCall(call.id, call.name == null ? "" : call.name,
                    call.arguments.toString()));
        }
        return blocks.message(started);
    }

    /** @return why the answer ended, with the provider's own reason that refines {@code length} */
    FinishReason finishReason() {
        FinishReason reason = OpenAiWire.finishReason(finish);
        return reason == FinishReason.LENGTH && OpenAiWire.CONTEXT_WINDOW_EXCEEDED.equals(nativeFinish)
                ? FinishReason.CONTEXT_WINDOW_EXCEEDED : reason;
    }

    /** @return the stop sequence that ended the answer, when the stream named it */
    Optional<String> stopSequence() {
        return stopSequence;
    }

    /** A call being gathered: its name comes whole in one delta, its arguments in pieces. */
    private static final class ToolCall {
        private final int index;
        private String id = "";
        private String type;
        private String name;
        private final StringBuilder arguments = new StringBuilder();

        ToolCall(int index) {
            this.index = index;
        }

        /** @param function a delta's {@code function} (or {@code function_call}): name and arguments piece */
        void accept(JsonNode function) {
            if (name == null && !function.path("name").asText("").isEmpty()) {
                name = function.get("name").asText();
            }
            if (function.path("arguments").isTextual()) {
                arguments.append(function.get("arguments").asText());
            }
        }

        void writeFunction(ObjectNode function) {
            function.put("name", name == null ? "" : name).put("arguments", arguments.toString());
        }
    }
}
