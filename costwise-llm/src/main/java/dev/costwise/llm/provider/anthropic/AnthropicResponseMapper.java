package dev.costwise.llm.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.UsageNormalizer;
import dev.costwise.llm.wire.OpenAiWire;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads Anthropic's Messages response (https://docs.claude.com/en/api/messages) into canonical pieces.
 *
 * <p>Blocks keep their order and their bounds: each text block is a text part; {@code tool_use} blocks become tool
 * calls with their {@code input} serialised back to a JSON text, at their place among the parts
 * ({@link Message#toolCallPositions()}); {@code thinking} and {@code redacted_thinking} blocks become
 * {@link ContentPart.Thinking} and {@link ContentPart.RedactedThinking} parts where they came, so that the message
 * can be sent back as it was in a tool-use turn (their tokens are in {@code output_tokens}). The message's text is
 * its text blocks' joined.
 */
final class AnthropicResponseMapper {

    private AnthropicResponseMapper() {}

    /**
     * A parsed Messages response.
     *
     * @param id the message id ({@code msg_…})
     * @param model the model that answered
     * @param message the assistant message
     * @param finishReason the mapped stop reason
     * @param usage normalised usage; empty when the answer reports none
     * @param stopSequence the stop sequence that ended the answer ({@code stop_reason: stop_sequence})
     */
    record Reply(String id, String model, Message message, FinishReason finishReason, Optional<Usage> usage,
            Optional<String> stopSequence) {}

    /**
     * Reads a whole (non-streamed) response.
     *
     * @param body the parsed JSON
     * @return the reply
     * @throws IllegalArgumentException if a required field is missing (the message names it)
     */
    static Reply read(JsonNode body) {
        String id = requireText(body, "id");
        String model = requireText(body, "model");
        JsonNode content = body.path("content");
        if (!content.isArray()) {
            throw new IllegalArgumentException("response has no 'content' array");
        }
        List<ContentPart> parts = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        List<Integer> callPositions = new ArrayList<>();
        for (JsonNode block : content) {
            switch (block.path("type").asText()) {
                case "text" -> {
                    if (!block.path("text").asText("").isEmpty()) {
                        parts.add(ContentPart.text(block.path("text").asText()));
                    }
                }
                case "tool_use" -> {
                    calls.add(new ToolCall(requireText(block, "id"), requireText(block, "name"),
                            block.path("input").isMissingNode() ? "{}" : block.path("input").toString()));
                    callPositions.add(parts.size());
                }
                case "thinking" -> parts.add(thinking(block));
                case "redacted_thinking" -> parts.add(new ContentPart.RedactedThinking(requireText(block, "data")));
                default -> { } // server tool blocks: not part of the canonical answer
            }
        }
        Message message = new Message(Role.ASSISTANT, parts, Optional.empty(), calls, Optional.empty(), false,
                callPositions);
        return new Reply(id, model, message, finishReason(body.path("stop_reason").asText("")),
                reported(body.path("usage")).map(u -> usage(u, 0)), stopSequence(body));
    }

    /**
     * @param usage a message's or a stream event's {@code usage}
     * @return it, if it reports a count; an answer without one (absent, null, no counts, as some Anthropic-format
     *     servers send) is still an answer, billed an estimate
     */
    static Optional<JsonNode> reported(JsonNode usage) {
        return usage.isObject() && (usage.path("input_tokens").isNumber() || usage.path("output_tokens").isNumber())
                ? Optional.of(usage) : Optional.empty();
    }

    /**
     * @param stop a message, or a stream's {@code message_delta} {@code delta}, holding {@code stop_reason} and
     *     {@code stop_sequence}
     * @return the stop sequence that ended the answer; empty when it ended otherwise
     */
    static Optional<String> stopSequence(JsonNode stop) {
        return stop.path("stop_reason").asText("").equals("stop_sequence") && stop.path("stop_sequence").isTextual()
                ? Optional.of(stop.get("stop_sequence").asText()) : Optional.empty();
    }

    /** The text may be empty (thinking not displayed) and is kept as sent: its signature covers it. */
    private static ContentPart.Thinking thinking(JsonNode block) {
        String signature = block.path("signature").asText("");
        return new ContentPart.Thinking(block.path("thinking").asText(""),
                signature.isEmpty() ? Optional.empty() : Optional.of(signature));
    }

    /**
     * Maps Anthropic's {@code stop_reason}.
     *
     * @param stopReason {@code end_turn}, {@code stop_sequence}, {@code max_tokens}, {@code tool_use},
     *     {@code refusal}, {@code pause_turn}…
     * @return the canonical reason; {@link FinishReason#OTHER} for anything else
     */
    static FinishReason finishReason(String stopReason) {
        return switch (stopReason) {
            case "end_turn", "stop_sequence" -> FinishReason.STOP;
            case "max_tokens" -> FinishReason.LENGTH;
            case "model_context_window_exceeded" -> FinishReason.CONTEXT_WINDOW_EXCEEDED;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    /**
     * Normalises Anthropic usage with {@link UsageNormalizer#fromAnthropic}: its {@code input_tokens} excludes cache
     * reads and cache writes, Costwise's {@link Usage#inputTokens()} includes them; 1-hour cache writes are kept apart,
     * and so is {@code inference_geo}, where the call ran (US-only inference is billed at 1.1× on the newer models).
     *
     * @param usage the {@code usage} object
     * @param outputFloor an output count to use when {@code usage} has none
     * @return the usage
     */
    static Usage usage(JsonNode usage, long outputFloor) {
        long output = usage.has("output_tokens") ? usage.path("output_tokens").asLong(0) : outputFloor;
        CacheWrites writes = CacheWrites.of(usage);
        return UsageNormalizer.fromAnthropic(usage.path("input_tokens").asLong(0),
                usage.path("cache_read_input_tokens").asLong(0), writes.fiveMinutes(), writes.oneHour(), output)
                .withInferenceGeo(OpenAiWire.readInferenceGeo(usage));
    }

    /**
     * Cache writes by TTL: {@code cache_creation.ephemeral_5m_input_tokens} and {@code ephemeral_1h_input_tokens}
     * when the response splits them, else the total {@code cache_creation_input_tokens} as 5-minute writes
     * (Anthropic's default TTL).
     *
     * @param fiveMinutes tokens written with the 5-minute TTL
     * @param oneHour tokens written with the 1-hour TTL
     */
    record CacheWrites(long fiveMinutes, long oneHour) {
        static CacheWrites of(JsonNode usage) {
            JsonNode split = usage.path("cache_creation");
            if (split.isObject()) {
                return new CacheWrites(split.path("ephemeral_5m_input_tokens").asLong(0),
                        split.path("ephemeral_1h_input_tokens").asLong(0));
            }
            return new CacheWrites(usage.path("cache_creation_input_tokens").asLong(0), 0);
        }
    }

    static String requireText(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("missing '" + field + "' in " + node.path("type").asText("object"));
        }
        return value.asText();
    }
}
