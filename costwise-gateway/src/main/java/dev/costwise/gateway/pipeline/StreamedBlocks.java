package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The blocks of one streamed choice in the order they came: its reasoning blocks (a delta's {@code thinking_blocks},
 * each by its {@code index}, signature and redacted data kept), its runs of text and its tool calls. Anthropic streams
 * a turn's blocks one after the other, so the order the chunks bring them in is the order the model wrote them
 * (interleaved thinking: thinking, text, thinking, {@code tool_use}), and the message rebuilt from them is the one the
 * same answer has unstreamed. A stream whose blocks cannot be placed (a reasoning block starting before the one it
 * follows, a block given two signatures or two kinds) has no message. Text runs next to each other are one: a stream
 * does not tell them apart. Not thread-safe: one stream.
 */
final class StreamedBlocks {
    private enum Kind { REASONING, TEXT, TOOL_CALL }

    private final List<Kind> order = new ArrayList<>();
    private final List<StringBuilder> texts = new ArrayList<>();
    private final Map<Integer, Reasoning> reasoning = new TreeMap<>();
    private boolean placeable = true;

    /** Adds a delta's {@code thinking_blocks}: a block with no {@code index} is block 0, as LiteLLM sends it. */
    void reasoning(JsonNode blocks) {
        for (JsonNode block : blocks) {
            int index = block.path("index").asInt(0);
            Reasoning r = reasoning.get(index);
            if (r == null) {
                // the reasoning blocks are written in index order: one starting out of turn has no known place
                placeable &= index == reasoning.size();
                r = new Reasoning();
                reasoning.put(index, r);
                order.add(Kind.REASONING);
            }
            placeable &= r.accept(block);
        }
    }

    /** Adds a piece of text: it continues the text block it follows, or starts one. */
    void text(String piece) {
        if (piece.isEmpty()) {
            return;
        }
        if (order.isEmpty() || order.getLast() != Kind.TEXT) {
            order.add(Kind.TEXT);
            texts.add(new StringBuilder());
        }
        texts.getLast().append(piece);
    }

    /** Marks where the next tool call started. */
    void toolCall() {
        order.add(Kind.TOOL_CALL);
    }

    /** @return whether the stream carried reasoning blocks */
    boolean hasReasoning() {
        return !reasoning.isEmpty();
    }

    /**
     * @param calls the choice's tool calls, in the order they started
     * @return the assistant message, its blocks in their order; empty when they cannot be placed
     */
    Optional<Message> message(List<ToolCall> calls) {
        if (!placeable || order.stream().filter(k -> k == Kind.TOOL_CALL).count() != calls.size()) {
            return Optional.empty();
        }
        List<ContentPart> parts = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        var blocks = reasoning.values().iterator();
        var text = texts.iterator();
        for (Kind k : order) {
            switch (k) {
                case REASONING -> parts.add(blocks.next().part());
                case TEXT -> parts.add(ContentPart.text(text.next().toString()));
                case TOOL_CALL -> positions.add(parts.size());
            }
        }
        return Optional.of(new Message(Role.ASSISTANT, parts, Optional.empty(), calls, Optional.empty(), false,
                positions));
    }

    /** One reasoning block, gathered from its fragments. */
    private static final class Reasoning {
        private final StringBuilder text = new StringBuilder();
        private String signature;
        private String redactedData;
        private String type;

        /** @return {@code false} if the fragment is not one the block can have: an unknown kind, another signature */
        boolean accept(JsonNode fragment) {
            String t = fragment.path("type").asText("thinking");
            if (!"thinking".equals(t) && !"redacted_thinking".equals(t) || type != null && !type.equals(t)) {
                return false;
            }
            type = t;
            if ("redacted_thinking".equals(t)) {
                String data = fragment.path("data").asText("");
                boolean same = redactedData == null || redactedData.equals(data);
                redactedData = data;
                return same;
            }
            text.append(fragment.path("thinking").asText(""));
            String sig = fragment.path("signature").asText("");
            if (sig.isEmpty()) {
                return true;
            }
            boolean same = signature == null || signature.equals(sig);
            signature = sig;
            return same;
        }

        ContentPart part() {
            return redactedData != null ? new ContentPart.RedactedThinking(redactedData)
                    : new ContentPart.Thinking(text.toString(), Optional.ofNullable(signature));
        }
    }
}
