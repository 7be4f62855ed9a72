package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.provider.anthropic.AnthropicErrorTypes;
import dev.costwise.llm.wire.BlockOrder;
import dev.costwise.llm.wire.OpenAiWire;

/**
 * Writes the gateway's OpenAI-format answers in the shape of Anthropic's Messages API
 * (https://docs.claude.com/en/api/messages and https://docs.claude.com/en/api/errors): a completion as a
 * {@code message} with {@code thinking} (signed, from Anthropic models), text and {@code tool_use} blocks (in the
 * order of the answer's {@link BlockOrder}, which an Anthropic model's answer keeps), its finish
 * reason as a {@code stop_reason}, its usage split as Anthropic splits it (uncached input apart from cache reads and
 * writes), and errors as {@code {"type": "error", "error": {"type", "message"}}}. Stateless.
 */
final class MessagesAnswer {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MessagesAnswer() {}

    /**
     * @param completion an OpenAI {@code chat.completion}
     * @param id the message id to give it
     * @param json parses a tool call's arguments
     * @return the Anthropic {@code message}
     */
    static ObjectNode message(JsonNode completion, String id, ObjectMapper json) {
        ObjectNode out = NODES.objectNode().put("id", id).put("type", "message").put("role", "assistant")
                .put("model", completion.path("model").asText(""));
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        ArrayNode content = out.putArray("content");
        for (BlockOrder.Block b : BlockOrder.read(message, "choices[0].message")) {
            switch (b.kind()) { // in the order the model gave them, each block whole
                case REASONING -> content.add(thinkingBlock(b.node()));
                case CONTENT -> {
                    JsonNode text = AnswerText.of(b.node().path("text"));
                    if (!AnswerText.isEmpty(text)) {
                        content.addObject().put("type", "text").set("text", text);
                    }
                }
                case TOOL_CALL -> {
                    JsonNode call = b.node();
                    ObjectNode block = content.addObject().put("type", "tool_use").put("id", call.path("id").asText())
                            .put("name", call.path("function").path("name").asText());
                    block.set("input", toolInput(call.path("function").path("arguments").asText(""), json));
                }
            }
        }
        stop(out, finishReason(choice), stopSequence(choice));
        out.set("usage", usage(completion.path("usage")));
        return out;
    }

    /**
     * @param block a reasoning block in LiteLLM's {@code thinking_blocks} form (our own answers write it)
     * @return the Anthropic {@code thinking} or {@code redacted_thinking} block, signature kept
     */
    static ObjectNode thinkingBlock(JsonNode block) {
        if (block.path("type").asText().equals("redacted_thinking")) {
            return NODES.objectNode().put("type", "redacted_thinking").put("data", block.path("data").asText(""));
        }
        ObjectNode out = NODES.objectNode().put("type", "thinking");
        out.set("thinking", AnswerText.of(block.path("thinking")));
        return out.put("signature", block.path("signature").asText(""));
    }

    /**
     * Writes Anthropic's {@code stop_reason} and {@code stop_sequence}. A stop sequence is reported only when the
     * upstream named the one that matched (Anthropic, and vLLM's {@code stop_reason}): OpenAI's {@code stop} means a
     * natural end or a stop sequence alike, so it is {@code end_turn} with {@code stop_sequence: null}, which claims no
     * more than OpenAI said.
     *
     * @param out the message, or a {@code message_delta}'s {@code delta}
     * @param finishReason the finish reason as {@link #finishReason} reads it
     * @param stopSequence the sequence that matched; null when the upstream named none
     */
    static void stop(ObjectNode out, String finishReason, String stopSequence) {
        boolean matched = stopSequence != null && finishReason.equals("stop");
        out.put("stop_reason", matched ? "stop_sequence" : stopReason(finishReason));
        out.put("stop_sequence", matched ? stopSequence : null);
    }

    /**
     * @param choice a completion's choice, or a chunk's, that has its finish reason
     * @return its {@code finish_reason}, or Anthropic's {@code model_context_window_exceeded} where its
     *     {@code native_finish_reason} names that cause of a {@code length} ({@code stop} when absent)
     */
    static String finishReason(JsonNode choice) {
        String reason = choice.path("finish_reason").asText("stop");
        return reason.equals("length") && OpenAiWire.CONTEXT_WINDOW_EXCEEDED.equals(choice.path(
                OpenAiWire.NATIVE_FINISH_REASON).asText()) ? OpenAiWire.CONTEXT_WINDOW_EXCEEDED : reason;
    }

