package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.embedding.Embedding;
import dev.costwise.llm.embedding.EmbeddingModel;
import dev.costwise.llm.embedding.EmbeddingRequest;
import dev.costwise.llm.embedding.EmbeddingResponse;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.UnsupportedRequestException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Serves OpenAI's embeddings wire format (https://platform.openai.com/docs/api-reference/embeddings) from a native
 * {@link EmbeddingModel} (Gemini's {@code embedContent}/{@code batchEmbedContents}). The request's texts,
 * {@code dimensions} (Gemini's {@code outputDimensionality}) and {@code user} are handed to the model; the answer is
 * written back as OpenAI's {@code list} of {@code embedding} objects, each vector as JSON numbers or, for
 * {@code "encoding_format": "base64"}, as OpenAI encodes it: the little-endian float32 bytes in base64. What the model
 * cannot take (token arrays, an unknown encoding) is refused before any call, naming the field. Thread-safe.
 */
final class NativeEmbeddings {
    private final ObjectMapper json;
    private final int maxAnswerSize;

    /**
     * @param json writes the answers
     * @param maxAnswerSize the largest answer relayed, as for the pass-through's answers
     */
    NativeEmbeddings(ObjectMapper json, int maxAnswerSize) {
        this.json = json;
        this.maxAnswerSize = maxAnswerSize;
    }

    /**
     * @param model the model that serves the call
     * @param call the OpenAI embeddings request
     * @param context bounds the call by its timeout
     * @return the answer, in OpenAI's format
     * @throws UnsupportedRequestException if the request holds what the model cannot take (nothing was sent)
     * @throws ProviderException if the provider fails, or its answer is larger than an answer may be
     */
    Upstream.Reply embed(EmbeddingModel model, Upstream.Call call, WorkflowContext context) {
        JsonNode body = call.body();
        List<String> texts = texts(body.path("input"), call.model().name());
        // dimensions and encoding_format were checked with the request (RequestValidator.embeddings)
        boolean base64 = "base64".equals(body.path("encoding_format").textValue());
        JsonNode dimensions = body.path("dimensions");
        Optional<Integer> size = dimensions.isInt() ? Optional.of(dimensions.intValue()) : Optional.empty();
        EmbeddingRequest request = new EmbeddingRequest(call.model().name(), texts, size,
                Optional.ofNullable(body.path("user").textValue()));
        EmbeddingResponse response = model.execute(request, context);
        // Gemini's answers report no token counts (https://ai.google.dev/api/embeddings): the usage is the gateway's
        // own estimate of the texts, the one their budget reservation used (it errs high), marked estimated
        long tokens = EmbeddingInputs.tokens(body.path("input"));
        Usage usage = new Usage(tokens, 0, 0, 0, 0, true);
        String answered = call.model().upstreamModel();
        return new Upstream.Reply(answer(response, answered, tokens, base64, call, usage), Optional.of(usage),
                answered, Optional.empty());
    }

    /** @return the texts of a string or an array of strings; a token array is refused: Gemini takes only text */
    private static List<String> texts(JsonNode input, String model) {
        if (input.isTextual()) {
            return List.of(input.textValue());
        }
        if (input.isEmpty()) {
            throw new UnsupportedRequestException("input", "is empty: send at least one text (for " + model + ")");
        }
        List<String> texts = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            if (item.isNumber() || item.isArray()) {
                String at = item.isNumber() ? "input" : "input[" + i + "]";
                throw new UnsupportedRequestException(at, "is a token array, which " + model + " cannot take: its "
                        + "provider embeds text only; send the text instead");
            }
            if (!item.isTextual()) {
                throw new UnsupportedRequestException("input[" + i + "]", "expected a string (for " + model + ")");
            }
            texts.add(item.textValue());
        }
        return texts;
    }

    /**
     * Writes OpenAI's answer, at most {@link #maxAnswerSize} bytes: a larger one is no more relayed than a provider's
     * would be, and the vectors the provider billed for are reported as too many for one answer.
     */
    private byte[] answer(EmbeddingResponse response, String model, long tokens, boolean base64, Upstream.Call call,
            Usage usage) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (Embedding e : response.embeddings()) {
                g.writeStartObject();
                g.writeStringField("object", "embedding");
                g.writeNumberField("index", e.index());
                g.writeFieldName("embedding");
                if (base64) {
                    g.writeString(base64(e));
                } else {
                    g.writeStartArray();
                    for (int i = 0; i < e.dimensions(); i++) {
                        g.writeNumber(e.get(i));
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
                g.flush();
                if (out.size() > maxAnswerSize) {
                    throw tooLarge(call, response.embeddings().size(), usage);
                }
            }
            g.writeEndArray();
            g.writeStringField("model", model);
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", tokens);
            g.writeNumberField("total_tokens", tokens);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    private ProviderException tooLarge(Upstream.Call call, int inputs, Usage usage) {
        return new ProviderException.AnswerTooLarge(ProviderException.Details.of(call.model().provider(),
                call.model().name()), String.format(Locale.ROOT, "the answer to this batch of %,d inputs is larger "
                + "than the gateway's %s limit on answers (server.max_answer_size): split the batch (or ask for "
                + "fewer dimensions)", inputs, OversizedEmbeddings.megabytes(maxAnswerSize)), null)
                .withBilledUsage(Optional.of(usage));
    }

    /** @return the vector as OpenAI's base64: its float32 values, little-endian */
    private static String base64(Embedding e) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * e.dimensions()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < e.dimensions(); i++) {
            bytes.putFloat(e.get(i));
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
