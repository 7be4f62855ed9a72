package dev.costwise.llm.wire;

import static dev.costwise.llm.wire.JsonReader.describe;
import static dev.costwise.llm.wire.JsonReader.index;
import static dev.costwise.llm.wire.JsonReader.optBoolean;
import static dev.costwise.llm.wire.JsonReader.optLong;
import static dev.costwise.llm.wire.JsonReader.optString;
import static dev.costwise.llm.wire.JsonReader.path;
import static dev.costwise.llm.wire.JsonReader.requireObject;
import static dev.costwise.llm.wire.JsonReader.requireString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ThinkingDelta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reasoning in the OpenAI chat shape and its common extensions.
 *
 * <ul>
 *   <li>Request setting: OpenAI's {@code reasoning_effort}, or OpenRouter's {@code reasoning} object
 *       ({@code effort} or {@code max_tokens}, {@code enabled}).</li>
 *   <li>Reasoning blocks: LiteLLM's form, the one OpenAI-format clients of Anthropic models already use:
 *       {@code thinking_blocks} on an assistant message or a delta ({@code {"type": "thinking", "thinking",
 *       "signature"}} or {@code {"type": "redacted_thinking", "data"}}), with the text also in
 *       {@code reasoning_content}. In a delta each block also carries its {@code index} among the answer's blocks.
 *       An answer with no blocks but plain reasoning text ({@code reasoning_content} from DeepSeek and vLLM,
 *       {@code reasoning} from Groq and OpenRouter) has it read as one unsigned block.</li>
 * </ul>
 */
final class ReasoningWire {

    private static final String BLOCKS = "thinking_blocks";

    private ReasoningWire() {}

    /** Reads {@code reasoning_effort} or OpenRouter's {@code reasoning}; refuses both at once. */
    static Optional<Reasoning> readSetting(JsonNode root) {
        Optional<String> effortName = optString(root, "reasoning_effort", "");
        JsonNode object = root.get("reasoning");
        boolean hasObject = object != null && !object.isNull();
        if (effortName.isPresent() && hasObject) {
            throw new WireFormatException("reasoning", "give reasoning_effort or reasoning, not both");
        }
        if (effortName.isPresent()) {
            return Optional.of(Reasoning.effort(effort(effortName.get(), "reasoning_effort")));
        }
        if (!hasObject) {
            return Optional.empty();
        }
        requireObject(object, "reasoning");
        Optional<ReasoningEffort> effort = optString(object, "effort", "reasoning")
                .map(name -> effort(name, "reasoning.effort"));
        Optional<Integer> budget = optLong(object, "max_tokens", "reasoning").map(tokens -> {
            if (tokens < 0 || tokens > Integer.MAX_VALUE) {
                throw new WireFormatException("reasoning.max_tokens", "must be 0 or more, was " + tokens);
            }
            return tokens.intValue();
        });
        Optional<Boolean> enabled = optBoolean(object, "enabled", "reasoning");
        if (enabled.isPresent() && !enabled.get()) {
            return Optional.of(Reasoning.off());
        }
        if (effort.isEmpty() && budget.isEmpty()) {
            // OpenRouter: "enabled": true alone means the model's default effort
            return enabled.isPresent() ? Optional.of(Reasoning.effort(ReasoningEffort.MEDIUM)) : Optional.empty();
        }
        return Optional.of(new Reasoning(effort, budget));
    }

    private static ReasoningEffort effort(String name, String at) {
        return ReasoningEffort.fromWireName(name).orElseThrow(() -> new WireFormatException(at,
                "unknown value '" + name + "'; expected one of " + ReasoningEffort.wireNames()));
    }

    /**
     * Writes the setting for an upstream.
     *
     * @param openRouterForm write OpenRouter's {@code reasoning} object (a budget as {@code max_tokens}) rather than
     *     {@code reasoning_effort}
     */
    static void writeSetting(ObjectNode root, Reasoning reasoning, boolean openRouterForm) {
        if (!openRouterForm) {
            root.put("reasoning_effort", openAiName(reasoning.effortOrNearest()));
            return;
        }
        ObjectNode object = root.putObject("reasoning");
        if (reasoning.isOff()) {
            object.put("effort", "none");
        } else if (reasoning.budgetTokens().isPresent()) {
            object.put("max_tokens", reasoning.budgetTokens().get());
        } else {
            object.put("effort", openAiName(reasoning.effortOrNearest()));
        }
    }

    /** OpenAI has no {@code max}: its deepest level is {@code xhigh}. */
    static String openAiName(ReasoningEffort effort) {
        return effort == ReasoningEffort.MAX ? ReasoningEffort.XHIGH.wireName() : effort.wireName();
    }

