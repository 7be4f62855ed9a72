package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.wire.BlockOrder;
import dev.costwise.llm.wire.OpenAiWire;
import java.util.Optional;

/**
 * Writes the gateway's chat completions as OpenAI Responses API objects
 * (https://platform.openai.com/docs/api-reference/responses/object): a {@code response} whose {@code output} holds a
 * {@code message} item with an {@code output_text} part and a {@code function_call} item per tool call, and a
 * {@code reasoning} item per signed thinking block of an Anthropic model ({@link ReasoningItems}), in the order the
 * model wrote them (a message item per run of text blocks, an {@code output_text} part each), its status
 * ({@code incomplete} when the output limit cut it or a content filter stopped it), and its usage in the Responses
 * shape. The request's settings are echoed as OpenAI echoes them. Stateless.
 */
final class ResponsesAnswer {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ResponsesAnswer() {}

    /**
     * The response before any output, as a stream's first events carry it.
     *
     * @param id the response id
     * @param request the Responses request, whose settings are echoed
     * @param model the model that answers
     * @param createdAt seconds since the epoch
     * @return a response with status {@code in_progress} and no output
     */
    static ObjectNode started(String id, JsonNode request, String model, long createdAt) {
        ObjectNode r = NODES.objectNode().put("id", id).put("object", "response").put("created_at", createdAt)
                .put("status", "in_progress");
        r.putNull("error");
        r.putNull("incomplete_details");
        r.set("instructions", request.path("instructions").isTextual() ? request.get("instructions")
                : NODES.nullNode());
        r.set("max_output_tokens", request.path("max_output_tokens").isNumber() ? request.get("max_output_tokens")
                : NODES.nullNode());
        r.put("model", model);
        r.putArray("output");
        r.put("parallel_tool_calls", request.path("parallel_tool_calls").asBoolean(true));
        r.set("temperature", request.path("temperature").isNumber() ? request.get("temperature") : NODES.nullNode());
        r.set("tool_choice", request.hasNonNull("tool_choice") ? request.get("tool_choice") : NODES.textNode("auto"));
        r.set("tools", request.path("tools").isArray() ? request.get("tools") : NODES.arrayNode());
        r.set("top_p", request.path("top_p").isNumber() ? request.get("top_p") : NODES.nullNode());
        r.put("store", stores(request));
        r.set("previous_response_id", request.hasNonNull("previous_response_id")
                ? request.get("previous_response_id") : NODES.nullNode());
        r.set("metadata", request.path("metadata").isObject() ? request.get("metadata") : NODES.objectNode());
        r.putNull("usage");
        return r;
    }

    /**
     * @param completion a chat completion
     * @param id the response id
     * @param request the Responses request
     * @param messageId the id of the output message item
     * @return the finished response
     */
    static ObjectNode response(JsonNode completion, String id, JsonNode request, String messageId) {
        ObjectNode r = started(id, request, completion.path("model").asText(""),
                completion.path("created").asLong(0));
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        ArrayNode output = (ArrayNode) r.get("output");
        String reasoningId = "rs_" + id.substring(id.indexOf('_') + 1);
        int reasonings = 0;
        int texts = 0;
        ObjectNode open = null; // the message item that text blocks in a row go to, one output_text part each
        for (BlockOrder.Block b : BlockOrder.read(message, "choices[0].message")) {
            switch (b.kind()) { // items in the order the model wrote their blocks
                case REASONING -> output.add(ReasoningItems.item(itemId(reasoningId, reasonings++), b.node()));
                case CONTENT -> {
                    JsonNode text = AnswerText.of(b.node().path("text"));
                    if (!AnswerText.isEmpty(text) && open != null) {
                        ((ArrayNode) open.get("content")).add(outputText(text));
                    } else if (!AnswerText.isEmpty(text)) {
                        output.add(open = messageItem(itemId(messageId, texts++), text, "completed"));
                    }
                }
                case TOOL_CALL -> output.add(functionCall(b.node().path("id").asText(),
                        b.node().path("function").path("name").asText(),
                        AnswerText.of(b.node().path("function").path("arguments")), "completed"));
            }
            if (b.kind() != BlockOrder.Kind.CONTENT) {
                open = null;
            }
        }
        if (texts == 0 && !message.path("tool_calls").isArray()) {
            output.add(messageItem(messageId, "", "completed")); // an empty answer is an empty message
        }
        finish(r, choice.path("finish_reason").asText("stop"), completion.path("usage"),
                completion.get("service_tier"));
        return r;
    }

