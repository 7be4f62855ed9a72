package dev.costwise.llm.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.ToolCallDelta;
import dev.costwise.llm.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns the chunks of {@code streamGenerateContent?alt=sse} into canonical chunks. Each SSE {@code data:} line is a
 * whole {@code GenerateContentResponse} holding the next parts; {@code finishReason} arrives on the candidate of the
 * last chunk and {@code usageMetadata} is complete on the last chunk (earlier ones may carry partial counts, so the
 * latest wins). One decoder per stream; not thread-safe.
 */
final class GeminiStreamDecoder {

    private final String requestedModel;
    private Optional<String> responseId = Optional.empty();
    private Optional<String> modelVersion = Optional.empty();
    private Optional<Usage> usage = Optional.empty();
    private Optional<String> blockReason = Optional.empty();
    private Optional<String> toolCallFailure = Optional.empty();
    private int toolCalls;
    private boolean complete;
    private Optional<FinishReason> finishReason = Optional.empty();

    /** @param requestedModel the upstream model asked for, reported until a chunk names {@code modelVersion} */
    GeminiStreamDecoder(String requestedModel) {
        this.requestedModel = Objects.requireNonNull(requestedModel, "requestedModel");
    }

    /**
     * Decodes one chunk.
     *
     * @param data the chunk's JSON
     * @return the canonical chunks it yields: text, then one per function call (the finish reason and usage come
     *     from {@link #finalChunk(ServiceTier)})
     */
    List<ChatChunk> decode(JsonNode data) {
        if (data.path("responseId").isTextual()) {
            responseId = Optional.of(data.path("responseId").asText());
        }
        if (data.path("modelVersion").isTextual()) {
            modelVersion = Optional.of(GeminiResponseMapper.stripModelsPrefix(data.path("modelVersion").asText()));
        }
        GeminiResponseMapper.usage(data.path("usageMetadata")).ifPresent(u -> usage = Optional.of(u));
        if (data.path("promptFeedback").path("blockReason").isTextual()) {
            blockReason = Optional.of(data.path("promptFeedback").path("blockReason").asText());
            complete = true;
            return List.of();
        }
        JsonNode candidate = data.path("candidates").path(0);
        List<ChatChunk> out = new ArrayList<>();
        GeminiResponseMapper.Parts parts = GeminiResponseMapper.parts(candidate.path("content").path("parts"),
                responseId, toolCalls);
        String id = id();
        String model = model();
        if (!parts.text().isEmpty()) {
            out.add(ChatChunk.text(id, model, parts.text()));
        }
        for (ToolCall call : parts.calls()) {
            out.add(new ChatChunk(id, model, "", List.of(new ToolCallDelta(toolCalls++, Optional.of(call.id()),
                    Optional.of(call.name()), call.arguments())), Optional.empty(), Optional.empty()));
        }
        String reason = candidate.path("finishReason").asText("");
        if (!reason.isEmpty()) {
            complete = true;
            finishReason = Optional.of(GeminiResponseMapper.finishReason(reason, toolCalls > 0));
            toolCallFailure = GeminiResponseMapper.toolCallFailure(reason);
        }
        return out;
    }

    /**
     * The chunk that ends the stream: finish reason and the latest usage. Sent once the stream has ended, so usage
     * that arrives after the finish reason is still counted.
     *
     * @param tier the tier the call was served on (the response headers say, not the chunks)
     * @return the chunk, its usage on {@code tier}
     * @throws IllegalStateException if no finish reason arrived
     */
    ChatChunk finalChunk(ServiceTier tier) {
        FinishReason finish = finishReason.orElseThrow(() -> new IllegalStateException("no finishReason yet"));
        return new ChatChunk(id(), model(), "", List.of(), Optional.of(finish),
                usage.map(u -> u.withServiceTier(tier)));
    }

    /** @return {@code true} once a chunk carried a finish reason (or the prompt was blocked) */
    boolean complete() {
        return complete;
    }

    /** @return the prompt's block reason, when Gemini refused the prompt */
    Optional<String> blockReason() {
        return blockReason;
    }

    /** @return why the answer is no answer, once a finish reason said the model's tool call failed */
    Optional<String> toolCallFailure() {
        return toolCallFailure;
    }

    /** @return the latest usage seen */
    Optional<Usage> usage() {
        return usage;
    }

    /** @return the model that answers: {@code modelVersion} once seen, else the one requested */
    String model() {
        return modelVersion.orElse(requestedModel);
    }

    /** @return {@code modelVersion}, if a chunk carried it */
    Optional<String> modelVersion() {
        return modelVersion;
    }

    /** @return the response id, or a placeholder before one is known */
    String id() {
        return responseId.orElse("gemini");
    }
}
