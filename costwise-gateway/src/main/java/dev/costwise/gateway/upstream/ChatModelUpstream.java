package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.WorkflowContext;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.http.IntegerField;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.embedding.EmbeddingModel;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.http.StreamTimeouts;
import dev.costwise.llm.wire.OpenAiRequest;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireFormatException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Serves OpenAI JSON from any {@link ChatModel} (the Anthropic and Gemini native adapters, the {@code sim} provider):
 * the request is decoded to the canonical {@code ChatRequest} with the shared OpenAI codec, the model answers, and
 * the answer (or each chunk) is encoded back. Embeddings go to the configured model's {@link EmbeddingModel}
 * (Gemini's), through {@link NativeEmbeddings}. Thread-safe; the models are built once at start.
 */
public final class ChatModelUpstream implements Upstream {
    private final Map<String, ChatModel> models;
    private final Map<String, EmbeddingModel> embeddingModels;
    private final OpenAiWire wire;
    private final Clock clock;
    private final NativeEmbeddings embeddings;

    /**
     * @param models the chat model serving each configured model name
     * @param embeddingModels the embedding model serving each configured model name whose provider has one
     * @param wire the OpenAI codec
     * @param clock gives the {@code created} time
     * @param maxAnswerSize the largest embeddings answer relayed ({@code server.max_answer_size})
     */
    public ChatModelUpstream(Map<String, ChatModel> models, Map<String, EmbeddingModel> embeddingModels,
            OpenAiWire wire, Clock clock, int maxAnswerSize) {
        this.models = Map.copyOf(models);
        this.embeddingModels = Map.copyOf(embeddingModels);
        this.wire = wire;
        this.clock = clock;
        this.embeddings = new NativeEmbeddings(wire.mapper(), maxAnswerSize);
    }

    /** @return {@code true} if a model of that configured name is served here */
    public boolean serves(String modelName) {
        return models.containsKey(modelName);
    }

    @Override
    public Reply complete(Call call) {
        ChatModel model = model(call.model());
        OpenAiRequest request = decode(call);
        ChatResponse response = model.execute(request.chat(), context(call));
        byte[] body = wire.bytes(wire.writeResponse(response, clock.millis() / 1000));
        return new Reply(body, Optional.of(response.usage()), response.model(), response.providerRequestId());
    }

    @Override
    public Events stream(Call call) {
        ChatModel model = model(call.model());
        OpenAiRequest request = decode(call);
        ChatStream stream = model.stream(request.chat(), streamContext(call));
        long created = clock.millis() / 1000;
        return new Events() {
            private Optional<Usage> usage = Optional.empty();
            private Optional<String> answered = Optional.empty();
            private String lastId = "chatcmpl-costwise";
            private boolean usageSent;

            @Override
            public boolean hasNext() {
                return stream.hasNext() || !usageSent;
            }

            @Override
            public String next() {
                if (stream.hasNext()) {
                    ChatChunk chunk = stream.next();
                    lastId = chunk.id();
                    answered = Optional.of(chunk.model());
                    chunk.usage().ifPresent(u -> usage = Optional.of(u));
                    ChatChunk withoutUsage = new ChatChunk(chunk.id(), chunk.model(), chunk.contentDelta(),
                            chunk.toolCallDeltas(), chunk.finishReason(), Optional.empty(), chunk.thinkingDeltas(),
                            chunk.stopSequence());
                    return wire.writeChunk(withoutUsage, created).toString();
                }
                if (usageSent) {
                    throw new NoSuchElementException("the stream has ended");
                }
                usageSent = true;
                Usage u = usage.orElseGet(() -> stream.response().usage());
                usage = Optional.of(u);
                ObjectNode last = wire.mapper().createObjectNode();
                last.put("id", lastId).put("object", "chat.completion.chunk").put("created", created)
                        .put("model", answered.orElse(call.model().upstreamModel()));
                last.putArray("choices");
                last.set("usage", wire.writeUsage(u));
                OpenAiWire.writeServedTier(last, u);
                return last.toString();
            }

            /** Before the last chunk, what the provider reported so far: a failed or aborted stream is billed it. */
            @Override
            public Optional<Usage> usage() {
                return usage.or(stream::usageSoFar);
            }

            @Override
            public Optional<Usage> reportedUsage() {
                return usage.or(stream::reportedSoFar);
            }

            @Override
            public Optional<String> answeredModel() {
                return answered;
            }

            @Override
            public void onKeepAlive(Runnable listener) {
                stream.onKeepAlive(listener);
            }

            @Override
            public void close() {
                stream.close();
            }
        };
    }

    /** Anthropic models count with Anthropic's free token-counting endpoint; the others cannot count here. */
    @Override
    public OptionalLong countInputTokens(Call call) {
        if (model(call.model()) instanceof AnthropicChatModel anthropic) {
            return OptionalLong.of(anthropic.countTokens(decode(call).chat()));
        }
        return OptionalLong.empty();
    }

    /**
     * Embeds with the model's {@link EmbeddingModel}. A model without one (its provider has no embeddings API) is
     * refused before any call; the pipeline sends none here, as it takes such a model for a chat model.
     */
    @Override
    public Reply embed(Call call) {
        EmbeddingModel model = embeddingModels.get(call.model().name());
        if (model == null) {
            throw new UnsupportedRequestException("model", "'" + call.model().name() + "' is served by "
                    + call.model().provider() + ", which has no embeddings API: name an embedding model");
        }
        return embeddings.embed(model, call, context(call));
    }

    private ChatModel model(Model m) {
        ChatModel model = models.get(m.name());
        if (model == null) {
            throw new IllegalStateException("no ChatModel was built for " + m.name());
        }
        return model;
    }

    /**
     * Reads the request as the model's adapter takes it. What the adapter cannot send (n above 1, an audio part, a
     * tool message without its call id, log probabilities) is refused here, before any call: the caller's mistake,
     * named by its field like the gateway's own validation, not an upstream's rejection, and not silently dropped.
     */
    private OpenAiRequest decode(Call call) {
        requireNoLogprobs(call.body(), call.model());
        if (model(call.model()) instanceof AnthropicChatModel) {
            requireNoEmptyUserMessage(call.body());
        }
        if (model(call.model()) instanceof AnthropicChatModel || model(call.model()) instanceof GeminiChatModel) {
            requireObjectArguments(call.body(), call.model());
        }
        try {
            return wire.readRequest(call.body());
        } catch (WireFormatException e) {
            throw new GatewayException.InvalidField(e.field().isEmpty() ? "messages" : e.field(),
                    e.problem() + " (for " + call.model().name() + ")");
        }
    }

    /**
     * The canonical answer has no log probabilities, so a native adapter cannot return them (Anthropic has none to
     * give; Gemini's {@code logprobsResult} would have nowhere to go): a caller who asks is told so.
     */
    private static void requireNoLogprobs(ObjectNode body, Model m) {
        String problem = "is not supported for " + m.provider() + " models, whose answers come back without log "
                + "probabilities (for " + m.name() + ")";
        if (body.path("logprobs").asBoolean(false)) {
            throw new GatewayException.InvalidField("logprobs", problem);
        }
        if (IntegerField.TOP_LOGPROBS.readFrom(body).orElse(0) > 0) {
            throw new GatewayException.InvalidField("top_logprobs", problem);
        }
    }

    /**
     * Anthropic refuses an empty user message, and its adapter leaves one out, which can leave no message at all:
     * the caller hears which message is empty instead.
     */
    private static void requireNoEmptyUserMessage(ObjectNode body) {
        JsonNode messages = body.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText()) && isEmptyText(m.path("content"))) {
                throw new GatewayException.InvalidField("messages[" + i + "].content",
                        "is empty; Anthropic models take no empty user message");
            }
        }
    }

    /**
     * Anthropic's {@code tool_use.input} and Gemini's {@code functionCall.args} are objects, so an earlier tool call's
     * arguments must be a JSON object (or nothing) for these models: the caller hears which call's are not.
     */
    private void requireObjectArguments(ObjectNode body, Model m) {
        JsonNode messages = body.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode calls = messages.get(i).path("tool_calls");
            for (int j = 0; j < calls.size(); j++) {
                JsonNode args = calls.get(j).path("function").path("arguments");
                if (args.isTextual() && !args.asText().isBlank() && !isJsonObject(args.asText())) {
                    throw new GatewayException.InvalidField("messages[" + i + "].tool_calls[" + j
                            + "].function.arguments", "expected a JSON object as text: " + m.provider()
                            + " models take a tool call's arguments as an object (for " + m.name() + ")");
                }
            }
        }
    }

    private boolean isJsonObject(String text) {
        try {
            return wire.mapper().readTree(text) instanceof ObjectNode;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return {@code true} for "" or parts that are all empty text */
    private static boolean isEmptyText(JsonNode content) {
        if (content.isTextual()) {
            return content.textValue().isEmpty();
        }
        for (JsonNode part : content) {
            if (!"text".equals(part.path("type").asText()) || !part.path("text").asText("").isEmpty()) {
                return false;
            }
        }
        return content.isArray() && !content.isEmpty();
    }

    private static WorkflowContext context(Call call) {
        return WorkflowContext.builder("gateway").timeout(call.timeout()).build();
    }

    /**
     * A stream's limits are the OpenAI pass-through's: the call's timeout is the longest wait between chunks, and the
     * request's deadline bounds the whole stream, so a long answer that keeps coming is not cut at the timeout.
     */
    private static WorkflowContext streamContext(Call call) {
        Duration whole = call.deadline().isPositive() ? call.deadline() : Duration.ofMillis(1);
        WorkflowContext context = WorkflowContext.builder("gateway").timeout(whole).build();
        StreamTimeouts.install(context, StreamTimeouts.idleOnly(call.timeout()));
        return context;
    }
}