    /**
     * @param first the id of an answer's first item of a kind
     * @param n the item's number among that kind, from 0
     * @return {@code first} for the first, then {@code first_1}, {@code first_2}...
     */
    static String itemId(String first, int n) {
        return n == 0 ? first : first + "_" + n;
    }

    /** @return whether the request asks for its response to be stored ({@code store}, true unless false) */
    static boolean stores(JsonNode request) {
        return request.path("store").asBoolean(true);
    }

    /**
     * Sets a finished response's status (and why it is incomplete), usage and, when the upstream reported one, the
     * {@code service_tier} that served it.
     */
    static void finish(ObjectNode response, String finishReason, JsonNode chatUsage, JsonNode serviceTier) {
        Optional<String> incomplete = incompleteReason(finishReason);
        response.put("status", incomplete.isPresent() ? "incomplete" : "completed");
        incomplete.ifPresent(reason -> response.putObject("incomplete_details").put("reason", reason));
        response.set("usage", usage(chatUsage));
        if (serviceTier != null && serviceTier.isTextual()) {
            response.set("service_tier", serviceTier);
        }
    }

    /**
     * Why an answer with this chat finish reason is incomplete, in Responses' terms: the output limit cut it
     * ({@code length}), or a content filter or the model's refusal stopped it ({@code content_filter}, which Gemini's
     * {@code SAFETY} and Anthropic's {@code refusal} become), so that a client can tell a blocked answer from a whole
     * one.
     *
     * @return the {@code incomplete_details.reason}; empty when the answer is complete
     */
    private static Optional<String> incompleteReason(String finishReason) {
        return switch (finishReason) {
            case "length", OpenAiWire.CONTEXT_WINDOW_EXCEEDED -> Optional.of("max_output_tokens");
            case "content_filter" -> Optional.of("content_filter");
            default -> Optional.empty();
        };
    }

    /** @return a {@code message} output item holding one {@code output_text} part */
    static ObjectNode messageItem(String id, String text, String status) {
        return messageItem(id, NODES.textNode(text), status);
    }

    /** @return a {@code message} output item holding one {@code output_text} part, the text node as it is */
    private static ObjectNode messageItem(String id, JsonNode text, String status) {
        ObjectNode item = NODES.objectNode().put("type", "message").put("id", id).put("status", status)
                .put("role", "assistant");
        item.putArray("content").add(outputText(text));
        return item;
    }

    /** @return an {@code output_text} content part */
    static ObjectNode outputText(String text) {
        return outputText(NODES.textNode(text));
    }

    /** @return an {@code output_text} content part, the text node as it is */
    private static ObjectNode outputText(JsonNode text) {
        ObjectNode part = NODES.objectNode().put("type", "output_text");
        part.set("text", text);
        part.putArray("annotations");
        return part;
    }

    /** @return a {@code function_call} output item */
    static ObjectNode functionCall(String callId, String name, String arguments, String status) {
        return functionCall(callId, name, NODES.textNode(arguments), status);
    }

    /** @return a {@code function_call} output item, the arguments node as it is */
    private static ObjectNode functionCall(String callId, String name, JsonNode arguments, String status) {
        ObjectNode item = NODES.objectNode().put("type", "function_call").put("id", "fc_" + callId)
                .put("call_id", callId).put("name", name);
        item.set("arguments", arguments);
        return item.put("status", status);
    }

    /**
     * @param usage chat usage ({@code prompt_tokens} includes the cached ones, as Responses' {@code input_tokens})
     * @return the Responses usage
     */
    static ObjectNode usage(JsonNode usage) {
        long in = usage.path("prompt_tokens").asLong(0);
        long out = usage.path("completion_tokens").asLong(0);
        ObjectNode u = NODES.objectNode().put("input_tokens", in);
        u.putObject("input_tokens_details").put("cached_tokens",
                usage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
        u.put("output_tokens", out);
        u.putObject("output_tokens_details").put("reasoning_tokens",
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
        u.put("total_tokens", in + out);
        return u;
    }
}
