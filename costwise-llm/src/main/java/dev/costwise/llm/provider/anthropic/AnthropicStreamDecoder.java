package dev.costwise.llm.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.ThinkingDelta;
import dev.costwise.llm.chat.ToolCallDelta;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.UsageNormalizer;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.wire.OpenAiWire;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns Anthropic's streaming events (https://docs.claude.com/en/docs/build-with-claude/streaming) into canonical
 * chunks. One decoder per stream; not thread-safe.
 *
 * <ul>
 *   <li>{@code message_start}: id, model, and the input side of usage ({@code input_tokens}, cache reads and writes,
 *       and {@code inference_geo}, where the call runs, which a later usage that leaves it out does not undo).
 *   <li>{@code content_block_start}/{@code content_block_delta}: {@code text_delta} becomes text,
 *       {@code tool_use} starts a tool call (id and name) and {@code input_json_delta} appends to its arguments.
 *       A tool takes no arguments by streaming one empty {@code input_json_delta}: when its block stops (or the
 *       message does) with no argument text at all, the call's arguments are the start's {@code input}
 *       ({@code {}}), so the streamed pieces add up to the JSON the unstreamed answer carries.
 *       A {@code thinking} block's start, {@code thinking_delta} and {@code signature_delta} become
 *       {@link ThinkingDelta}s of that block, a {@code redacted_thinking} block (whole in its start) one redacted
 *       delta; the delta's {@code block} counts the reasoning blocks only (0, 1, ...), not text or tool blocks.
 *   <li>{@code message_delta}: stop reason and cumulative usage ({@code output_tokens}; any input or cache counts it
 *       repeats override those of {@code message_start}). Its {@code cache_creation_input_tokens} comes without the
 *       {@code cache_creation} split by TTL, so the 1-hour writes {@code message_start} reported stay 1-hour writes;
 *       a total that grew adds 5-minute writes (Anthropic's default TTL), one that shrank takes from them first.
 *   <li>{@code message_stop}: one final chunk with the finish reason and the usage.
 *   <li>{@code ping} is ignored; {@code error} is thrown as the mapped {@link ProviderException}.
 * </ul>
 */
final class AnthropicStreamDecoder {

    private final Function<JsonNode, ProviderException> errorMapper;
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
    /** Tool blocks no argument text has arrived for yet, to the arguments they end with if none does. */
    private final Map<Integer, String> argumentsUnlessStreamed = new LinkedHashMap<>();
    /** Anthropic's content index of a reasoning block to its position among the reasoning blocks. */
    private final Map<Integer, Integer> reasoningIndexByBlock = new HashMap<>();
    private String id = "";
    private String model;
    private long inputTokens;
    private long cacheReadTokens;
    private long cacheWrite5mTokens;
    private long cacheWrite1hTokens;
    private long outputTokens;
    private boolean usageReported;
    private Optional<String> inferenceGeo = Optional.empty();
    private Optional<FinishReason> finishReason = Optional.empty();
    private Optional<String> stopSequence = Optional.empty();
    private boolean started;
    private boolean complete;

    /**
     * @param requestedUpstreamModel the model asked for, reported until {@code message_start} names the real one
     * @param errorMapper maps an {@code error} event's data to the exception to throw
     */
    AnthropicStreamDecoder(String requestedUpstreamModel, Function<JsonNode, ProviderException> errorMapper) {
        this.model = Objects.requireNonNull(requestedUpstreamModel, "requestedUpstreamModel");
        this.errorMapper = Objects.requireNonNull(errorMapper, "errorMapper");
    }

    /**
     * Decodes one event.
     *
     * @param event the SSE event name; when absent the data's {@code type} is used
     * @param data the event's data
     * @return the chunks it yields (often none)
     * @throws ProviderException for an {@code error} event
     * @throws IllegalArgumentException for an event that breaks the protocol (a delta for an unknown block)
     */
    List<ChatChunk> decode(String event, JsonNode data) {
        String type = event == null || event.isEmpty() || "message".equals(event) ? data.path("type").asText()
                : event;
        switch (type) {
            case "message_start" -> {
                JsonNode message = data.path("message");
                id = message.path("id").asText(id);
                model = message.path("model").asText(model);
                readUsage(message.path("usage"));
                started = true;
                return List.of();
            }
            case "content_block_start" -> {
                JsonNode block = data.path("content_block");
                int index = data.path("index").asInt();
                switch (block.path("type").asText()) {
                    case "tool_use" -> {
                        int toolIndex = toolIndexByBlock.size();
                        toolIndexByBlock.put(index, toolIndex);
                        JsonNode input = block.path("input");
                        argumentsUnlessStreamed.put(index, input.isObject() ? input.toString() : "{}");
                        return List.of(toolChunk(new ToolCallDelta(toolIndex,
                                Optional.of(AnthropicResponseMapper.requireText(block, "id")),
                                Optional.of(AnthropicResponseMapper.requireText(block, "name")), "")));
                    }
                    case "thinking" -> {
                        int reasoning = startReasoning(index);
                        // the start usually carries empty text and signature; the deltas bring them
                        List<ThinkingDelta> deltas = new ArrayList<>();
                        String thinking = block.path("thinking").asText("");
                        if (!thinking.isEmpty()) {
                            deltas.add(ThinkingDelta.text(reasoning, thinking));
                        }
                        String signature = block.path("signature").asText("");
                        if (!signature.isEmpty()) {
                            deltas.add(ThinkingDelta.signature(reasoning, signature));
                        }
                        // a chunk even when empty, so the block exists for the assembly in its place
                        return List.of(ChatChunk.thinking(id, model, deltas.isEmpty()
                                ? List.of(ThinkingDelta.text(reasoning, "")) : deltas));
                    }
                    case "redacted_thinking" -> {
                        int reasoning = startReasoning(index); // arrives whole: no deltas follow
                        return List.of(ChatChunk.thinking(id, model, List.of(ThinkingDelta.redacted(reasoning,
                                AnthropicResponseMapper.requireText(block, "data")))));
                    }
                    default -> { }
                }
                String text = block.path("text").asText("");
                return "text".equals(block.path("type").asText()) && !text.isEmpty()
                        ? List.of(ChatChunk.text(id, model, text)) : List.of();
            }
            case "content_block_delta" -> {
                JsonNode delta = data.path("delta");
                switch (delta.path("type").asText()) {
                    case "text_delta" -> {
                        return List.of(ChatChunk.text(id, model, delta.path("text").asText("")));
                    }
                    case "input_json_delta" -> {
                        int block = data.path("index").asInt();
                        Integer toolIndex = toolIndexByBlock.get(block);
                        if (toolIndex == null) {
                            throw new IllegalArgumentException("input_json_delta for content block " + block
                                    + " that did not start as tool_use");
                        }
                        String partial = delta.path("partial_json").asText("");
                        if (!partial.isEmpty()) {
                            argumentsUnlessStreamed.remove(block);
                        }
                        return List.of(toolChunk(new ToolCallDelta(toolIndex, Optional.empty(), Optional.empty(),
                                partial)));
                    }
                    case "thinking_delta" -> {
                        return List.of(ChatChunk.thinking(id, model, List.of(ThinkingDelta.text(
                                reasoningBlock(data, "thinking_delta"), delta.path("thinking").asText("")))));
                    }
                    case "signature_delta" -> {
                        return List.of(ChatChunk.thinking(id, model, List.of(ThinkingDelta.signature(
                                reasoningBlock(data, "signature_delta"), delta.path("signature").asText("")))));
                    }
                    default -> {
                        return List.of(); // citations_delta and delta types added later
                    }
                }
            }
            case "content_block_stop" -> {
                String arguments = argumentsUnlessStreamed.remove(data.path("index").asInt());
                return arguments == null ? List.of() : List.of(toolChunk(new ToolCallDelta(
                        toolIndexByBlock.get(data.path("index").asInt()), Optional.empty(), Optional.empty(),
                        arguments)));
            }
            case "message_delta" -> {
                String stop = data.path("delta").path("stop_reason").asText("");
                if (!stop.isEmpty()) {
                    finishReason = Optional.of(AnthropicResponseMapper.finishReason(stop));
                    stopSequence = AnthropicResponseMapper.stopSequence(data.path("delta"));
                }
                readUsage(data.path("usage"));
                return List.of();
            }
            case "message_stop" -> {
                complete = true;
                List<ChatChunk> out = new ArrayList<>();
                argumentsUnlessStreamed.forEach((block, arguments) -> out.add(toolChunk(new ToolCallDelta(
                        toolIndexByBlock.get(block), Optional.empty(), Optional.empty(), arguments))));
                argumentsUnlessStreamed.clear();
                out.add(new ChatChunk(id, model, "", List.of(), Optional.of(finishReason.orElse(
                        FinishReason.STOP)), usage(), List.of(), stopSequence));
                return out;
            }
            case "error" -> throw errorMapper.apply(data);
            default -> {
                return List.of(); // ping and event types added later
            }
        }
    }

    /** @return the position of a reasoning block starting at content index {@code index} among the answer's */
    private int startReasoning(int index) {
        int reasoning = reasoningIndexByBlock.size();
        reasoningIndexByBlock.put(index, reasoning);
        return reasoning;
    }

    private int reasoningBlock(JsonNode data, String deltaType) {
        int block = data.path("index").asInt();
        Integer reasoning = reasoningIndexByBlock.get(block);
        if (reasoning == null) {
            throw new IllegalArgumentException(deltaType + " for content block " + block
                    + " that did not start as thinking");
        }
        return reasoning;
    }

    private void readUsage(JsonNode usage) {
        if (!usage.isObject()) {
            return;
        }
        usageReported |= AnthropicResponseMapper.reported(usage).isPresent();
        inputTokens = usage.path("input_tokens").asLong(inputTokens);
        cacheReadTokens = usage.path("cache_read_input_tokens").asLong(cacheReadTokens);
        if (usage.path("cache_creation").isObject()) {
            AnthropicResponseMapper.CacheWrites writes = AnthropicResponseMapper.CacheWrites.of(usage);
            cacheWrite5mTokens = writes.fiveMinutes();
            cacheWrite1hTokens = writes.oneHour();
        } else if (usage.path("cache_creation_input_tokens").isNumber()) {
            // message_delta repeats the cumulative total without the TTL split: the split seen so far stands, and
            // writes beyond it took the default 5-minute TTL (as an unsplit total does)
            long total = usage.path("cache_creation_input_tokens").asLong();
            cacheWrite1hTokens = Math.min(cacheWrite1hTokens, Math.max(0, total));
            cacheWrite5mTokens = total - cacheWrite1hTokens;
        }
        outputTokens = usage.path("output_tokens").asLong(outputTokens);
        inferenceGeo = OpenAiWire.readInferenceGeo(usage).or(() -> inferenceGeo);
    }

    private ChatChunk toolChunk(ToolCallDelta delta) {
        return new ChatChunk(id, model, "", List.of(delta), Optional.empty(), Optional.empty());
    }

    /**
     * @return the usage seen so far, normalised (input includes cache reads and writes); empty while no event has
     *     reported a count (a stream without usage is billed an estimate)
     */
    Optional<Usage> usage() {
        return usageReported ? Optional.of(UsageNormalizer.fromAnthropic(inputTokens, cacheReadTokens,
                cacheWrite5mTokens, cacheWrite1hTokens, outputTokens).withInferenceGeo(inferenceGeo))
                : Optional.empty();
    }

    /** @return {@code true} once {@code message_start} arrived */
    boolean started() {
        return started;
    }

    /** @return {@code true} once {@code message_stop} arrived */
    boolean complete() {
        return complete;
    }

    /** @return the message id, empty before {@code message_start} */
    String id() {
        return id;
    }

    /** @return the model that answers */
    String model() {
        return model;
    }
}