    /** Reads an assistant message's {@code thinking_blocks}, in order; empty if it has none. */
    static List<ContentPart> readBlocks(JsonNode message, String at) {
        JsonNode blocks = blocks(message, at);
        List<ContentPart> parts = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            parts.add(readBlock(blocks.get(i), index(path(at, BLOCKS), i)));
        }
        return parts;
    }

    /** Reads one {@code thinking_blocks} entry. */
    static ContentPart readBlock(JsonNode node, String at) {
        JsonNode block = requireObject(node, at);
        String type = requireString(block, "type", at);
        return switch (type) {
            case "thinking" -> new ContentPart.Thinking(optString(block, "thinking", at).orElse(""),
                    optString(block, "signature", at));
            case "redacted_thinking" -> new ContentPart.RedactedThinking(requireString(block, "data", at));
            default -> throw new WireFormatException(path(at, "type"), "unknown value '" + type
                    + "'; expected thinking or redacted_thinking");
        };
    }

    /**
     * Reads an answer's reasoning: its {@code thinking_blocks}, or else the plain reasoning text other servers send
     * ({@code reasoning_content}: DeepSeek, vLLM; {@code reasoning}: Groq, OpenRouter) as one unsigned block.
     */
    static List<ContentPart> readAnswerReasoning(JsonNode message, String at) {
        List<ContentPart> blocks = readBlocks(message, at);
        if (!blocks.isEmpty()) {
            return blocks;
        }
        return reasoningText(message).<List<ContentPart>>map(t -> List.of(new ContentPart.Thinking(t,
                Optional.empty()))).orElse(List.of());
    }

    /** As {@link #readAnswerReasoning} for a delta: plain reasoning text is a fragment of block 0. */
    static List<ThinkingDelta> readDeltaReasoning(JsonNode delta, String at) {
        List<ThinkingDelta> deltas = readDeltas(delta, at);
        if (!deltas.isEmpty()) {
            return deltas;
        }
        return reasoningText(delta).map(t -> List.of(ThinkingDelta.text(0, t))).orElse(List.of());
    }

    private static Optional<String> reasoningText(JsonNode node) {
        for (String field : new String[] {"reasoning_content", "reasoning"}) {
            JsonNode text = node.get(field);
            if (text != null && text.isTextual() && !text.asText().isEmpty()) {
                return Optional.of(text.asText());
            }
        }
        return Optional.empty();
    }

    /** Writes {@code reasoning_content} and {@code thinking_blocks} on a message, if it has reasoning blocks. */
    static void writeBlocks(ObjectNode message, List<ContentPart> reasoning) {
        if (reasoning.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        ArrayNode blocks = message.putArray(BLOCKS);
        for (ContentPart part : reasoning) {
            switch (part) {
                case ContentPart.Thinking t -> {
                    text.append(t.text());
                    ObjectNode block = blocks.addObject().put("type", "thinking").put("thinking", t.text());
                    t.signature().ifPresent(s -> block.put("signature", s));
                }
                case ContentPart.RedactedThinking r -> blocks.addObject().put("type", "redacted_thinking")
                        .put("data", r.data());
                default -> throw new IllegalArgumentException("not a reasoning block: " + part);
            }
        }
        message.put("reasoning_content", text.toString());
    }

    /** Writes a chunk's reasoning fragments on its delta. */
    static void writeDeltas(ObjectNode delta, List<ThinkingDelta> deltas) {
        if (deltas.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        ArrayNode blocks = delta.putArray(BLOCKS);
        for (ThinkingDelta d : deltas) {
            ObjectNode block = blocks.addObject().put("index", d.block());
            if (d.redactedData().isPresent()) {
                block.put("type", "redacted_thinking").put("data", d.redactedData().get());
            } else {
                text.append(d.text());
                block.put("type", "thinking").put("thinking", d.text());
                d.signature().ifPresent(s -> block.put("signature", s));
            }
        }
        delta.put("reasoning_content", text.toString());
    }

    /** Reads a delta's {@code thinking_blocks}; a block with no {@code index} (LiteLLM writes none) is block 0. */
    static List<ThinkingDelta> readDeltas(JsonNode delta, String at) {
        JsonNode blocks = blocks(delta, at);
        List<ThinkingDelta> out = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            String blockAt = index(path(at, BLOCKS), i);
            int number = optLong(blocks.get(i), "index", blockAt).orElse(0L).intValue();
            out.add(switch (readBlock(blocks.get(i), blockAt)) {
                case ContentPart.Thinking t -> new ThinkingDelta(number, t.text(), t.signature(), Optional.empty());
                case ContentPart.RedactedThinking r -> ThinkingDelta.redacted(number, r.data());
                default -> throw new IllegalStateException("readBlock reads reasoning blocks only");
            });
        }
        return out;
    }

    /** @return the node's {@code thinking_blocks} array, or an empty one if it has none */
    private static JsonNode blocks(JsonNode node, String at) {
        JsonNode blocks = node.get(BLOCKS);
        if (blocks == null || blocks.isNull()) {
            return MissingNode.getInstance();
        }
        if (!blocks.isArray()) {
            throw new WireFormatException(path(at, BLOCKS), "expected an array, was " + describe(blocks));
        }
        return blocks;
    }
}