    /**
     * @param choice a completion's choice, or a chunk's
     * @return the stop sequence its {@code stop_reason} names (a vLLM token id is not one); null if none
     */
    static String stopSequence(JsonNode choice) {
        JsonNode value = choice.get(OpenAiWire.STOP_REASON);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /**
     * @param finishReason OpenAI's {@code finish_reason}, or {@code model_context_window_exceeded} as
     *     {@link #finishReason} reads it
     * @return Anthropic's {@code stop_reason}
     */
    private static String stopReason(String finishReason) {
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case OpenAiWire.CONTEXT_WINDOW_EXCEEDED -> OpenAiWire.CONTEXT_WINDOW_EXCEEDED;
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    /**
     * Anthropic's usage from OpenAI's: {@code input_tokens} is the prompt neither read from nor written to the
     * prompt cache, which OpenAI counts inside {@code prompt_tokens}; the cache writes split by TTL
     * ({@code cache_creation}), as Anthropic answers, from the 1-hour writes the gateway wrote beside the total (all
     * 5-minute writes without them); {@code inference_geo} as the gateway wrote it beside the counts, when the
     * Anthropic model reported one.
     *
     * @param usage an OpenAI {@code usage} object (missing: zeros)
     * @return Anthropic's {@code usage}
     */
    static ObjectNode usage(JsonNode usage) {
        long prompt = usage.path("prompt_tokens").asLong(0);
        JsonNode details = usage.path("prompt_tokens_details");
        long read = details.path("cached_tokens").asLong(0);
        long written = details.path("cache_write_tokens").asLong(0);
        long oneHour = Math.min(written, details.path(OpenAiWire.CACHE_WRITE_1H_TOKENS).asLong(0));
        ObjectNode out = NODES.objectNode().put("input_tokens", Math.max(0, prompt - read - written))
                .put("cache_creation_input_tokens", written).put("cache_read_input_tokens", read);
        out.putObject("cache_creation").put("ephemeral_5m_input_tokens", written - oneHour)
                .put("ephemeral_1h_input_tokens", oneHour);
        out.put("output_tokens", usage.path("completion_tokens").asLong(0));
        OpenAiWire.readInferenceGeo(usage).ifPresent(g -> out.put(OpenAiWire.INFERENCE_GEO, g));
        return out;
    }

    /**
     * @param error the gateway's error
     * @return its body in Anthropic's shape, as bytes to send
     */
    static byte[] errorBody(ApiError error) {
        return error(error).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * @param error the gateway's error
     * @return its body in Anthropic's shape
     */
    static ObjectNode error(ApiError error) {
        ObjectNode root = NODES.objectNode().put("type", "error");
        root.putObject("error").put("type", errorType(error)).put("message", error.message());
        // beside the error, as in a stream's error event (the Anthropic SDKs raise the body whole)
        error.billed().ifPresent(b -> CostwiseObject.of(b).writeTo(root));
        return root;
    }

    /**
     * Anthropic's error type for the gateway's error, from what failed rather than the status the gateway answers
     * with: an upstream rate limit or overload is a 503 from the gateway, but a client that backs off on
     * {@code rate_limit_error} or {@code overloaded_error} must see which, as a failure mid-stream names it. An
     * upstream's exhausted quota or credits (OpenAI's {@code insufficient_quota}, a 402) is {@code billing_error}, as
     * Anthropic names its own: waiting does not clear it, and clients read {@code overloaded_error} as "retry".
     */
    private static String errorType(ApiError error) {
        return errorType(error.code().orElse(""), error.status());
    }

    /**
     * @param code the gateway's error code
     * @param status the status the gateway answers it with
     * @return Anthropic's error type for it, as {@link #errorType(ApiError)} names it
     */
    static String errorType(String code, int status) {
        return switch (code) {
            case "upstream_rate_limited", "rate_limit_exceeded" -> "rate_limit_error";
            case "upstream_overloaded", "upstream_circuit_open" -> "overloaded_error";
            case "upstream_quota_exhausted" -> "billing_error";
            default -> AnthropicErrorTypes.forStatus(status);
        };
    }

    /**
     * A tool call's arguments as the object Anthropic's {@code input} must be; text that is not one (an OpenAI-format
     * provider's {@code [1, 2]}, or arguments cut off by the output limit) is kept whole, as
     * {@code {"_raw_arguments": text}}.
     */
    static JsonNode toolInput(String arguments, ObjectMapper json) {
        if (arguments.isBlank()) {
            return NODES.objectNode();
        }
        try {
            JsonNode parsed = json.readTree(arguments);
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (java.io.IOException e) {
            // not JSON: kept below
        }
        return NODES.objectNode().put("_raw_arguments", arguments);
    }

    /** @return a chat message's text: its string content, or its parts' texts joined */
    static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            sb.append(part.path("text").asText(""));
        }
        return sb.toString();
    }
}
