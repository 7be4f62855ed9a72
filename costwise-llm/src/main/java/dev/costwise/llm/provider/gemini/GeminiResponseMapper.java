package dev.costwise.llm.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.UsageNormalizer;
import dev.costwise.llm.provider.http.ThoughtSignatureIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads Gemini's {@code GenerateContentResponse} (https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse)
 * into canonical pieces.
 *
 * <p>Only the first candidate is read. Text parts are joined (thought summaries, {@code "thought": true}, are left
 * out); {@code functionCall} parts become tool calls. Gemini gives calls no id unless it sends one, so an id is made
 * from the response id and the call's position: {@code call_<responseId>_<n>}, carrying the call's
 * {@code thoughtSignature} when it has one ({@link ThoughtSignatureIds}: the canonical call has no other place for it,
 * and {@link GeminiRequestMapper} gives it back).
 */
final class GeminiResponseMapper {

    private GeminiResponseMapper() {}

    /**
     * A parsed response.
     *
     * @param responseId Gemini's {@code responseId}, if sent
     * @param modelVersion the model that actually answered ({@code modelVersion}), if sent
     * @param message the assistant message
     * @param finishReason the mapped finish reason
     * @param usage normalised usage, if sent
     * @param blockReason the prompt's {@code promptFeedback.blockReason}, when the prompt was refused
     * @param toolCallFailure why the answer is no answer, when its finish reason says the model's tool call failed
     *     ({@link #toolCallFailure(String)})
     */
    record Reply(Optional<String> responseId, Optional<String> modelVersion, Message message,
            FinishReason finishReason, Optional<Usage> usage, Optional<String> blockReason,
            Optional<String> toolCallFailure) {}

    /**
     * Reads a whole response.
     *
     * @param body the parsed JSON
     * @return the reply
     * @throws IllegalArgumentException if it has neither a candidate nor a block reason
     */
    static Reply read(JsonNode body) {
        Optional<String> blockReason = text(body.path("promptFeedback"), "blockReason");
        JsonNode candidate = body.path("candidates").path(0);
        if (candidate.isMissingNode() && blockReason.isEmpty()) {
            throw new IllegalArgumentException("response has no candidates and no promptFeedback.blockReason");
        }
        Optional<String> responseId = text(body, "responseId");
        Parts parts = parts(candidate.path("content").path("parts"), responseId, 0);
        Message message = new Message(Role.ASSISTANT,
                parts.text().isEmpty() ? List.of() : List.of(ContentPart.text(parts.text())), Optional.empty(),
                parts.calls(), Optional.empty());
        String finish = candidate.path("finishReason").asText("");
        return new Reply(responseId, text(body, "modelVersion").map(GeminiResponseMapper::stripModelsPrefix),
                message, finishReason(finish, !parts.calls().isEmpty()), usage(body.path("usageMetadata")),
                blockReason, toolCallFailure(finish));
    }

    /**
     * The text and calls of a candidate's parts.
     *
     * @param text joined text, thoughts left out
     * @param calls the function calls
     */
    record Parts(String text, List<ToolCall> calls) {}

    /**
     * Reads parts.
     *
     * @param parts the {@code parts} array
     * @param responseId used to make call ids
     * @param firstCallIndex the position of the first call here among all calls of the answer (streams span chunks)
     * @return text and calls
     */
    static Parts parts(JsonNode parts, Optional<String> responseId, int firstCallIndex) {
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode part : parts) {
            if (part.path("thought").asBoolean(false)) {
                continue;
            }
            if (part.has("text")) {
                text.append(part.path("text").asText());
            } else if (part.has("functionCall")) {
                JsonNode call = part.path("functionCall");
                String name = text(call, "name").orElseThrow(
                        () -> new IllegalArgumentException("functionCall part has no name"));
                int index = firstCallIndex + calls.size();
                String unsigned = text(call, "id").orElse("call_" + responseId.orElse("gemini") + "_" + index);
                String id = text(part, "thoughtSignature").map(sig -> ThoughtSignatureIds.sign(unsigned, sig))
                        .orElse(unsigned);
                JsonNode args = call.path("args");
                calls.add(new ToolCall(id, name, args.isMissingNode() || args.isNull() ? "{}" : args.toString()));
            }
        }
        return new Parts(text.toString(), calls);
    }

    /**
     * Maps Gemini's {@code finishReason}.
     *
     * @param reason {@code STOP}, {@code MAX_TOKENS}, {@code SAFETY}, {@code RECITATION}…
     * @param calledTools whether the candidate holds function calls (Gemini says {@code STOP} for those)
     * @return the canonical reason
     */
    static FinishReason finishReason(String reason, boolean calledTools) {
        return switch (reason) {
            case "STOP", "" -> calledTools ? FinishReason.TOOL_CALLS : FinishReason.STOP;
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" ->
                    FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    /**
     * Says whether a finish reason means the model's tool call failed, which makes the candidate no answer:
     * {@code MALFORMED_FUNCTION_CALL} (the model wrote a function call Gemini could not parse) and
     * {@code UNEXPECTED_TOOL_CALL} (it called a tool the request did not offer). OpenAI's finish reasons have no word
     * for it, and {@code stop} would tell an agent loop that the model finished; the adapter fails the call instead,
     * as a malformed response, which is retried (the same request usually succeeds) or falls back.
     *
     * @param reason the candidate's {@code finishReason}
     * @return what went wrong, in words for the error message; empty for every other reason
     */
    static Optional<String> toolCallFailure(String reason) {
        return switch (reason) {
            case "MALFORMED_FUNCTION_CALL" ->
                    Optional.of("the model wrote a function call Gemini could not parse (finishReason " + reason + ")");
            case "UNEXPECTED_TOOL_CALL" ->
                    Optional.of("the model called a tool the request did not offer (finishReason " + reason + ")");
            default -> Optional.empty();
        };
    }

    /**
     * Normalises {@code usageMetadata} with {@link UsageNormalizer#fromGemini}: {@code promptTokenCount} already includes {@code cachedContentTokenCount}
     * (and tool-use prompt tokens are billed as input too); {@code thoughtsTokenCount} is billed as output but is not
     * in {@code candidatesTokenCount}, so it is added to the output and reported as reasoning.
     *
     * @param metadata the {@code usageMetadata} object
     * @return the usage, or empty when the object is absent
     * @throws IllegalArgumentException if a count is negative or the cached count exceeds the prompt
     */
    static Optional<Usage> usage(JsonNode metadata) {
        if (!metadata.isObject()) {
            return Optional.empty();
        }
        long prompt = metadata.path("promptTokenCount").asLong(0) + metadata.path("toolUsePromptTokenCount").asLong(0);
        return Optional.of(UsageNormalizer.fromGemini(prompt, metadata.path("cachedContentTokenCount").asLong(0),
                metadata.path("candidatesTokenCount").asLong(0), metadata.path("thoughtsTokenCount").asLong(0)));
    }

    static String stripModelsPrefix(String model) {
        return model.startsWith("models/") ? model.substring("models/".length()) : model;
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isEmpty() ? Optional.of(value.asText()) : Optional.empty();
    }
}
