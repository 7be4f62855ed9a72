package dev.costwise.llm.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.CacheControl;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.provider.http.SystemPrompts;
import dev.costwise.llm.provider.http.ThoughtSignatureIds;
import dev.costwise.llm.provider.http.ToolArguments;
import dev.costwise.llm.wire.OpenAiWire;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Translates a canonical {@link ChatRequest} into the body of Anthropic's {@code POST /v1/messages}.
 *
 * <p>The translation, following https://docs.claude.com/en/api/messages:
 * <ul>
 *   <li>System messages, and the text parts of each, are joined (blank line between) into the top-level
 *       {@code system} string ({@link SystemPrompts}).
 *   <li>Tool results become {@code tool_result} blocks in a user message (a result of several text parts keeps them
 *       as text blocks), placed before any other block of that
 *       message as Anthropic requires; assistant tool calls become {@code tool_use} blocks whose {@code input} is the
 *       parsed arguments. Ids lose a Gemini thought signature ({@link ThoughtSignatureIds}), which Anthropic's id
 *       pattern refuses.
 *   <li>Consecutive messages of the same Anthropic role are merged into one, so user and assistant alternate.
 *   <li>Images: a {@code data:} URI becomes a {@code base64} source, any other URL a {@code url} source.
 *   <li>A strict JSON schema ({@code response_format: json_schema} with {@code strict: true}) goes to a model that
 *       takes structured outputs ({@link ClaudeStructuredOutputs}: Claude 4.5 and later) natively, as
 *       {@code output_config.format: {type: json_schema, schema}}: Anthropic then constrains the answer to the schema.
 *       A strict tool is sent with {@code strict: true} to those models. Otherwise (JSON mode, which Anthropic has no
 *       native form of, a schema that is not strict, or an older model) an instruction is appended to {@code system}
 *       asking for one JSON object (and, for a schema, naming the schema). Either way the answer is the model's text.
 *   <li>{@code max_tokens} is required by Anthropic: the request's value, else the default the caller gives (the
 *       model's maximum output from the catalog, or 4096).
 *   <li>{@code temperature} above 1 (OpenAI allows 2, Anthropic 1) is capped at 1. {@code seed} has no Anthropic
 *       equivalent and is dropped. {@code user} goes to {@code metadata.user_id}.
 *   <li>Prompt-cache breakpoints ({@link CacheControl}) the caller placed on content parts, messages or tools become
 *       {@code cache_control} on the same blocks and tools (on a tool message of one text, on its
 *       {@code tool_result}; of several, on its text blocks; on a tool call, on its {@code tool_use}); a marked
 *       system part turns {@code system} into a list of text blocks. Anthropic takes at most
 *       {@value #MAX_BREAKPOINTS}: a request with more is refused here, naming the count. With none placed by the
 *       caller, the model's {@link AnthropicPromptCaching} places its own.
 *   <li>Reasoning ({@link ChatRequest#reasoning()}): absent or off sends no {@code thinking} (thinking is opt-in).
 *       Claude 4.6 and later ({@link ClaudeThinkingForm#ADAPTIVE}) get {@code thinking: {type: adaptive}} and
 *       {@code output_config.effort} (minimal is sent as low). Older models get {@code thinking: {type: enabled,
 *       budget_tokens}}, the budget raised to Anthropic's minimum of {@value #MIN_THINKING_BUDGET}; as
 *       {@code max_tokens} counts the thinking, a caller who set none gets the default (usually the model's whole
 *       output limit, which the budget then fits in) or, for a budget at least that large, the budget plus the
 *       default; a budget derived from an effort is lowered below the caller's {@code max_tokens}. With thinking on, a
 *       temperature other than 1, a {@code top_p} below {@value #MIN_TOP_P_WITH_THINKING} and (budget form) a
 *       {@code tool_choice} that forces a tool are refused here, as Anthropic would refuse them. A request whose
 *       last assistant message calls tools without starting with a thinking block (a turn another provider answered,
 *       after a fallback, or one written by the caller) is sent without thinking, as LiteLLM does: Anthropic refuses
 *       thinking for it ("a final assistant message must start with a thinking block"), and the tool loop could not
 *       go on. Claude then answers that turn without thinking too, so thinking resumes once the tool loop has ended
 *       (the last assistant message no longer calls tools).
 *   <li>Anthropic's own client tools ({@code bash_20250124}, {@code text_editor_20250728}, {@code computer_*},
 *       {@code memory_*}: {@link Tool#anthropicDefinition()}) are sent as they came.
 *   <li>The caller's own {@code output_config.effort} ({@link ChatRequest#outputEffort()}) goes as given, thinking or
 *       not, to the models that take it ({@link ClaudeEffort}); adaptive thinking's effort, which a reasoning cap may
 *       have lowered, takes its place. Older models, which have one effort, are sent none.
 *   <li>{@code tool_choice}: auto, required (Anthropic's any), none or a function (Anthropic's tool).
 *       {@code parallel_tool_calls: false} becomes {@code disable_parallel_tool_use: true} on it, on
 *       {@code {type: auto}} when the request gave no tool choice.
 *   <li>An assistant message's blocks go in its order: reasoning blocks ({@link ContentPart.Thinking},
 *       {@link ContentPart.RedactedThinking}) unchanged, signature included, text parts each a block, and
 *       {@code tool_use} blocks where {@link Message#toolCallPositions()} puts them (after the content when it puts
 *       none), as Anthropic gave them: it refuses a turn whose thinking blocks were moved. A message merged into the
 *       turn before it has its reasoning blocks go to the front of that turn.
 * </ul>
 */
final class AnthropicRequestMapper {

    /** Appended to the system prompt in JSON mode. */
    static final String JSON_INSTRUCTION = "Respond with a single valid JSON object and nothing else: no prose, "
            + "no Markdown code fences.";

    /** Anthropic's limit on {@code cache_control} breakpoints per request. */
    static final int MAX_BREAKPOINTS = 4;

    /** Anthropic's smallest {@code thinking.budget_tokens}. */
    static final int MIN_THINKING_BUDGET = 1_024;

    /** The lowest {@code top_p} Anthropic accepts while the model thinks. */
    static final double MIN_TOP_P_WITH_THINKING = 0.95;

    private static final Logger LOG = LoggerFactory.getLogger(AnthropicRequestMapper.class);

    private final ObjectMapper json;
    private final AtomicBoolean toldWithoutThinking = new AtomicBoolean();

    AnthropicRequestMapper(ObjectMapper json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    /**
     * Builds the request body.
     *
     * @param request the canonical request
     * @param upstreamModel the Anthropic model id to send
     * @param defaultMaxTokens the {@code max_tokens} to send when the request has none
     * @param stream whether to ask for a server-sent-event stream
     * @return the JSON body
     * @throws IllegalArgumentException if a tool call's arguments are not a JSON object, an image URL is not a
     *     usable {@code data:} URI or link, or the request asks for reasoning with something Anthropic refuses
     *     alongside thinking (a temperature other than 1, top_p below 0.95, a forced tool choice with the budget
     *     form, a budget that does not fit in {@code max_tokens})
     */
    ObjectNode toBody(ChatRequest request, String upstreamModel, int defaultMaxTokens, boolean stream) {
        return toBody(request, upstreamModel, defaultMaxTokens, stream, AnthropicPromptCaching.NONE);
    }

    /**
     * Builds the request body with prompt-cache breakpoints.
     *
     * @param request the canonical request
     * @param upstreamModel the Anthropic model id to send
     * @param defaultMaxTokens the {@code max_tokens} to send when the request has none
     * @param stream whether to ask for a server-sent-event stream
     * @param caching where to put {@code cache_control} breakpoints
     * @return the JSON body
     * @throws IllegalArgumentException as {@link #toBody(ChatRequest, String, int, boolean)}
     */
    ObjectNode toBody(ChatRequest request, String upstreamModel, int defaultMaxTokens, boolean stream,
            AnthropicPromptCaching caching) {
        int placed = callerBreakpoints(request);
        if (placed > MAX_BREAKPOINTS) {
            throw new UnsupportedRequestException("cache_control", "a request may carry at most " + MAX_BREAKPOINTS
                    + " cache_control breakpoints (Anthropic's limit); this one has " + placed);
        }
        // The caller's own breakpoints replace the automatic ones: together they could pass the limit.
        boolean cache = caching == AnthropicPromptCaching.TOOLS_AND_SYSTEM && placed == 0;
        boolean structured = ClaudeStructuredOutputs.supportedBy(upstreamModel);
        Optional<ResponseFormat.JsonSchema> nativeSchema = nativeSchema(request, structured);
        ObjectNode body = json.createObjectNode();
        body.put("model", upstreamModel);
        ArrayNode messages = messages(request.messages());
        Optional<Thinking> thinking = thinking(request, upstreamModel, defaultMaxTokens)
                .filter(t -> lastToolUseTurnThinks(messages, upstreamModel));
        body.put("max_tokens", thinking.map(Thinking::maxTokens).orElseGet(
                () -> request.maxTokens().orElse(defaultMaxTokens)));
        Optional<String> instruction = nativeSchema.isPresent() ? Optional.empty() : jsonInstruction(request);
        String system = systemPrompt(request, instruction);
        if (systemHasBreakpoint(request)) {
            body.set("system", systemBlocks(request, instruction));
        } else if (!system.isEmpty() && cache) {
            ObjectNode block = body.putArray("system").addObject();
            block.put("type", "text");
            block.put("text", system);
            block.putObject("cache_control").put("type", "ephemeral");
        } else if (!system.isEmpty()) {
            body.put("system", system);
        }
        body.set("messages", messages);
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (Tool tool : request.tools()) {
                ObjectNode t = tools.addObject();
                if (tool.anthropicDefinition().isPresent()) {
                    t.setAll((ObjectNode) tool.anthropicDefinition().get().deepCopy()); // bash, text editor...
                    tool.cacheControl().ifPresent(c -> t.set("cache_control", c.toJson()));
                    continue;
                }
                t.put("name", tool.name());
                tool.description().ifPresent(d -> t.put("description", d));
                t.set("input_schema", tool.parameters());
                if (tool.strict() && structured) {
                    t.put("strict", true);
                }
                tool.cacheControl().ifPresent(c -> t.set("cache_control", c.toJson()));
            }
            if (cache) {
                ((ObjectNode) tools.get(tools.size() - 1)).putObject("cache_control").put("type", "ephemeral");
            }
        }
        toolChoice(request).ifPresent(c -> body.set("tool_choice", c));
        request.temperature().ifPresent(t -> body.put("temperature", Math.min(1.0, t)));
        request.topP().ifPresent(p -> body.put("top_p", p));
        request.topK().ifPresent(k -> body.put("top_k", k));
        if (!request.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop_sequences");
            request.stop().forEach(stop::add);
        }
        request.user().ifPresent(u -> body.putObject("metadata").put("user_id", u));
        request.contextManagement().ifPresent(c -> body.set("context_management", c));
        request.inferenceGeo().ifPresent(g -> body.put(OpenAiWire.INFERENCE_GEO, g));
        thinking.ifPresent(t -> {
            body.set("thinking", t.thinking());
            t.outputConfig().ifPresent(c -> body.set("output_config", c));
        });
        // the caller's effort governs the whole answer, thinking or not; adaptive thinking's (capped) one comes first
        request.outputEffort().filter(e -> ClaudeEffort.takes(upstreamModel)
                && !body.path("output_config").has("effort"))
                .ifPresent(e -> body.withObjectProperty("output_config").put("effort", e.wireName()));
        nativeSchema.ifPresent(f -> body.withObjectProperty("output_config").putObject("format")
                .put("type", "json_schema").set("schema", f.schema()));
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    /**
     * The {@code thinking} field (and {@code output_config}, for the adaptive form) of a request that asks for
     * reasoning, with the {@code max_tokens} to send alongside.
     */
    private record Thinking(ObjectNode thinking, Optional<ObjectNode> outputConfig, int maxTokens) {}

    private Optional<Thinking> thinking(ChatRequest request, String upstreamModel, int defaultMaxTokens) {
        // thinking is opt-in on Anthropic: reasoning turned off is sent as no thinking field at all
        Optional<Reasoning> asked = request.reasoning().filter(r -> !r.isOff());
        if (asked.isEmpty()) {
            return Optional.empty();
        }
        Reasoning reasoning = asked.get();
        ClaudeThinkingForm form = ClaudeThinkingForm.of(upstreamModel);
        refuseWithThinking(request, form, upstreamModel);
        if (form == ClaudeThinkingForm.ADAPTIVE) {
            ObjectNode config = json.createObjectNode().put("effort", adaptiveEffort(reasoning.effortOrNearest()));
            return Optional.of(new Thinking(json.createObjectNode().put("type", "adaptive"), Optional.of(config),
                    request.maxTokens().orElse(defaultMaxTokens)));
        }
        int budget = Math.max(MIN_THINKING_BUDGET, reasoning.budgetOrNearest());
        int maxTokens;
        if (request.maxTokens().isEmpty() && budget < defaultMaxTokens) {
            // the default is usually the model's whole output limit: the thinking fits inside it, and a sum would
            // pass the limit, which Anthropic refuses
            maxTokens = defaultMaxTokens;
        } else if (request.maxTokens().isEmpty()) {
            // max_tokens counts the thinking too: leave the answer the room it has without thinking
            long sum = (long) budget + defaultMaxTokens;
            if (sum > Integer.MAX_VALUE) {
                throw new UnsupportedRequestException("reasoning", "thinking budget_tokens " + budget
                        + " is too large: with the default max_tokens " + defaultMaxTokens + " it passes "
                        + Integer.MAX_VALUE);
            }
            maxTokens = (int) sum;
        } else {
            maxTokens = request.maxTokens().get();
            if (reasoning.budgetTokens().isPresent() && budget >= maxTokens) {
                throw new UnsupportedRequestException("max_tokens", "thinking budget_tokens " + budget
                        + (budget != reasoning.budgetTokens().get() ? " (raised from " + reasoning.budgetTokens()
                                .get() + " to Anthropic's minimum)" : "")
                        + " must be less than max_tokens " + maxTokens + ": Anthropic counts the thinking in "
                        + "max_tokens");
            }
            if (reasoning.budgetTokens().isEmpty()) {
                // a budget the caller did not choose gives way to the max_tokens they did choose
                budget = Math.min(budget, maxTokens - 1);
                if (budget < MIN_THINKING_BUDGET) {
                    throw new UnsupportedRequestException("max_tokens", "max_tokens must exceed "
                            + MIN_THINKING_BUDGET + " for thinking (Anthropic's smallest budget_tokens, counted in "
                            + "max_tokens): max_tokens was " + maxTokens + " with reasoning effort "
                            + reasoning.effortOrNearest().wireName());
                }
            }
        }
        ObjectNode field = json.createObjectNode().put("type", "enabled").put("budget_tokens", budget);
        return Optional.of(new Thinking(field, Optional.empty(), maxTokens));
    }

    /**
     * @return {@code false} if the last assistant turn calls tools but does not start with a thinking block, which
     *     Anthropic refuses with thinking on; logged, since the caller asked for thinking
     */
    private boolean lastToolUseTurnThinks(ArrayNode messages, String upstreamModel) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode message = messages.get(i);
            if (!"assistant".equals(message.path("role").asText())) {
                continue;
            }
            JsonNode content = message.path("content");
            boolean callsTools = false;
            for (JsonNode block : content) {
                callsTools |= "tool_use".equals(block.path("type").asText());
            }
            if (!callsTools || REASONING.contains(content.path(0).path("type").asText())) {
                return true;
            }
            // said once at info, then at debug: the rest of the tool loop goes the same way
            LOG.atLevel(toldWithoutThinking.getAndSet(true) ? Level.DEBUG : Level.INFO).log("{}: sent without "
                    + "thinking, as Anthropic requires when the last assistant turn calls tools without starting with "
                    + "a thinking block (answered by another model after a fallback, or written without one); "
                    + "thinking resumes when the tool loop ends", upstreamModel);
            return false;
        }
        return true;
    }

    /** Adaptive thinking takes low, medium, high, xhigh or max: minimal is sent as low. */
    private static String adaptiveEffort(ReasoningEffort effort) {
        return switch (effort) {
            case NONE -> throw new IllegalStateException("reasoning that is off has no effort to send");
            case MINIMAL, LOW -> "low";
            case MEDIUM -> "medium";
            case HIGH -> "high";
            case XHIGH -> "xhigh";
            case MAX -> "max";
        };
    }

    /** Anthropic answers 400 to these with thinking on; refusing here says why before a call is paid for. */
    private static void refuseWithThinking(ChatRequest request, ClaudeThinkingForm form, String upstreamModel) {
        request.temperature().filter(t -> Math.min(1.0, t) != 1.0).ifPresent(t -> {
            throw new UnsupportedRequestException("temperature", "temperature " + t
                    + " cannot be used with reasoning on " + upstreamModel + ": Anthropic accepts only temperature 1 "
                    + "while the model thinks (leave temperature unset, or turn reasoning off)");
        });
        request.topP().filter(p -> p < MIN_TOP_P_WITH_THINKING).ifPresent(p -> {
            throw new UnsupportedRequestException("top_p", "top_p " + p + " cannot be used with reasoning on "
                    + upstreamModel + ": Anthropic accepts only top_p from " + MIN_TOP_P_WITH_THINKING
                    + " to 1 while the model thinks (leave top_p unset, or turn reasoning off)");
        });
        request.topK().ifPresent(k -> {
            throw new UnsupportedRequestException("top_k", "top_k " + k + " cannot be used with reasoning on "
                    + upstreamModel + ": Anthropic refuses top_k while the model thinks (leave top_k unset, or turn "
                    + "reasoning off)");
        });
        if (form == ClaudeThinkingForm.BUDGET) {
            request.toolChoice().filter(c -> {
                String type = toolChoice(c).path("type").asText();
                return "any".equals(type) || "tool".equals(type);
            }).ifPresent(c -> {
                throw new UnsupportedRequestException("tool_choice", "tool_choice " + c
                        + " forces a tool call, which Anthropic refuses with thinking of a token budget ("
                        + upstreamModel + "): use auto or none, or turn reasoning off");
            });
        }
    }

    private String systemPrompt(ChatRequest request, Optional<String> instruction) {
        List<String> parts = new ArrayList<>(SystemPrompts.texts(request.messages()));
        instruction.ifPresent(parts::add);
        return String.join(SystemPrompts.SEPARATOR, parts);
    }

    /**
     * The schema to send as {@code output_config.format}: a strict one, to a model that takes structured outputs.
     * OpenAI's strict mode asks of a schema what Anthropic's constrained decoding does ({@code additionalProperties:
     * false} on every object); a schema that is not strict often lacks it, and asks only that the model follow it as
     * well as it can, which the instruction keeps.
     */
    private static Optional<ResponseFormat.JsonSchema> nativeSchema(ChatRequest request, boolean structured) {
        return structured && request.responseFormat() instanceof ResponseFormat.JsonSchema schema && schema.strict()
                ? Optional.of(schema) : Optional.empty();
    }

    private static Optional<String> jsonInstruction(ChatRequest request) {
        return switch (request.responseFormat()) {
            case ResponseFormat.Text text -> Optional.empty();
            case ResponseFormat.JsonObject object -> Optional.of(JSON_INSTRUCTION);
            case ResponseFormat.JsonSchema schema -> Optional.of(JSON_INSTRUCTION + " The object must match the "
                    + "JSON Schema named '" + schema.name() + "': " + schema.schema());
        };
    }

    /** The system prompt as text blocks, each keeping its breakpoint; the JSON instruction, if any, last. */
    private ArrayNode systemBlocks(ChatRequest request, Optional<String> instruction) {
        ArrayNode blocks = json.createArrayNode();
        for (Message m : request.messages()) {
            if (m.role() != Role.SYSTEM) {
                continue;
            }
            for (ContentPart part : m.content()) {
                if (part instanceof ContentPart.Text t && !t.text().isBlank()) {
                    ObjectNode b = blocks.addObject().put("type", "text").put("text", t.text());
                    t.cacheControl().ifPresent(c -> b.set("cache_control", c.toJson()));
                }
            }
        }
        instruction.ifPresent(i -> blocks.addObject().put("type", "text").put("text", i));
        return blocks;
    }

    private static boolean systemHasBreakpoint(ChatRequest request) {
        return request.messages().stream().filter(m -> m.role() == Role.SYSTEM)
                .flatMap(m -> m.content().stream()).anyMatch(p -> p.cacheControl().isPresent());
    }

    /** @return the breakpoints the caller placed, counted where they are sent */
    private static int callerBreakpoints(ChatRequest request) {
        int n = (int) request.tools().stream().filter(t -> t.cacheControl().isPresent()).count();
        for (Message m : request.messages()) {
            long marked = m.content().stream().filter(p -> p.cacheControl().isPresent()).count()
                    + m.toolCalls().stream().filter(c -> c.cacheControl().isPresent()).count();
            n += m.role() == Role.TOOL ? toolResultBreakpoints(m) : (int) marked;
        }
        return n;
    }

    private ArrayNode messages(List<Message> messages) {
        ArrayNode out = json.createArrayNode();
        String lastRole = null;
        ArrayNode lastContent = null;
        for (Message m : messages) {
            if (m.role() == Role.SYSTEM) {
                continue;
            }
            String role = m.role() == Role.ASSISTANT ? "assistant" : "user";
            List<ObjectNode> blocks = blocks(m);
            if (blocks.isEmpty()) {
                continue;
            }
            boolean merged = role.equals(lastRole);
            if (!merged) {
                ObjectNode msg = out.addObject();
                msg.put("role", role);
                lastContent = msg.putArray("content");
                lastRole = role;
            }
            for (ObjectNode block : blocks) {
                String type = block.path("type").asText();
                if ("tool_result".equals(type)) {
                    lastContent.insert(countLeading(lastContent, TOOL_RESULT), block);
                } else if (merged && REASONING.contains(type)) {
                    // a message's own blocks keep their order, which Anthropic checks; a later message merged into
                    // the turn has its thinking go first, where Anthropic wants a turn's thinking
                    lastContent.insert(countLeading(lastContent, REASONING), block);
                } else {
                    lastContent.add(block);
                }
            }
        }
        return out;
    }

    private static final List<String> TOOL_RESULT = List.of("tool_result");
    private static final List<String> REASONING = List.of("thinking", "redacted_thinking");

    /** @return how many blocks at the start of {@code content} are of one of {@code types} */
    private static int countLeading(ArrayNode content, List<String> types) {
        int i = 0;
        while (i < content.size() && types.contains(content.get(i).path("type").asText())) {
            i++;
        }
        return i;
    }

    private List<ObjectNode> blocks(Message m) {
        List<ObjectNode> blocks = new ArrayList<>();
        if (m.role() == Role.TOOL) {
            blocks.add(toolResult(m));
            return blocks;
        }
        for (int i = 0; i <= m.content().size(); i++) {
            if (m.role() == Role.ASSISTANT) {
                toolUses(m, i, blocks); // the calls that came before part i, where they came
            }
            if (i == m.content().size()) {
                break;
            }
            switch (m.content().get(i)) {
                case ContentPart.Text text -> {
                    if (!text.text().isEmpty()) {
                        ObjectNode b = json.createObjectNode();
                        b.put("type", "text");
                        b.put("text", text.text());
                        text.cacheControl().ifPresent(c -> b.set("cache_control", c.toJson()));
                        blocks.add(b);
                    }
                }
                case ContentPart.Image image -> {
                    ObjectNode b = imageBlock(image);
                    image.cacheControl().ifPresent(c -> b.set("cache_control", c.toJson()));
                    blocks.add(b);
                }
                // sent back unchanged: Anthropic checks the signature and needs a tool turn's blocks with its results;
                // an unsigned block is another provider's reasoning text, which Anthropic would refuse
                case ContentPart.Thinking thinking -> thinking.signature().ifPresent(sig -> blocks.add(
                        json.createObjectNode().put("type", "thinking").put("thinking", thinking.text())
                                .put("signature", sig)));
                case ContentPart.RedactedThinking redacted -> blocks.add(json.createObjectNode()
                        .put("type", "redacted_thinking").put("data", redacted.data()));
            }
        }
        return blocks;
    }

    /** Adds the {@code tool_use} blocks of the message's calls that sit before content part {@code part}. */
    private void toolUses(Message m, int part, List<ObjectNode> blocks) {
        for (int c = 0; c < m.toolCalls().size(); c++) {
            if (m.toolCallPosition(c) != part) {
                continue;
            }
            ToolCall call = m.toolCalls().get(c);
            ObjectNode b = json.createObjectNode();
            b.put("type", "tool_use");
            b.put("id", ThoughtSignatureIds.unsigned(call.id())); // Gemini's signature is for Gemini only
            b.put("name", call.name());
            b.set("input", arguments(call));
            call.cacheControl().ifPresent(cc -> b.set("cache_control", cc.toJson()));
            blocks.add(b);
        }
    }

    /**
     * A tool message as a {@code tool_result}: one text as its {@code content} string, several as text blocks, each
     * keeping its own breakpoint, so that the model reads the parts apart as the tool gave them. Anthropic refuses
     * an empty text block, so empty parts are left out, and a breakpoint on one moves to the result itself.
     */
    private ObjectNode toolResult(Message m) {
        ObjectNode result = json.createObjectNode();
        result.put("type", "tool_result");
        result.put("tool_use_id", ThoughtSignatureIds.unsigned(m.toolCallId().orElseThrow()));
        List<ContentPart.Text> texts = resultTexts(m);
        if (texts.size() < 2) {
            result.put("content", m.text());
            m.content().stream().map(ContentPart::cacheControl).flatMap(Optional::stream).reduce((a, b) -> b)
                    .ifPresent(c -> result.set("cache_control", c.toJson()));
        } else {
            ArrayNode content = result.putArray("content");
            for (ContentPart.Text t : texts) {
                ObjectNode b = content.addObject().put("type", "text").put("text", t.text());
                t.cacheControl().ifPresent(c -> b.set("cache_control", c.toJson()));
            }
            emptyPartMark(m).ifPresent(c -> result.set("cache_control", c.toJson()));
        }
        if (m.toolError()) {
            result.put("is_error", true); // the model then treats the content as the tool's failure
        }
        return result;
    }

    /** @return a tool message's text parts that are not empty */
    private static List<ContentPart.Text> resultTexts(Message m) {
        return m.content().stream().filter(p -> p instanceof ContentPart.Text t && !t.text().isEmpty())
                .map(p -> (ContentPart.Text) p).toList();
    }

    /** @return the last breakpoint on an empty part of a tool message, which has no block of its own to sit on */
    private static Optional<CacheControl> emptyPartMark(Message m) {
        return m.content().stream().filter(p -> p instanceof ContentPart.Text t && t.text().isEmpty())
                .map(ContentPart::cacheControl).flatMap(Optional::stream).reduce((a, b) -> b);
    }

    /** @return the breakpoints a tool message's {@code tool_result} carries, as {@link #toolResult} places them */
    private static int toolResultBreakpoints(Message m) {
        long marked = m.content().stream().filter(p -> p.cacheControl().isPresent()).count();
        if (resultTexts(m).size() < 2) {
            return (int) Math.min(1, marked);
        }
        return (int) resultTexts(m).stream().filter(t -> t.cacheControl().isPresent()).count()
                + (emptyPartMark(m).isPresent() ? 1 : 0);
    }

    private JsonNode arguments(ToolCall call) {
        return ToolArguments.asObject(json, call, "Anthropic needs an object as tool_use input");
    }

    private ObjectNode imageBlock(ContentPart.Image image) {
        ObjectNode b = json.createObjectNode();
        b.put("type", "image");
        ObjectNode source = b.putObject("source");
        if (image.isInline()) {
            DataUri data = DataUri.parse(image.url());
            source.put("type", "base64");
            source.put("media_type", data.mediaType());
            source.put("data", data.base64());
        } else if (image.url().startsWith("https://") || image.url().startsWith("http://")) {
            source.put("type", "url");
            source.put("url", image.url());
        } else {
            throw new IllegalArgumentException("image URL must be a data: URI or an http(s) link, was '"
                    + abbreviate(image.url()) + "'");
        }
        return b;
    }

    /**
     * The request's {@code tool_choice}; {@code parallel_tool_calls: false} (with tools) adds
     * {@code disable_parallel_tool_use}, to an {@code auto} choice when none was given. A {@code none} choice takes no
     * such flag, and calls no tool anyway.
     */
    private static Optional<ObjectNode> toolChoice(ChatRequest request) {
        Optional<ObjectNode> choice = request.toolChoice().map(AnthropicRequestMapper::toolChoice);
        if (!request.parallelToolCalls().equals(Optional.of(false)) || request.tools().isEmpty()) {
            return choice;
        }
        ObjectNode c = choice.orElseGet(() -> JsonNodeFactory.instance.objectNode().put("type", "auto"));
        if (!"none".equals(c.path("type").asText())) {
            c.put("disable_parallel_tool_use", true);
        }
        return Optional.of(c);
    }

    static ObjectNode toolChoice(JsonNode choice) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (choice.isTextual()) {
            switch (choice.asText()) {
                case "auto" -> out.put("type", "auto");
                case "required" -> out.put("type", "any");
                case "none" -> out.put("type", "none");
                default -> throw new UnsupportedRequestException("tool_choice", "tool_choice must be auto, "
                        + "required, none or a function object, was '" + choice.asText() + "'");
            }
            return out;
        }
        String name = choice.path("function").path("name").asText("");
        if (name.isEmpty()) {
            throw new UnsupportedRequestException("tool_choice", "tool_choice object must name a function, was "
                    + choice);
        }
        out.put("type", "tool");
        out.put("name", name);
        return out;
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    /**
     * A {@code data:<media type>;base64,<data>} URI split into its parts.
     *
     * @param mediaType such as {@code image/png}
     * @param base64 the encoded bytes
     */
    record DataUri(String mediaType, String base64) {

        /**
         * @param uri the URI
         * @return its parts
         * @throws IllegalArgumentException if it is not a base64 data URI with a media type
         */
        static DataUri parse(String uri) {
            int comma = uri.indexOf(',');
            String header = comma < 0 ? "" : uri.substring("data:".length(), comma);
            if (!uri.startsWith("data:") || comma < 0 || !header.endsWith(";base64") || header.length() == 7) {
                throw new IllegalArgumentException("image data URI must look like data:<media type>;base64,<data>, "
                        + "was '" + abbreviate(uri) + "'");
            }
            return new DataUri(header.substring(0, header.length() - ";base64".length()), uri.substring(comma + 1));
        }
    }
}
