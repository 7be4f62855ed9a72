package dev.costwise.llm.wire;

import static dev.costwise.llm.wire.JsonReader.describe;
import static dev.costwise.llm.wire.JsonReader.index;
import static dev.costwise.llm.wire.JsonReader.optBoolean;
import static dev.costwise.llm.wire.JsonReader.optCacheControl;
import static dev.costwise.llm.wire.JsonReader.optLong;
import static dev.costwise.llm.wire.JsonReader.optNumber;
import static dev.costwise.llm.wire.JsonReader.optString;
import static dev.costwise.llm.wire.JsonReader.path;
import static dev.costwise.llm.wire.JsonReader.present;
import static dev.costwise.llm.wire.JsonReader.requireObject;
import static dev.costwise.llm.wire.JsonReader.requireString;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.llm.chat.AnthropicToolTypes;
import dev.costwise.llm.chat.CacheControl;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.ThinkingDelta;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.ToolCallDelta;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.UsageNormalizer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The OpenAI chat-completions JSON codec: requests, {@code chat.completion} responses, {@code chat.completion.chunk}
 * stream chunks and error bodies, to and from Costwise's canonical chat types.
 *
 * <p>The OpenAI-compatible adapters write requests and read answers with it; the gateway reads its callers' requests
 * and writes its answers with it. Every parse error is a {@link WireFormatException} naming the field by its path
 * ({@code messages[2].role: unknown role 'bot'}). Unknown fields are ignored, as OpenAI-compatible servers do.
 * Usage follows OpenAI's convention, which is Costwise's: {@code prompt_tokens} includes
 * {@code prompt_tokens_details.cached_tokens}, and {@code completion_tokens} includes
 * {@code completion_tokens_details.reasoning_tokens}.
 *
 * <p>Immutable and thread-safe; share one instance.
 *
 * @see <a href="https://platform.openai.com/docs/api-reference/chat/create">OpenAI: create chat completion</a>
 * @see <a href="https://platform.openai.com/docs/api-reference/chat-streaming">OpenAI: chat completion chunk</a>
 */
public final class OpenAiWire {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /**
     * A choice's matched stop sequence, beside {@code finish_reason: stop}: vLLM's extension, which OpenAI's format
     * lacks (its {@code stop} does not tell a stop sequence from a natural end). Written when the provider named it.
     */
    public static final String STOP_REASON = "stop_reason";
    /**
     * A choice's finish reason in the provider's own words where OpenAI's {@code finish_reason} has no name for it
     * (OpenRouter's field): written beside {@code finish_reason: length} for
     * {@link FinishReason#CONTEXT_WINDOW_EXCEEDED}, as Anthropic's {@code model_context_window_exceeded}.
     */
    public static final String NATIVE_FINISH_REASON = "native_finish_reason";
    /** Anthropic's stop reason for {@link FinishReason#CONTEXT_WINDOW_EXCEEDED}. */
    public static final String CONTEXT_WINDOW_EXCEEDED = "model_context_window_exceeded";
    /**
     * The part of {@code prompt_tokens_details.cache_write_tokens} written with a 1-hour TTL ({@link
     * Usage#cacheWrite1hTokens()}, billed at twice the 5-minute price on Anthropic): Costwise's own field, written
     * when there are any.
     */
    public static final String CACHE_WRITE_1H_TOKENS = "cache_write_1h_tokens";
    /**
     * The Anthropic betas a request turns on ({@link ChatRequest#anthropicBetas()}), as an array of names: Costwise's
     * own field, which the gateway fills from a caller's {@code anthropic-beta} header. Only Anthropic models read it.
     */
    public static final String ANTHROPIC_BETA = "anthropic_beta";

    /**
     * Anthropic's {@code inference_geo} ({@link ChatRequest#inferenceGeo()}): in a request, where an Anthropic model
     * is to run; in {@code usage}, where the call ran ({@link Usage#inferenceGeo()}), which sets its price.
     */
    public static final String INFERENCE_GEO = "inference_geo";

    /**
     * Anthropic's {@code output_config}, whose {@code effort} ({@link ChatRequest#outputEffort()}) a request may carry
     * as Anthropic's Messages API does: how eagerly an Anthropic model spends tokens on its whole answer.
     */
    public static final String OUTPUT_CONFIG = "output_config";

    /** The efforts Anthropic's {@code output_config.effort} takes, for an error message. */
    private static final String OUTPUT_EFFORTS = "low, medium, high, xhigh or max";

    private final ObjectMapper mapper;
    private final ObjectReader reader;
    /** Reads numbers with a fraction as exact decimals: a provider's reported cost keeps every digit. */
    private final ObjectReader exactReader;

    /** A codec with its own Jackson mapper. */
    public OpenAiWire() {
        this(new ObjectMapper());
    }

