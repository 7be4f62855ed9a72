package dev.costwise.llm.wire;

import static dev.costwise.llm.wire.JsonReader.describe;
import static dev.costwise.llm.wire.JsonReader.index;
import static dev.costwise.llm.wire.JsonReader.path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The order of an assistant message's blocks in the OpenAI chat shape: Costwise's own {@value #FIELD} field.
 *
 * <p>OpenAI's format keeps a message's reasoning ({@code thinking_blocks}), its content and its {@code tool_calls}
 * apart, and its answers hold their text as one string. Anthropic's interleave them ({@code thinking}, {@code text},
 * {@code thinking}, {@code text}, {@code tool_use}) and refuse a turn sent back with its thinking blocks moved. So a
 * message whose blocks are not plainly ordered (its reasoning first, then its content, then its tool calls; and, in an
 * answer, at most one content part) carries {@value #FIELD}: an array holding, in order, {@value #THINKING} for the
 * next of its {@code thinking_blocks}, {@value #TOOL_CALL} for the next of its {@code tool_calls}, and each content
 * part whole, as {@code content} would hold it ({@code {"type": "text", "text": ...}}). It is then the message's
 * content, and {@code content} the same text for readers that do not know the field. A message without it is plainly
 * ordered. Stateless.
 */
public final class BlockOrder {
    /** The field. */
    public static final String FIELD = "block_order";
    /** The entry that stands for the message's next reasoning block. */
    public static final String THINKING = "thinking";
    /** The entry that stands for the message's next tool call. */
    public static final String TOOL_CALL = "tool_call";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private BlockOrder() {}

    /** What a block is. */
    public enum Kind {
        /** A reasoning block: a {@code thinking_blocks} entry. */
        REASONING,
        /** A content part ({@code text}, {@code image_url}). */
        CONTENT,
        /** A tool call: a {@code tool_calls} entry. */
        TOOL_CALL
    }

    /**
     * One block of a message.
     *
     * @param kind what it is
     * @param node its JSON: the reasoning block, the content part or the tool call
     * @param at its path, for errors ({@code messages[1].thinking_blocks[0]})
     */
    public record Block(Kind kind, JsonNode node, String at) {
        public Block {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * Reads a message's blocks in order: as its {@value #FIELD} says, or else its reasoning blocks, its content parts
     * (a string content is one text part) and its tool calls.
     *
     * @param message an assistant message, or a completion's message
     * @param at the message's path, for errors
     * @return its blocks
     * @throws WireFormatException if {@value #FIELD} is not an array of its entries, or names more or fewer
     *     reasoning blocks or tool calls than the message has
     */
    public static List<Block> read(JsonNode message, String at) {
        List<Block> reasoning = entries(message, "thinking_blocks", at, Kind.REASONING);
        List<Block> calls = entries(message, "tool_calls", at, Kind.TOOL_CALL);
        JsonNode order = message.get(FIELD);
        List<Block> out = new ArrayList<>();
        if (order == null || order.isNull()) {
            out.addAll(reasoning);
            JsonNode content = message.get("content");
            if (content != null && content.isTextual()) {
                // the node itself, not its text: a long answer's may be read lazily, and is not copied here
                out.add(new Block(Kind.CONTENT, NODES.objectNode().put("type", "text").set("text", content),
                        path(at, "content")));
            } else {
                out.addAll(entries(message, "content", at, Kind.CONTENT));
            }
            out.addAll(calls);
            return out;
        }
        String oat = path(at, FIELD);
        if (!order.isArray()) {
            throw new WireFormatException(oat, "expected an array, was " + describe(order));
        }
        int r = 0;
        int c = 0;
        for (int i = 0; i < order.size(); i++) {
            JsonNode entry = order.get(i);
            String eat = index(oat, i);
            if (entry.isObject()) {
                out.add(new Block(Kind.CONTENT, entry, eat));
            } else if (THINKING.equals(entry.textValue())) {
                if (r == reasoning.size()) {
                    throw new WireFormatException(eat, "names more reasoning blocks than thinking_blocks holds");
                }
                out.add(reasoning.get(r++));
            } else if (TOOL_CALL.equals(entry.textValue())) {
                if (c == calls.size()) {
                    throw new WireFormatException(eat, "names more tool calls than tool_calls holds");
                }
                out.add(calls.get(c++));
            } else {
                throw new WireFormatException(eat, "expected \"" + THINKING + "\", \"" + TOOL_CALL
                        + "\" or a content part, was " + describe(entry));
            }
        }
        if (r < reasoning.size() || c < calls.size()) {
            throw new WireFormatException(oat, "names " + r + " of the " + reasoning.size()
                    + " thinking_blocks and " + c + " of the " + calls.size() + " tool_calls: it must name each once");
        }
        return out;
    }

    /**
     * Writes {@value #FIELD} on a message whose blocks are not plainly ordered; a plainly ordered one is left as it is.
     *
     * @param message the message, with its {@code thinking_blocks}, {@code content} and {@code tool_calls} written
     * @param blocks its blocks in order (a block's {@code at} is not read)
     * @param oneContentPart {@code true} for an answer, whose content is one string: more than one content part is
     *     then out of plain order too
     */
    public static void write(ObjectNode message, List<Block> blocks, boolean oneContentPart) {
        if (plain(blocks, oneContentPart)) {
            return;
        }
        ArrayNode order = message.putArray(FIELD);
        for (Block b : blocks) {
            switch (b.kind()) {
                case REASONING -> order.add(THINKING);
                case TOOL_CALL -> order.add(TOOL_CALL);
                case CONTENT -> order.add(b.node().deepCopy());
            }
        }
    }

    /** @return whether the blocks are reasoning, then content (one part at most if so asked), then tool calls */
    private static boolean plain(List<Block> blocks, boolean oneContentPart) {
        Kind last = Kind.REASONING;
        int parts = 0;
        for (Block b : blocks) {
            if (b.kind().ordinal() < last.ordinal()) {
                return false;
            }
            last = b.kind();
            parts += b.kind() == Kind.CONTENT ? 1 : 0;
        }
        return !oneContentPart || parts <= 1;
    }

    /** @return the elements of an array field as blocks of one kind; none when it is absent or not an array */
    private static List<Block> entries(JsonNode message, String field, String at, Kind kind) {
        JsonNode array = message.get(field);
        List<Block> out = new ArrayList<>();
        if (array == null || !array.isArray()) {
            return out;
        }
        for (int i = 0; i < array.size(); i++) {
            out.add(new Block(kind, array.get(i), index(path(at, field), i)));
        }
        return out;
    }
}
