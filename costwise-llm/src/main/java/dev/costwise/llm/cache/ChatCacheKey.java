package dev.costwise.llm.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A stable hash of everything in a {@link ChatRequest} that changes the answer.
 *
 * <p>The key covers the model, every message (role, name, every text and image part, tool calls and tool-call ids),
 * tools, tool choice, {@code parallel_tool_calls}, Anthropic's {@code output_config.effort}, response format,
 * temperature, top_p, max_tokens, stop sequences and seed. It leaves out what does not change the output:
 * {@code user} and metadata. Object fields inside JSON values (tool schemas, tool choice) are sorted, so field order
 * in the caller's JSON does not matter. Unlike the spec's {@code prompt[:100]} key, two prompts that share a prefix
 * never collide.
 *
 * <p>An optional namespace (a tenant, a virtual key, a team) keeps one tenant's answers from being served to another.
 */
public final class ChatCacheKey {

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private ChatCacheKey() {}

    /**
     * The key of {@code request} with no namespace.
     *
     * @param request the request
     * @return a hex SHA-256 digest
     */
    public static String of(ChatRequest request) {
        return of("", request);
    }

    /**
     * The key of {@code request} within {@code namespace}.
     *
     * @param namespace who may share this entry (empty for everyone)
     * @param request the request
     * @return a hex SHA-256 digest
     */
    public static String of(String namespace, ChatRequest request) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(request, "request");
        byte[] canonical = canonicalBytes(request);
        MessageDigest sha = sha256();
        sha.update(namespace.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(canonical);
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The canonical form that is hashed; exposed so tests and debugging can see exactly what counts.
     *
     * @param request the request
     * @return canonical JSON with sorted object keys
     */
    public static String canonicalJson(ChatRequest request) {
        return new String(canonicalBytes(request), StandardCharsets.UTF_8);
    }

    private static byte[] canonicalBytes(ChatRequest request) {
        ObjectNode root = CANONICAL.createObjectNode();
        root.put("model", request.model());
        ArrayNode messages = root.putArray("messages");
        for (Message m : request.messages()) {
            messages.add(message(m));
        }
        ArrayNode tools = root.putArray("tools");
        for (Tool t : request.tools()) {
            ObjectNode tool = tools.addObject();
            tool.put("name", t.name());
            t.description().ifPresent(d -> tool.put("description", d));
            tool.set("parameters", sorted(t.parameters()));
            tool.put("strict", t.strict());
            t.anthropicDefinition().ifPresent(d -> tool.set("anthropic_definition", sorted(d)));
        }
        request.toolChoice().ifPresent(tc -> root.set("tool_choice", sorted(tc)));
        request.parallelToolCalls().ifPresent(v -> root.put("parallel_tool_calls", v));
        request.outputEffort().ifPresent(e -> root.put("output_effort", e.wireName())); // changes the answer
        root.set("response_format", responseFormat(request.responseFormat()));
        request.temperature().ifPresent(v -> root.put("temperature", v));
        request.topP().ifPresent(v -> root.put("top_p", v));
        request.topK().ifPresent(v -> root.put("top_k", v));
        request.maxTokens().ifPresent(v -> root.put("max_tokens", v));
        ArrayNode stop = root.putArray("stop");
        request.stop().forEach(stop::add);
        request.seed().ifPresent(v -> root.put("seed", v));
        request.presencePenalty().ifPresent(v -> root.put("presence_penalty", v));
        request.frequencyPenalty().ifPresent(v -> root.put("frequency_penalty", v));
        // it changes which earlier turns the model reads
        request.contextManagement().ifPresent(c -> root.set("context_management", sorted(c)));
        if (!request.anthropicBetas().isEmpty()) {
            // a beta may change the answer (or whether a long prompt is taken at all); their order does not
            request.anthropicBetas().stream().sorted().forEach(root.putArray("anthropic_beta")::add);
        }
        request.reasoning().ifPresent(r -> {
            ObjectNode reasoning = root.putObject("reasoning");
            r.effort().ifPresent(e -> reasoning.put("effort", e.wireName()));
            r.budgetTokens().ifPresent(b -> reasoning.put("budget_tokens", b));
        });
        try {
            return CANONICAL.writeValueAsBytes(sorted(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a chat request for its cache key", e);
        }
    }

    private static ObjectNode message(Message m) {
        ObjectNode node = CANONICAL.createObjectNode();
        node.put("role", m.role().wireName());
        m.name().ifPresent(n -> node.put("name", n));
        ArrayNode parts = node.putArray("content");
        for (ContentPart p : m.content()) {
            switch (p) {
                case ContentPart.Text t -> parts.addObject().put("text", t.text());
                case ContentPart.Image i -> {
                    ObjectNode image = parts.addObject().put("image_url", i.url());
                    i.detail().ifPresent(d -> image.put("detail", d));
                }
                // the model reads its earlier reasoning back, so it is part of what the answer depends on
                case ContentPart.Thinking th -> {
                    ObjectNode thinking = parts.addObject().put("thinking", th.text());
                    th.signature().ifPresent(sig -> thinking.put("signature", sig));
                }
                case ContentPart.RedactedThinking r -> parts.addObject().put("redacted_thinking", r.data());
            }
        }
        ArrayNode calls = node.putArray("tool_calls");
        for (ToolCall c : m.toolCalls()) {
            calls.addObject().put("id", c.id()).put("name", c.name()).put("arguments", c.arguments());
        }
        if (!m.toolCallPositions().isEmpty()) { // calls among the content (interleaved thinking): the order is read
            m.toolCallPositions().forEach(node.putArray("tool_call_positions")::add);
        }
        m.toolCallId().ifPresent(id -> node.put("tool_call_id", id));
        if (m.toolError()) {
            node.put("is_error", true);
        }
        return node;
    }

    private static JsonNode responseFormat(ResponseFormat format) {
        ObjectNode node = CANONICAL.createObjectNode();
        switch (format) {
            case ResponseFormat.Text t -> node.put("type", "text");
            case ResponseFormat.JsonObject j -> node.put("type", "json_object");
            case ResponseFormat.JsonSchema s -> node.put("type", "json_schema").put("name", s.name())
                    .put("strict", s.strict()).set("schema", sorted(s.schema()));
        }
        return node;
    }

    /** Copies a JSON value with every object's fields in name order, recursively. */
    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = CANONICAL.createObjectNode();
            java.util.List<String> names = new java.util.ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            java.util.Collections.sort(names);
            for (String name : names) {
                out.set(name, sorted(node.get(name)));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = CANONICAL.createArrayNode();
            node.forEach(child -> out.add(sorted(child)));
            return out;
        }
        return node;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

}