    /**
     * A codec on the caller's mapper.
     *
     * @param mapper the Jackson mapper (only its tree parsing and writing are used)
     */
    public OpenAiWire(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.reader = mapper.reader();
        this.exactReader = mapper.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    /** @return the Jackson mapper in use */
    public ObjectMapper mapper() {
        return mapper;
    }

    // ------------------------------------------------------------------ parsing JSON text

    /**
     * Parses JSON text into a tree.
     *
     * @param json the text, UTF-8
     * @return the tree
     * @throws WireFormatException if it is not JSON (field empty)
     */
    public JsonNode parse(byte[] json) {
        return parse(json, reader);
    }

    private static JsonNode parse(byte[] json, ObjectReader reader) {
        try {
            JsonNode n = reader.readTree(json);
            if (n == null || n.isMissingNode()) {
                throw new WireFormatException("", "the body is empty; expected a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new WireFormatException("", "not valid JSON: " + firstLine(e.getMessage()), e);
        }
    }

    /**
     * Parses JSON text into a tree.
     *
     * @param json the text
     * @return the tree
     * @throws WireFormatException if it is not JSON
     */
    public JsonNode parse(String json) {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses a provider's answer or stream event into a tree whose numbers with a fraction are exact decimals, so
     * {@link #readUsage} reads a reported {@code usage.cost} exactly (a {@code double} may not hold it). Use it for
     * what {@link #readResponse}, {@link #readChunk} or {@link #readUsage} will read; {@link #parse} is cheaper for
     * long arrays of numbers (embeddings).
     *
     * @param json the text, UTF-8
     * @return the tree
     * @throws WireFormatException if it is not JSON (field empty)
     */
    public JsonNode parseAnswer(byte[] json) {
        return parse(json, exactReader);
    }

    /**
     * Parses a provider's answer or stream event, its fractions as exact decimals (see {@link #parseAnswer(byte[])}).
     *
     * @param json the text
     * @return the tree
     * @throws WireFormatException if it is not JSON
     */
    public JsonNode parseAnswer(String json) {
        return parseAnswer(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes a tree as compact JSON bytes.
     *
     * @param node the tree
     * @return UTF-8 JSON
     */
    public byte[] bytes(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ requests

    /**
     * Reads a chat-completions request.
     *
     * @param json the body
     * @return the request and its stream flags
     * @throws WireFormatException naming the first field that is missing, of the wrong type, or out of range
     */
    public OpenAiRequest readRequest(byte[] json) {
        return readRequest(parse(json));
    }

    /**
     * Reads a chat-completions request from a parsed tree.
     *
     * @param root the body
     * @return the request and its stream flags
     * @throws WireFormatException naming the first field that is wrong
     */
    public OpenAiRequest readRequest(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new WireFormatException("", "expected a JSON object, was " + describe(root));
        }
        String model = requireString(root, "model", "");
        if (model.isBlank()) {
            throw new WireFormatException("model", "cannot be blank");
        }
        ChatRequest.Builder b = ChatRequest.builder(model);
        JsonNode messages = root.get("messages");
        if (messages == null || messages.isNull()) {
            throw new WireFormatException("messages", "is required");
        }
        if (!messages.isArray()) {
            throw new WireFormatException("messages", "expected an array, was " + describe(messages));
        }
        if (messages.isEmpty()) {
            throw new WireFormatException("messages", "must hold at least one message");
        }
        for (int i = 0; i < messages.size(); i++) {
            b.addMessage(readMessage(messages.get(i), index("messages", i)));
        }
        JsonNode tools = root.get("tools");
        if (tools != null && !tools.isNull()) {
            if (!tools.isArray()) {
                throw new WireFormatException("tools", "expected an array, was " + describe(tools));
            }
            List<Tool> list = new ArrayList<>();
            for (int i = 0; i < tools.size(); i++) {
                list.add(readTool(tools.get(i), index("tools", i)));
            }
            b.tools(list);
        }
        JsonNode toolChoice = root.get("tool_choice");
        if (toolChoice != null && !toolChoice.isNull()) {
            if (toolChoice.isTextual()) {
                String v = toolChoice.asText();
                if (!v.equals("auto") && !v.equals("none") && !v.equals("required")) {
                    throw new WireFormatException("tool_choice",
                            "unknown value '" + v + "'; expected auto, none, required or an object");
                }
            } else if (!toolChoice.isObject()) {
                throw new WireFormatException("tool_choice", "expected a string or an object, was "
                        + describe(toolChoice));
            }
            b.toolChoice(toolChoice.deepCopy());
        }
        JsonNode parallel = root.get("parallel_tool_calls");
        if (parallel != null && !parallel.isNull()) {
            if (!parallel.isBoolean()) {
                throw new WireFormatException("parallel_tool_calls", "expected true or false, was "
                        + describe(parallel));
            }
            b.parallelToolCalls(Optional.of(parallel.booleanValue()));
        }
        JsonNode format = root.get("response_format");
        if (format != null && !format.isNull()) {
            b.responseFormat(readResponseFormat(format));
        }
        optNumber(root, "temperature", "").ifPresent(t -> {
            if (t < 0 || t > 2) {
                throw new WireFormatException("temperature", "must be between 0 and 2, was " + t);
            }
            b.temperature(t);
        });
        optNumber(root, "top_p", "").ifPresent(p -> {
            if (p < 0 || p > 1) {
                throw new WireFormatException("top_p", "must be between 0 and 1, was " + p);
            }
            b.topP(p);
        });
        optLong(root, "top_k", "").ifPresent(k -> {
            if (k < 1 || k > Integer.MAX_VALUE) {
                throw new WireFormatException("top_k", "must be a positive integer, was " + k);
            }
            b.topK(k.intValue());
        });
        optNumber(root, "presence_penalty", "").ifPresent(p -> b.presencePenalty(penalty("presence_penalty", p)));
        optNumber(root, "frequency_penalty", "").ifPresent(p -> b.frequencyPenalty(penalty("frequency_penalty", p)));
        Optional<Long> maxCompletion = optLong(root, "max_completion_tokens", "");
        Optional<Long> max = optLong(root, "max_tokens", "");
        String maxField = maxCompletion.isPresent() ? "max_completion_tokens" : "max_tokens";
        maxCompletion.or(() -> max).ifPresent(m -> {
            if (m < 1 || m > Integer.MAX_VALUE) {
                throw new WireFormatException(maxField, "must be a positive integer, was " + m);
            }
            b.maxTokens(m.intValue());
        });
        JsonNode stop = root.get("stop");
        if (stop != null && !stop.isNull()) {
            b.stop(readStop(stop));
        }
        optLong(root, "seed", "").ifPresent(b::seed);
        optString(root, "user", "").ifPresent(b::user);
        ReasoningWire.readSetting(root).ifPresent(b::reasoning);
        b.serviceTier(readServiceTier(root));
        JsonNode contextManagement = root.get("context_management");
        if (contextManagement != null && !contextManagement.isNull()) {
            requireObject(contextManagement, "context_management");
            b.contextManagement(Optional.of(contextManagement));
        }
        b.anthropicBetas(readAnthropicBetas(root));
        Optional<String> geo = optString(root, INFERENCE_GEO, "");
        if (geo.filter(String::isBlank).isPresent()) {
            throw new WireFormatException(INFERENCE_GEO, "expected a geography such as \"us\" or \"global\", "
                    + "was blank");
        }
        b.inferenceGeo(geo);
        b.outputEffort(readOutputEffort(root));
        JsonNode metadata = root.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            requireObject(metadata, "metadata");
            Map<String, String> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new WireFormatException("metadata." + e.getKey(), "expected a string, was "
                            + describe(e.getValue()));
                }
                m.put(e.getKey(), e.getValue().asText());
            }
            b.metadata(m);
        }
        optLong(root, "n", "").ifPresent(n -> {
            if (n != 1) {
                throw new WireFormatException("n", "only n=1 is supported, was " + n);
            }
        });
        boolean stream = optBoolean(root, "stream", "").orElse(false);
        boolean includeUsage = false;
        JsonNode streamOptions = root.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull()) {
            requireObject(streamOptions, "stream_options");
            includeUsage = optBoolean(streamOptions, "include_usage", "stream_options").orElse(false);
        }
        try {
            return new OpenAiRequest(b.build(), stream, includeUsage);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("", e.getMessage(), e);
        }
    }

    /** @return {@code value}, a penalty OpenAI takes: in [-2, 2] */
    private static double penalty(String field, double value) {
        if (value < -2 || value > 2) {
            throw new WireFormatException(field, "must be between -2 and 2, was " + value);
        }
        return value;
    }

    /**
     * Reads only a request's reasoning setting ({@code reasoning_effort} or OpenRouter's {@code reasoning}), as
     * {@link #readRequest(JsonNode)} would: for a server that checks a body it forwards without decoding it.
     *
     * @param root the request body
     * @return the setting, if the body has one
     * @throws WireFormatException naming the bad field
     */
    public Optional<Reasoning> readReasoning(JsonNode root) {
        return ReasoningWire.readSetting(requireObject(root, ""));
    }

    /**
     * Reads only a request's Anthropic {@code output_config.effort}, as {@link #readRequest(JsonNode)} does.
     *
     * @param root the request body
     * @return the effort, if the body sets one
     * @throws WireFormatException naming {@code output_config} or {@code output_config.effort} if either is not what
     *     Anthropic takes ({@code low}, {@code medium}, {@code high}, {@code xhigh} or {@code max})
     */
    public Optional<ReasoningEffort> readOutputEffort(JsonNode root) {
        JsonNode config = requireObject(root, "").get(OUTPUT_CONFIG);
        if (config == null || config.isNull()) {
            return Optional.empty();
        }
        if (!config.isObject()) {
            throw new WireFormatException(OUTPUT_CONFIG, "expected an object such as {\"effort\": \"low\"}, was "
                    + describe(config));
        }
        JsonNode effort = config.get("effort");
        if (effort == null || effort.isNull()) {
            return Optional.empty();
        }
        String at = OUTPUT_CONFIG + ".effort";
        Optional<ReasoningEffort> value = effort.isTextual() ? ReasoningEffort.fromWireName(effort.asText())
                .filter(e -> e.compareTo(ReasoningEffort.LOW) >= 0) : Optional.empty();
        if (value.isEmpty()) {
            throw new WireFormatException(at, "expected " + OUTPUT_EFFORTS + ", was " + effort);
        }
        return value;
    }

    /**
     * Reads only a request's {@code service_tier}, as {@link #readRequest(JsonNode)} does: {@code default},
     * {@code flex} and {@code priority} name a tier; {@code auto} and {@code scale} (a prepaid commitment) leave the
     * choice to the provider account, so they read as none.
     *
     * @param root the request body
     * @return the tier asked for, if any
     * @throws WireFormatException if the value is not one of OpenAI's
     */
    public Optional<ServiceTier> readServiceTier(JsonNode root) {
        Optional<String> value = optString(requireObject(root, ""), "service_tier", "");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (value.get().equals("auto") || value.get().equals("scale")) {
            return Optional.empty();
        }
        ServiceTier tier = ServiceTier.fromWireName(value.get()).orElseThrow(() -> new WireFormatException(
                "service_tier", "unknown value '" + value.get() + "'; expected auto, default, flex, priority or "
                + "scale"));
        return Optional.of(tier);
    }

    /**
     * Reads only a message's reasoning blocks ({@code thinking_blocks}), as {@link #readRequest(JsonNode)} would.
     *
     * @param message one message of a request
     * @param at the message's path, for errors ({@code messages[3]})
     * @return its blocks, in order; empty if it has none
     * @throws WireFormatException naming the bad field
     */
    public List<ContentPart> readReasoningBlocks(JsonNode message, String at) {
        return ReasoningWire.readBlocks(message, at);
    }

    /**
     * @param reasoning a reasoning setting
     * @return the {@code reasoning_effort} value OpenAI takes for it ({@code max}, which OpenAI lacks, as
     *     {@code xhigh})
     */
    public static String reasoningEffortName(Reasoning reasoning) {
        return ReasoningWire.openAiName(reasoning.effortOrNearest());
    }

    /**
     * Writes a request for an upstream provider.
     *
     * @param request the request
     * @param model the model name to send (the adapter's upstream name, which may differ from the caller's)
     * @param encoding streaming, usage and field-name choices
     * @return the JSON body
     */
    public ObjectNode writeRequest(ChatRequest request, String model, RequestEncoding encoding) {
        ObjectNode root = NODES.objectNode();
        root.put("model", model);
        ArrayNode messages = root.putArray("messages");
        for (Message m : request.messages()) {
            ObjectNode message = writeMessage(m, encoding.cacheControl());
            if (encoding.anthropicExtensions()) {
                writeReasoningAndOrder(message, m, false, encoding.cacheControl());
                if (m.toolError()) {
                    message.put("is_error", true);
                }
            }
            messages.add(message);
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (Tool t : request.tools()) {
                if (t.anthropicDefinition().isPresent()) {
                    // as Anthropic takes it: the gateway's own upstreams read it; an adapter for a provider that
                    // does not know it refuses it before writing
                    ObjectNode tool = tools.addObject().setAll((ObjectNode) t.anthropicDefinition().get().deepCopy());
                    if (encoding.cacheControl()) {
                        t.cacheControl().ifPresent(c -> tool.set("cache_control", c.toJson()));
                    }
                    continue;
                }
                ObjectNode fn = NODES.objectNode();
                fn.put("name", t.name());
                t.description().ifPresent(d -> fn.put("description", d));
                fn.set("parameters", t.parameters());
                if (t.strict()) {
                    fn.put("strict", true);
                }
                ObjectNode tool = tools.addObject().put("type", "function");
                tool.set("function", fn);
                if (encoding.cacheControl()) {
                    t.cacheControl().ifPresent(c -> tool.set("cache_control", c.toJson()));
                }
            }
        }
        request.toolChoice().ifPresent(c -> root.set("tool_choice", c));
        if (!request.tools().isEmpty()) { // OpenAI refuses parallel_tool_calls without tools
            request.parallelToolCalls().ifPresent(p -> root.put("parallel_tool_calls", p));
        }
        switch (request.responseFormat()) {
            case ResponseFormat.Text t -> { }
            case ResponseFormat.JsonObject j -> root.putObject("response_format").put("type", "json_object");
            case ResponseFormat.JsonSchema s -> {
                ObjectNode rf = root.putObject("response_format");
                rf.put("type", "json_schema");
                ObjectNode js = rf.putObject("json_schema");
                js.put("name", s.name());
                js.set("schema", s.schema());
                js.put("strict", s.strict());
            }
        }
        request.temperature().ifPresent(t -> root.put("temperature", t));
        request.topP().ifPresent(p -> root.put("top_p", p));
        if (encoding.topK()) {
            request.topK().ifPresent(k -> root.put("top_k", k));
        }
        request.maxTokens().ifPresent(m -> root.put(encoding.maxCompletionTokens()
                ? "max_completion_tokens" : "max_tokens", m));
        if (!request.stop().isEmpty()) {
            ArrayNode stop = root.putArray("stop");
            request.stop().forEach(stop::add);
        }
        request.seed().ifPresent(s -> root.put("seed", s));
        request.presencePenalty().ifPresent(p -> root.put("presence_penalty", p));
        request.frequencyPenalty().ifPresent(p -> root.put("frequency_penalty", p));
        request.user().ifPresent(u -> root.put("user", u));
        request.reasoning().ifPresent(r -> ReasoningWire.writeSetting(root, r, encoding.openRouterReasoning()));
        if (encoding.serviceTier()) {
            request.serviceTier().ifPresent(t -> root.put("service_tier", t.wireName()));
        }
        if (encoding.anthropicExtensions()) {
            request.contextManagement().ifPresent(c -> root.set("context_management", c));
            request.inferenceGeo().ifPresent(g -> root.put(INFERENCE_GEO, g));
            request.outputEffort().ifPresent(e -> root.putObject(OUTPUT_CONFIG).put("effort", e.wireName()));
            if (!request.anthropicBetas().isEmpty()) {
                request.anthropicBetas().forEach(root.putArray(ANTHROPIC_BETA)::add);
            }
        }
        if (encoding.includeMetadata() && !request.metadata().isEmpty()) {
            ObjectNode md = root.putObject("metadata");
            request.metadata().forEach(md::put);
        }
        if (encoding.stream()) {
            root.put("stream", true);
            if (encoding.includeUsage()) {
                root.putObject("stream_options").put("include_usage", true);
            }
        }
        return root;
    }

    /**
     * Writes a request as a caller would send it, keeping its own model name and stream flags.
     *
     * @param request the request and its stream flags
     * @return the JSON body
     */
    public ObjectNode writeRequest(OpenAiRequest request) {
        RequestEncoding enc = new RequestEncoding(request.stream(), request.stream() && request.includeUsage(),
                false, true, true, false, true, true, true);
        return writeRequest(request.chat(), request.chat().model(), enc);
    }

    private Message readMessage(JsonNode node, String at) {
        requireObject(node, at);
        String roleName = requireString(node, "role", at);
        Role role;
        try {
            role = Role.fromWire(roleName);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(path(at, "role"), "unknown role '" + roleName
                    + "'; expected one of system, developer, user, assistant, tool");
        }
        List<ContentPart> content = markLastPart(readContent(node.get("content"), path(at, "content")),
                optCacheControl(node, at), at);
        List<ContentPart> reasoning = ReasoningWire.readBlocks(node, at);
        if (!reasoning.isEmpty() && role != Role.ASSISTANT) {
            throw new WireFormatException(path(at, "thinking_blocks"), "only an assistant message holds reasoning, "
                    + "this one has role '" + roleName + "'");
        }
        Optional<String> name = optString(node, "name", at);
        List<ToolCall> toolCalls = new ArrayList<>();
        JsonNode calls = node.get("tool_calls");
        if (calls != null && !calls.isNull()) {
            if (!calls.isArray()) {
                throw new WireFormatException(path(at, "tool_calls"), "expected an array, was " + describe(calls));
            }
            if (role != Role.ASSISTANT) {
                throw new WireFormatException(path(at, "tool_calls"), "only an assistant message may call tools, "
                        + "this one has role '" + roleName + "'");
            }
            for (int i = 0; i < calls.size(); i++) {
                toolCalls.add(readToolCall(calls.get(i), index(path(at, "tool_calls"), i)));
            }
        }
        Optional<String> toolCallId = optString(node, "tool_call_id", at);
        boolean toolError = optBoolean(node, "is_error", at).orElse(false);
        if (toolError && role != Role.TOOL) {
            throw new WireFormatException(path(at, "is_error"), "only a tool message reports a tool error, this one "
                    + "has role '" + roleName + "'");
        }
        if (role == Role.TOOL && toolCallId.isEmpty()) {
            throw new WireFormatException(path(at, "tool_call_id"), "is required for a tool message");
        }
        if (content.isEmpty() && toolCalls.isEmpty() && role != Role.ASSISTANT) {
            throw new WireFormatException(path(at, "content"), "is required for a " + roleName + " message");
        }
        if (node.hasNonNull(BlockOrder.FIELD) && role != Role.ASSISTANT) {
            throw new WireFormatException(path(at, BlockOrder.FIELD), "only an assistant message orders its blocks, "
                    + "this one has role '" + roleName + "'");
        }
        if (node.hasNonNull(BlockOrder.FIELD)) {
            Ordered ordered = ordered(node, at, optCacheControl(node, at));
            return new Message(role, ordered.content(), name, toolCalls, Optional.empty(), false,
                    ordered.toolCallPositions());
        }
        if (!reasoning.isEmpty()) { // the model's reasoning came before what it wrote
            content = Stream.concat(reasoning.stream(), content.stream()).toList();
        }
        return new Message(role, content, name, toolCalls, role == Role.TOOL ? toolCallId : Optional.empty(),
                toolError);
    }

    /**
     * An assistant message's content and tool call positions, in the order its blocks came.
     *
     * @param content its content parts and reasoning blocks, in order
     * @param toolCallPositions where each tool call sits among them
     */
    private record Ordered(List<ContentPart> content, List<Integer> toolCallPositions) {}

    /** Reads a message's blocks in their {@link BlockOrder}; a message's own breakpoint marks its last content part. */
    private static Ordered ordered(JsonNode message, String at, Optional<CacheControl> mark) {
        List<ContentPart> content = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        int lastPart = -1;
        for (BlockOrder.Block b : BlockOrder.read(message, at)) {
            switch (b.kind()) {
                case REASONING -> content.add(ReasoningWire.readBlock(b.node(), b.at()));
                case TOOL_CALL -> positions.add(content.size());
                case CONTENT -> {
                    lastPart = content.size();
                    content.add(readPart(b.node(), b.at()));
                }
            }
        }
        if (mark.isPresent()) {
            if (lastPart < 0) {
                throw new WireFormatException(path(at, "cache_control"), "marks the end of the message's content, "
                        + "and this message has none");
            }
            content.set(lastPart, markLastPart(List.of(content.get(lastPart)), mark, at).getFirst());
        }
        return new Ordered(content, positions);
    }

    /** A message's own {@code cache_control} (LiteLLM's form) is a breakpoint after its last part. */
    private static List<ContentPart> markLastPart(List<ContentPart> content, Optional<CacheControl> mark, String at) {
        if (mark.isEmpty()) {
            return content;
        }
        if (content.isEmpty()) {
            throw new WireFormatException(path(at, "cache_control"), "marks the end of the message's content, and "
                    + "this message has none");
        }
        List<ContentPart> marked = new ArrayList<>(content);
        ContentPart last = marked.getLast();
        marked.set(marked.size() - 1, switch (last) {
            case ContentPart.Text t -> new ContentPart.Text(t.text(), mark);
            case ContentPart.Image i -> new ContentPart.Image(i.url(), i.detail(), mark);
            default -> throw new WireFormatException(path(at, "cache_control"), "cannot mark a reasoning block");
        });
        return marked;
    }

    private List<ContentPart> readContent(JsonNode content, String at) {
        if (content == null || content.isNull()) {
            return List.of();
        }
        if (content.isTextual()) {
            return List.of(ContentPart.text(content.asText()));
        }
        if (!content.isArray()) {
            throw new WireFormatException(at, "expected a string or an array of parts, was " + describe(content));
        }
        List<ContentPart> parts = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            parts.add(readPart(content.get(i), index(at, i)));
        }
        return parts;
    }

    /** Reads one content part: text or an image. */
    private static ContentPart readPart(JsonNode node, String pat) {
        JsonNode part = requireObject(node, pat);
        String type = requireString(part, "type", pat);
        return switch (type) {
            case "text" -> new ContentPart.Text(requireString(part, "text", pat), optCacheControl(part, pat));
            case "image_url" -> {
                JsonNode image = part.get("image_url");
                String ipath = path(pat, "image_url");
                if (image != null && image.isTextual()) {
                    yield new ContentPart.Image(image.asText(), Optional.empty(), optCacheControl(part, pat));
                }
                requireObject(image, ipath);
                String url = requireString(image, "url", ipath);
                yield new ContentPart.Image(url, optString(image, "detail", ipath), optCacheControl(part, pat));
            }
            default -> throw new WireFormatException(path(pat, "type"), "unsupported content part type '"
                    + type + "'; expected text or image_url");
        };
    }

    private ToolCall readToolCall(JsonNode node, String at) {
        requireObject(node, at);
        String id = requireString(node, "id", at);
        optString(node, "type", at).filter(t -> !t.equals("function")).ifPresent(t -> {
            throw new WireFormatException(path(at, "type"), "unsupported tool call type '" + t
                    + "'; expected function");
        });
        String fpath = path(at, "function");
        JsonNode fn = requireObject(node.get("function"), fpath);
        String name = requireString(fn, "name", fpath);
        JsonNode args = fn.get("arguments");
        String arguments = args == null || args.isNull() ? "" : args.isTextual() ? args.asText() : args.toString();
        return new ToolCall(id, name, arguments, optCacheControl(node, at));
    }

    private Tool readTool(JsonNode node, String at) {
        requireObject(node, at);
        String type = optString(node, "type", at).orElse("function");
        if (AnthropicToolTypes.isClientTool(type)) {
            // Anthropic's own client tool, as its Messages API takes it: reaches Anthropic models as it came
            requireString(node, "name", at);
            ObjectNode definition = ((ObjectNode) node).deepCopy();
            definition.remove("cache_control");
            return Tool.anthropicDefined(definition, optCacheControl(node, at));
        }
        if (!type.equals("function")) {
            throw new WireFormatException(path(at, "type"), "unknown tool type '" + type
                    + "'; expected function (or an Anthropic-defined client tool such as bash_20250124)");
        }
        String fpath = path(at, "function");
        JsonNode fn = requireObject(node.get("function"), fpath);
        String name = requireString(fn, "name", fpath);
        if (name.isBlank()) {
            throw new WireFormatException(path(fpath, "name"), "cannot be blank");
        }
        JsonNode params = fn.get("parameters");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new WireFormatException(path(fpath, "parameters"), "expected a JSON Schema object, was "
                    + describe(params));
        }
        JsonNode schema = params == null || params.isNull()
                ? NODES.objectNode().put("type", "object").set("properties", NODES.objectNode())
                : params.deepCopy();
        return new Tool(name, optString(fn, "description", fpath), schema,
                optBoolean(fn, "strict", fpath).orElse(false), optCacheControl(node, at));
    }

    private ResponseFormat readResponseFormat(JsonNode node) {
        requireObject(node, "response_format");
        String type = requireString(node, "type", "response_format");
        return switch (type) {
            case "text" -> new ResponseFormat.Text();
            case "json_object" -> new ResponseFormat.JsonObject();
            case "json_schema" -> {
                JsonNode js = requireObject(node.get("json_schema"), "response_format.json_schema");
                String name = requireString(js, "name", "response_format.json_schema");
                JsonNode schema = js.get("schema");
                if (schema == null || schema.isNull()) {
                    schema = NODES.objectNode();
                } else if (!schema.isObject()) {
                    throw new WireFormatException("response_format.json_schema.schema",
                            "expected a JSON Schema object, was " + describe(schema));
                }
                yield new ResponseFormat.JsonSchema(name, schema.deepCopy(),
                        optBoolean(js, "strict", "response_format.json_schema").orElse(false));
            }
            default -> throw new WireFormatException("response_format.type", "unknown value '" + type
                    + "'; expected text, json_object or json_schema");
        };
    }

    private static List<String> readStop(JsonNode stop) {
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (!stop.isArray()) {
            throw new WireFormatException("stop", "expected a string or an array of strings, was " + describe(stop));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < stop.size(); i++) {
            JsonNode s = stop.get(i);
            if (!s.isTextual()) {
                throw new WireFormatException(index("stop", i), "expected a string, was " + describe(s));
            }
            out.add(s.asText());
        }
        return out;
    }

    /** @param marks write the parts' prompt-cache breakpoints (the parts then go as a list, where they can sit) */
    private static ObjectNode writeMessage(Message m, boolean marks) {
        ObjectNode node = NODES.objectNode();
        node.put("role", m.role().wireName());
        List<ContentPart> visible = m.withoutReasoning().content();
        boolean onlyText = visible.stream().allMatch(p -> p instanceof ContentPart.Text);
        boolean marked = marks && visible.stream().anyMatch(p -> p.cacheControl().isPresent());
        if (visible.isEmpty()) {
            node.putNull("content");
        } else if (onlyText && visible.size() == 1 && !marked) {
            node.put("content", m.text());
        } else {
            ArrayNode parts = node.putArray("content");
            for (ContentPart p : visible) {
                parts.add(writePart(p, marked));
            }
        }
        m.name().ifPresent(n -> node.put("name", n));
        if (!m.toolCalls().isEmpty()) {
            node.set("tool_calls", writeToolCalls(m.toolCalls(), marks));
        }
        m.toolCallId().ifPresent(id -> node.put("tool_call_id", id));
        return node;
    }

    /** @param marked write the part's prompt-cache breakpoint */
    private static ObjectNode writePart(ContentPart p, boolean marked) {
        ObjectNode part = NODES.objectNode();
        switch (p) {
            case ContentPart.Text t -> part.put("type", "text").put("text", t.text());
            case ContentPart.Image i -> {
                ObjectNode img = part.put("type", "image_url").putObject("image_url");
                img.put("url", i.url());
                i.detail().ifPresent(d -> img.put("detail", d));
            }
            default -> throw new IllegalStateException("reasoning blocks are written apart: " + p);
        }
        if (marked) {
            p.cacheControl().ifPresent(c -> part.set("cache_control", c.toJson()));
        }
        return part;
    }

    /**
     * Writes an assistant message's reasoning blocks and, when its blocks are not plainly ordered, their
     * {@link BlockOrder}.
     *
     * @param oneContentPart an answer, whose content is one string
     */
    private static void writeReasoningAndOrder(ObjectNode message, Message m, boolean oneContentPart, boolean marks) {
        ReasoningWire.writeBlocks(message, m.reasoning());
        if (m.role() != Role.ASSISTANT) {
            return;
        }
        List<BlockOrder.Block> blocks = new ArrayList<>();
        int call = 0;
        for (int i = 0; i <= m.content().size(); i++) {
            while (call < m.toolCalls().size() && m.toolCallPosition(call) == i) {
                blocks.add(new BlockOrder.Block(BlockOrder.Kind.TOOL_CALL, NODES.nullNode(), ""));
                call++;
            }
            if (i < m.content().size()) {
                ContentPart p = m.content().get(i);
                blocks.add(p instanceof ContentPart.Thinking || p instanceof ContentPart.RedactedThinking
                        ? new BlockOrder.Block(BlockOrder.Kind.REASONING, NODES.nullNode(), "")
                        : new BlockOrder.Block(BlockOrder.Kind.CONTENT, writePart(p, marks), ""));
            }
        }
        BlockOrder.write(message, blocks, oneContentPart);
    }

    /** @param marks write the calls' prompt-cache breakpoints */
    private static ArrayNode writeToolCalls(List<ToolCall> calls, boolean marks) {
        ArrayNode arr = NODES.arrayNode();
        for (ToolCall c : calls) {
            ObjectNode call = arr.addObject();
            call.put("id", c.id());
            call.put("type", "function");
            call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
            if (marks) {
                c.cacheControl().ifPresent(cc -> call.set("cache_control", cc.toJson()));
            }
        }
        return arr;
    }

    // ------------------------------------------------------------------ responses

    /**
     * Writes a {@code chat.completion} answer.
     *
     * @param response the response
     * @param created the {@code created} Unix time in seconds
     * @return the JSON body
     */
    public ObjectNode writeResponse(ChatResponse response, long created) {
        ObjectNode root = NODES.objectNode();
        root.put("id", response.id());
        root.put("object", "chat.completion");
        root.put("created", created);
        root.put("model", response.model());
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = writeMessage(response.message(), false);
        if (message.path("content").isNull() && response.message().toolCalls().isEmpty()) {
            message.put("content", "");
        }
        if (response.message().withoutReasoning().content().stream().allMatch(p -> p instanceof ContentPart.Text)
                && message.path("content").isArray()) {
            message.put("content", response.message().text()); // an answer's text is one string; its blocks below
        }
        writeReasoningAndOrder(message, response.message(), true, false);
        choice.set("message", message);
        choice.putNull("logprobs");
        choice.put("finish_reason", response.finishReason().wireName());
        writeNativeFinishReason(choice, response.finishReason());
        response.stopSequence().ifPresent(s -> choice.put(STOP_REASON, s));
        root.set("usage", writeUsage(response.usage()));
        writeServedTier(root, response.usage());
        return root;
    }

    /**
     * Reads a {@code chat.completion} answer. Check {@link #readError(JsonNode)} first: OpenRouter sends errors inside
     * a 200.
     *
     * @param root the body
     * @return the completion
     * @throws WireFormatException naming the field that is missing or wrong
     */
    public WireCompletion readResponse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new WireFormatException("", "expected a JSON object, was " + describe(root));
        }
        String id = optString(root, "id", "").orElse("");
        String model = optString(root, "model", "").orElse("");
        long created = optLong(root, "created", "").orElse(0L);
        JsonNode choices = root.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            throw new WireFormatException("choices", "expected at least one choice, was " + describe(choices));
        }
        JsonNode choice = requireObject(choices.get(0), "choices[0]");
        JsonNode msg = requireObject(choice.get("message"), "choices[0].message");
        List<ContentPart> content = new ArrayList<>();
        JsonNode c = msg.get("content");
        if (c != null && c.isTextual()) {
            content.add(ContentPart.text(c.asText()));
        } else if (c != null && c.isArray()) {
            content.addAll(readContent(c, "choices[0].message.content"));
        } else if (c != null && !c.isNull()) {
            throw new WireFormatException("choices[0].message.content", "expected a string, was " + describe(c));
        }
        List<ToolCall> calls = new ArrayList<>();
        JsonNode tc = msg.get("tool_calls");
        if (tc != null && tc.isArray()) {
            for (int i = 0; i < tc.size(); i++) {
                calls.add(readToolCall(tc.get(i), index("choices[0].message.tool_calls", i)));
            }
        }
        if (content.isEmpty() && calls.isEmpty()) {
            optString(msg, "refusal", "choices[0].message").ifPresent(r -> content.add(ContentPart.text(r)));
        }
        if (content.isEmpty() && calls.isEmpty()) {
            content.add(ContentPart.text(""));
        }
        content.addAll(0, ReasoningWire.readAnswerReasoning(msg, "choices[0].message"));
        Message message = new Message(Role.ASSISTANT, content, Optional.empty(), calls, Optional.empty());
        if (msg.hasNonNull(BlockOrder.FIELD)) {
            Ordered ordered = ordered(msg, "choices[0].message", Optional.empty());
            message = new Message(Role.ASSISTANT, ordered.content(), Optional.empty(), calls, Optional.empty(), false,
                    ordered.toolCallPositions());
        }
        FinishReason finish = optString(choice, "finish_reason", "choices[0]").map(r -> finishReason(r, choice))
                .orElse(calls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS);
        return new WireCompletion(id, model, created, message, finish, readUsage(root.get("usage"))
                .map(u -> u.withServiceTier(readServedTier(root))));
    }

    /** The {@link #ANTHROPIC_BETA} names of a request body; none when absent. */
    private static List<String> readAnthropicBetas(JsonNode root) {
        JsonNode betas = root.get(ANTHROPIC_BETA);
        if (betas == null || betas.isNull()) {
            return List.of();
        }
        if (!betas.isArray()) {
            throw new WireFormatException(ANTHROPIC_BETA, "expected an array of beta names, was " + describe(betas));
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < betas.size(); i++) {
            if (!betas.get(i).isTextual()) {
                throw new WireFormatException(index(ANTHROPIC_BETA, i), "expected a string, was "
                        + describe(betas.get(i)));
            }
            names.add(betas.get(i).asText());
        }
        return names;
    }

    // ------------------------------------------------------------------ chunks

    /**
     * Writes a {@code chat.completion.chunk}. A chunk carrying only usage is written as OpenAI's final usage chunk,
     * with an empty {@code choices} array.
     *
     * @param chunk the chunk
     * @param created the {@code created} Unix time in seconds
     * @return the JSON event data
     */
    public ObjectNode writeChunk(ChatChunk chunk, long created) {
        ObjectNode root = NODES.objectNode();
        root.put("id", chunk.id());
        root.put("object", "chat.completion.chunk");
        root.put("created", created);
        root.put("model", chunk.model());
        ArrayNode choices = root.putArray("choices");
        boolean usageOnly = chunk.usage().isPresent() && chunk.contentDelta().isEmpty()
                && chunk.toolCallDeltas().isEmpty() && chunk.finishReason().isEmpty()
                && chunk.thinkingDeltas().isEmpty();
        if (!usageOnly) {
            ObjectNode choice = choices.addObject();
            choice.put("index", 0);
            ObjectNode delta = choice.putObject("delta");
            delta.put("role", "assistant");
            if (!chunk.contentDelta().isEmpty()
                    || (chunk.toolCallDeltas().isEmpty() && chunk.thinkingDeltas().isEmpty())) {
                delta.put("content", chunk.contentDelta());
            }
            ReasoningWire.writeDeltas(delta, chunk.thinkingDeltas());
            if (!chunk.toolCallDeltas().isEmpty()) {
                ArrayNode tcs = delta.putArray("tool_calls");
                for (ToolCallDelta d : chunk.toolCallDeltas()) {
                    ObjectNode t = tcs.addObject();
                    t.put("index", d.index());
                    d.id().ifPresent(id -> t.put("id", id).put("type", "function"));
                    ObjectNode fn = t.putObject("function");
                    d.name().ifPresent(n -> fn.put("name", n));
                    fn.put("arguments", d.argumentsFragment());
                }
            }
            choice.putNull("logprobs");
            if (chunk.finishReason().isPresent()) {
                choice.put("finish_reason", chunk.finishReason().get().wireName());
                writeNativeFinishReason(choice, chunk.finishReason().get());
                chunk.stopSequence().ifPresent(s -> choice.put(STOP_REASON, s));
            } else {
                choice.putNull("finish_reason");
            }
        }
        chunk.usage().ifPresent(u -> {
            root.set("usage", writeUsage(u));
            writeServedTier(root, u);
        });
        return root;
    }

    /**
     * Reads a {@code chat.completion.chunk}. Check {@link #readError(JsonNode)} first: providers send mid-stream
     * errors as an event with an {@code error} object.
     *
     * @param root the event data
     * @return the chunk (only the first choice is read)
     * @throws WireFormatException naming the field that is wrong
     */
    public ChatChunk readChunk(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new WireFormatException("", "expected a JSON object, was " + describe(root));
        }
        String id = optString(root, "id", "").orElse("");
        String model = optString(root, "model", "").orElse("");
        StringBuilder text = new StringBuilder();
        List<ToolCallDelta> deltas = new ArrayList<>();
        List<ThinkingDelta> thinking = new ArrayList<>();
        Optional<FinishReason> finish = Optional.empty();
        JsonNode choices = root.get("choices");
        if (choices != null && !choices.isNull() && !choices.isArray()) {
            throw new WireFormatException("choices", "expected an array, was " + describe(choices));
        }
        if (choices != null && choices.isArray()) {
            for (int i = 0; i < choices.size(); i++) {
                String at = index("choices", i);
                JsonNode choice = requireObject(choices.get(i), at);
                if (choice.path("index").asInt(0) != 0) {
                    continue; // n > 1 is not supported; later choices are ignored
                }
                JsonNode delta = choice.get("delta");
                if (delta != null && delta.isObject()) {
                    optString(delta, "content", path(at, "delta")).ifPresent(text::append);
                    thinking.addAll(ReasoningWire.readDeltaReasoning(delta, path(at, "delta")));
                    JsonNode tcs = delta.get("tool_calls");
                    if (tcs != null && tcs.isArray()) {
                        for (int j = 0; j < tcs.size(); j++) {
                            String tat = index(path(at, "delta.tool_calls"), j);
                            JsonNode t = requireObject(tcs.get(j), tat);
                            int idx = (int) optLong(t, "index", tat).orElse((long) j).longValue();
                            JsonNode fn = t.get("function");
                            Optional<String> name = fn != null && fn.isObject()
                                    ? optString(fn, "name", path(tat, "function")) : Optional.empty();
                            String args = fn != null && fn.isObject()
                                    ? optString(fn, "arguments", path(tat, "function")).orElse("") : "";
                            deltas.add(new ToolCallDelta(idx, optString(t, "id", tat), name, args));
                        }
                    }
                }
                finish = optString(choice, "finish_reason", at).map(r -> finishReason(r, choice));
            }
        }
        JsonNode usage = root.get("usage");
        if ((usage == null || usage.isNull()) && root.path("x_groq").path("usage").isObject()) {
            usage = root.path("x_groq").path("usage"); // Groq's own place for the final chunk's usage
        }
        return new ChatChunk(id, model, text.toString(), deltas, finish,
                readUsage(usage).map(u -> u.withServiceTier(readServedTier(root))), thinking);
    }

    // ------------------------------------------------------------------ usage

    /**
     * The tier an answer or a chunk says served it ({@code service_tier} beside {@code usage}).
     *
     * @param root a completion or a chunk
     * @return the tier: {@code STANDARD} when the field is absent or names a tier billed at the standard price
     */
    public static ServiceTier readServedTier(JsonNode root) {
        JsonNode tier = root.get("service_tier");
        return ServiceTier.ofReported(tier != null && tier.isTextual() ? Optional.of(tier.asText()) : Optional.empty());
    }

    /**
     * Writes {@code service_tier} beside the usage of an answer or a chunk when the tier is not the standard one (whose
     * answers may leave it out), as OpenAI reports it.
     *
     * @param root a completion or a chunk, written to
     * @param usage its usage
     */
    public static void writeServedTier(ObjectNode root, Usage usage) {
        if (usage.serviceTier() != ServiceTier.STANDARD) {
            root.put("service_tier", usage.serviceTier().wireName());
        }
    }

    /**
     * Writes usage in OpenAI's shape, with {@code prompt_tokens_details.cached_tokens} and
     * {@code completion_tokens_details.reasoning_tokens}.
     *
     * @param usage the usage
     * @return the {@code usage} object
     */
    public ObjectNode writeUsage(Usage usage) {
        ObjectNode u = NODES.objectNode();
        u.put("prompt_tokens", usage.inputTokens());
        u.put("completion_tokens", usage.outputTokens());
        u.put("total_tokens", usage.totalTokens());
        ObjectNode prompt = u.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedInputTokens());
        if (usage.cacheWriteTokens() > 0) {
            prompt.put("cache_write_tokens", usage.cacheWriteTokens()); // OpenRouter's name; OpenAI has none
        }
        if (usage.cacheWrite1hTokens() > 0) {
            prompt.put(CACHE_WRITE_1H_TOKENS, usage.cacheWrite1hTokens()); // Anthropic's split, for its price
        }
        u.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
        usage.inferenceGeo().ifPresent(g -> u.put(INFERENCE_GEO, g)); // Anthropic's, for the price; OpenAI has none
        return u;
    }

    /**
     * Reads OpenAI usage. {@code prompt_tokens} already includes the cached tokens
     * ({@code prompt_tokens_details.cached_tokens}, or DeepSeek's {@code prompt_cache_hit_tokens}) and the tokens
     * written to the prompt cache (OpenRouter's {@code prompt_tokens_details.cache_write_tokens}, of which
     * {@value #CACHE_WRITE_1H_TOKENS}, when the gateway wrote it, are 1-hour writes). A provider that
     * reports reasoning tokens apart from {@code completion_tokens} has them added in. The cost OpenRouter reports
     * charging ({@code cost}, with {@code is_byok} and {@code cost_details.upstream_inference_cost}: see
     * {@link UsageNormalizer#fromOpenRouterCost}) becomes the usage's {@link Usage#reportedCost()}, read exactly from
     * a tree parsed by {@link #parseAnswer} (from a tree holding it as a {@code double} it is left out, and the call
     * is priced from the catalog). Anthropic's {@code inference_geo}, which the gateway writes beside the counts, is
     * the usage's {@link Usage#inferenceGeo()}.
     *
     * @param node the {@code usage} object, or {@code null}
     * @return the usage, or empty when absent or null
     * @throws WireFormatException if a count is not an integer, or the cost is not a number or is negative
     */
    public Optional<Usage> readUsage(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Optional.empty();
        }
        requireObject(node, "usage");
        long prompt = JsonReader.longOrZero(node, "prompt_tokens", "usage");
        long completion = JsonReader.longOrZero(node, "completion_tokens", "usage");
        long cached = JsonReader.longOrZero(node.get("prompt_tokens_details"), "cached_tokens",
                "usage.prompt_tokens_details");
        if (cached == 0) {
            cached = JsonReader.longOrZero(node, "prompt_cache_hit_tokens", "usage");
        }
        long reasoning = JsonReader.longOrZero(node.get("completion_tokens_details"), "reasoning_tokens",
                "usage.completion_tokens_details");
        if (reasoning > completion) {
            completion += reasoning;
        }
        long writes = JsonReader.longOrZero(node.get("prompt_tokens_details"), "cache_write_tokens",
                "usage.prompt_tokens_details");
        cached = Math.min(cached, prompt);
        Usage usage = UsageNormalizer.fromOpenAi(prompt, cached, Math.min(writes, prompt - cached), completion,
                reasoning).withInferenceGeo(readInferenceGeo(node));
        long oneHour = Math.min(usage.cacheWriteTokens(), JsonReader.longOrZero(node.get("prompt_tokens_details"),
                CACHE_WRITE_1H_TOKENS, "usage.prompt_tokens_details"));
        if (oneHour > 0) {
            usage = new Usage(usage.inputTokens(), usage.cachedInputTokens(), usage.cacheWriteTokens(), oneHour,
                    usage.outputTokens(), usage.reasoningTokens(), usage.estimated(), usage.serviceTier(),
                    usage.reportedCost(), usage.inferenceGeo());
        }
        return Optional.of(readReportedCost(node).map(usage::withReportedCost).orElse(usage));
    }

    /**
     * Where a call ran, as its usage says ({@code inference_geo}: Anthropic's, which the gateway's answers carry too);
     * anything but a non-blank string reads as not said, so an odd value never fails a call that was made and paid.
     *
     * @param usage a {@code usage} object
     * @return the geography, if named
     */
    public static Optional<String> readInferenceGeo(JsonNode usage) {
        JsonNode geo = usage.get(INFERENCE_GEO);
        return geo != null && geo.isTextual() && !geo.asText().isBlank() ? Optional.of(geo.asText())
                : Optional.empty();
    }

    /** OpenRouter's {@code usage.cost}, with a BYOK call's upstream charge, when it reports one exactly. */
    private static Optional<Money> readReportedCost(JsonNode usage) {
        Optional<BigDecimal> cost = JsonReader.optExactAmount(usage, "cost", "usage");
        if (cost.isEmpty()) {
            return Optional.empty();
        }
        boolean byok = optBoolean(usage, "is_byok", "usage").orElse(false);
        return UsageNormalizer.fromOpenRouterCost(cost.get(), byok, JsonReader.optExactAmount(
                usage.get("cost_details"), "upstream_inference_cost", "usage.cost_details"));
    }

    // ------------------------------------------------------------------ errors

    /**
     * Writes an OpenAI error body.
     *
     * @param error the error
     * @return {@code {"error": {...}}}
     */
    public ObjectNode writeError(WireError error) {
        ObjectNode root = NODES.objectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", error.message());
        e.put("type", error.type().orElse(null));
        e.put("param", error.param().orElse(null));
        e.put("code", error.code().orElse(null));
        error.metadata().ifPresent(m -> e.set("metadata", m));
        return root;
    }

    /**
     * Reads an error body, if {@code root} is one: {@code {"error": {...}}} (OpenAI, OpenRouter, Groq…),
     * {@code {"error": "text"}} (Ollama, some servers) or vLLM's {@code {"object": "error", "message": ...}}. Hugging
     * Face TGI's, which it also sends as an event of a stream it opened with 200, keep the status they stand for:
     * {@code {"error": "...", "error_type": "validation"}} has {@code error_type} as its type, and
     * {@code {"error": {"message": ..., "http_status_code": 422}}} its status as its code (when it has no other).
     *
     * @param root a parsed body or stream event
     * @return the error, or empty when {@code root} is not an error
     */
    public Optional<WireError> readError(JsonNode root) {
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        JsonNode e = root.get("error");
        if (e != null && e.isTextual()) {
            return Optional.of(new WireError(e.asText(), text(root.get("error_type")), Optional.empty(),
                    Optional.empty(), Optional.empty()));
        }
        if (e != null && e.isObject()) {
            return Optional.of(errorFrom(e));
        }
        if ("error".equals(root.path("object").asText(null)) && root.has("message")) {
            return Optional.of(errorFrom(root));
        }
        return Optional.empty();
    }

    private static WireError errorFrom(JsonNode e) {
        String message = e.path("message").isValueNode() ? e.path("message").asText("") : e.path("message").toString();
        return new WireError(message, text(e.get("type")), text(e.get("param")),
                text(e.get("code")).or(() -> text(e.get("http_status_code"))),
                Optional.ofNullable(e.get("metadata")).filter(m -> !m.isNull()));
    }

    private static Optional<String> text(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return Optional.empty();
        }
        return Optional.of(n.isValueNode() ? n.asText() : n.toString());
    }

    /**
     * Reads an OpenAI {@code finish_reason}.
     *
     * @param wire {@code stop}, {@code length}, {@code tool_calls}, {@code function_call}, {@code content_filter}
     * @return the reason; {@link FinishReason#OTHER} for anything else
     */
    public static FinishReason finishReason(String wire) {
        return switch (wire) {
            case "stop", "eos", "end_turn", "stop_sequence" -> FinishReason.STOP;
            case "length", "max_tokens" -> FinishReason.LENGTH;
            case "tool_calls", "function_call", "tool_use" -> FinishReason.TOOL_CALLS;
            case "content_filter", "safety" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    /** Reads a choice's {@code finish_reason}, with the {@link #NATIVE_FINISH_REASON} that refines {@code length}. */
    private static FinishReason finishReason(String wire, JsonNode choice) {
        FinishReason reason = finishReason(wire);
        return reason == FinishReason.LENGTH && CONTEXT_WINDOW_EXCEEDED.equals(choice.path(NATIVE_FINISH_REASON)
                .asText()) ? FinishReason.CONTEXT_WINDOW_EXCEEDED : reason;
    }

    /** Names the reason OpenAI's {@code finish_reason} cannot, beside it. */
    private static void writeNativeFinishReason(ObjectNode choice, FinishReason reason) {
        if (reason == FinishReason.CONTEXT_WINDOW_EXCEEDED) {
            choice.put(NATIVE_FINISH_REASON, CONTEXT_WINDOW_EXCEEDED);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
