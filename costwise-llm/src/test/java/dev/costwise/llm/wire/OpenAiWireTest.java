package dev.costwise.llm.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.ToolCallDelta;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OpenAI JSON codec. Shapes from https://platform.openai.com/docs/api-reference/chat/create (request, multi-part
 * content with image_url, tools, response_format json_schema, stop as string or array, max_completion_tokens) and
 * https://platform.openai.com/docs/api-reference/chat-streaming (chunks; usage-only final chunk with empty choices).
 */
class OpenAiWireTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final OpenAiWire wire = new OpenAiWire();

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private OpenAiRequest read(String body) {
        return wire.readRequest(body.getBytes(StandardCharsets.UTF_8));
    }

    private ChatRequest fullRequest() {
        return ChatRequest.builder("gpt-4o")
                .addMessage(Message.system("You are terse."))
                .addMessage(new Message(Role.USER, List.of(ContentPart.text("What is in this image?"),
                        new ContentPart.Image("https://example.com/cat.png", Optional.of("low")),
                        ContentPart.image("data:image/png;base64,iVBORw0KGgo=")), Optional.of("alice"), List.of(),
                        Optional.empty()))
                .addMessage(new Message(Role.ASSISTANT, List.of(), Optional.empty(),
                        List.of(new ToolCall("call_1", "lookup", "{\"q\":\"cat\"}")), Optional.empty()))
                .addMessage(Message.toolResult("call_1", "a cat"))
                .tools(List.of(new Tool("lookup", Optional.of("Looks things up"),
                        json("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}"),
                        true)))
                .toolChoice(json("{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}"))
                .responseFormat(new ResponseFormat.JsonSchema("answer",
                        json("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"), true))
                .temperature(0.7).topP(0.9).topK(40).maxTokens(256).stop(List.of("\n\n", "END")).seed(42L).user("u-9")
                .metadata(Map.of("feature", "vision")).serviceTier(ServiceTier.FLEX)
                .presencePenalty(0.5).frequencyPenalty(-0.25)
                .build();
    }

    // ------------------------------------------------------------------ requests

    @Test
    void givenFullRequest_whenWrittenAndReadBack_thenEqual() {
        ChatRequest original = fullRequest();

        JsonNode written = wire.writeRequest(new OpenAiRequest(original, true, true));
        OpenAiRequest back = wire.readRequest(wire.bytes(written));

        assertThat(back.chat()).isEqualTo(original);
        assertThat(back.stream()).isTrue();
        assertThat(back.includeUsage()).isTrue();
        assertThat(wire.writeRequest(back)).isEqualTo(written);
    }

    @Test
    void givenFullRequest_whenWritten_thenUsesOpenAiFieldShapes() {
        JsonNode w = wire.writeRequest(fullRequest(), "gpt-4o-2024-08-06",
                RequestEncoding.DEFAULT.streamingWithUsage().withMaxCompletionTokens());

        assertThat(w.get("model").asText()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(w.at("/messages/1/content/1").toString())
                .isEqualTo("{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.png\",\"detail\":\"low\"}}");
        assertThat(w.at("/messages/1/name").asText()).isEqualTo("alice");
        assertThat(w.at("/messages/2/content").isNull()).isTrue();
        assertThat(w.at("/messages/2/tool_calls/0").toString()).isEqualTo(
                "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":\"{\\\"q\\\":\\\"cat\\\"}\"}}");
        assertThat(w.at("/messages/3").toString())
                .isEqualTo("{\"role\":\"tool\",\"content\":\"a cat\",\"tool_call_id\":\"call_1\"}");
        assertThat(w.at("/tools/0/function/strict").asBoolean()).isTrue();
        assertThat(w.at("/response_format/type").asText()).isEqualTo("json_schema");
        assertThat(w.at("/response_format/json_schema/name").asText()).isEqualTo("answer");
        assertThat(w.get("max_completion_tokens").asInt()).isEqualTo(256);
        assertThat(w.has("max_tokens")).isFalse();
        assertThat(w.get("stream_options").toString()).isEqualTo("{\"include_usage\":true}");
        assertThat(w.get("stop").toString()).isEqualTo("[\"\\n\\n\",\"END\"]");
    }

    @Test
    void givenEachServiceTierValue_whenRead_thenNamedTiersAreKeptAndAccountDefaultsReadAsNone() {
        String body = "{\"model\":\"o3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"service_tier\":\"%s\"}";

        assertThat(read(body.formatted("flex")).chat().serviceTier()).contains(ServiceTier.FLEX);
        assertThat(read(body.formatted("priority")).chat().serviceTier()).contains(ServiceTier.PRIORITY);
        assertThat(read(body.formatted("default")).chat().serviceTier()).contains(ServiceTier.STANDARD);
        assertThat(read(body.formatted("auto")).chat().serviceTier()).isEmpty();
        assertThat(read(body.formatted("scale")).chat().serviceTier()).isEmpty();
        WireFormatException e = catchThrowableOfType(WireFormatException.class,
                () -> read(body.formatted("cheap")));
        assertThat(e.field()).isEqualTo("service_tier");
        assertThat(e.getMessage()).contains("unknown value 'cheap'; expected auto, default, flex, priority or scale");
    }

    @Test
    void givenTopK_whenReadAndWritten_thenItIsKeptAndWrittenOnlyWhenTheEncodingAsks() {
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_k\":%s}";

        assertThat(read(body.formatted("40")).chat().topK()).contains(40);
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> read(body.formatted("0")));
        assertThat(e).hasMessage("top_k: must be a positive integer, was 0");
        assertThat(wire.writeRequest(fullRequest(), "m", RequestEncoding.DEFAULT).has("top_k")).isFalse();
        assertThat(wire.writeRequest(fullRequest(), "m", RequestEncoding.DEFAULT.withTopK()).path("top_k").asInt())
                .isEqualTo(40);
    }

    @Test
    void givenPenalties_whenReadAndWritten_thenKeptAsOpenAiNamesThemAndOutOfRangeNamesTheField() {
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"%s\":%s}";

        assertThat(read(body.formatted("presence_penalty", "0.5")).chat().presencePenalty()).contains(0.5);
        assertThat(read(body.formatted("frequency_penalty", "-2")).chat().frequencyPenalty()).contains(-2.0);
        WireFormatException e = catchThrowableOfType(WireFormatException.class,
                () -> read(body.formatted("frequency_penalty", "2.5")));
        assertThat(e).hasMessage("frequency_penalty: must be between -2 and 2, was 2.5");
        JsonNode written = wire.writeRequest(fullRequest(), "m", RequestEncoding.DEFAULT);
        assertThat(written.path("presence_penalty").asDouble()).isEqualTo(0.5);
        assertThat(written.path("frequency_penalty").asDouble()).isEqualTo(-0.25);
    }

    @Test
    void givenARequestWithATier_whenWrittenForAnUpstream_thenTheTierIsWrittenOnlyWhenTheEncodingAsks() {
        assertThat(wire.writeRequest(fullRequest(), "o3", RequestEncoding.DEFAULT).has("service_tier")).isFalse();
        assertThat(wire.writeRequest(fullRequest(), "o3", RequestEncoding.DEFAULT.withServiceTier())
                .path("service_tier").asText()).isEqualTo("flex");
    }

    @Test
    void givenContextManagement_whenReadAndWritten_thenItIsKeptAndWrittenOnlyForAnthropicAwareUpstreams() {
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"context_management\":%s}";
        ChatRequest editing = read(body.formatted("{\"edits\":[{\"type\":\"clear_tool_uses_20250919\"}]}"))
                .chat();

        assertThat(editing.contextManagement()).map(c -> c.at("/edits/0/type").asText())
                .contains("clear_tool_uses_20250919");
        assertThat(wire.writeRequest(editing, "m", RequestEncoding.DEFAULT).has("context_management")).isFalse();
        assertThat(wire.writeRequest(editing, "m", RequestEncoding.DEFAULT.withAnthropicExtensions())
                .get("context_management")).isEqualTo(editing.contextManagement().orElseThrow());
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> read(body.formatted("[]")));
        assertThat(e.field()).isEqualTo("context_management");
    }

    @Test
    void givenAnthropicBetas_whenReadAndWritten_thenTheyAreKeptOnceAndWrittenOnlyForAnthropicAwareUpstreams() {
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"anthropic_beta\":%s}";
        ChatRequest betas = read(body.formatted("[\"context-1m-2025-08-07\",\"a-1\",\"context-1m-2025-08-07\"]"))
                .chat();

        assertThat(betas.anthropicBetas()).containsExactly("context-1m-2025-08-07", "a-1");
        assertThat(wire.writeRequest(betas, "m", RequestEncoding.DEFAULT).has("anthropic_beta")).isFalse();
        assertThat(wire.writeRequest(betas, "m", RequestEncoding.DEFAULT.withAnthropicExtensions())
                .get("anthropic_beta")).isEqualTo(json("[\"context-1m-2025-08-07\",\"a-1\"]"));
        assertThat(catchThrowableOfType(WireFormatException.class, () -> read(body.formatted("\"a,b\"")))
                .field()).isEqualTo("anthropic_beta");
        assertThat(catchThrowableOfType(WireFormatException.class, () -> read(body.formatted("[1]")))
                .field()).isEqualTo("anthropic_beta[0]");
        assertThat(catchThrowableOfType(WireFormatException.class, () -> read(body.formatted("[\"a b\"]"))))
                .hasMessageContaining("anthropic beta 'a b' is not a beta name");
    }

    @Test
    void givenStopAsStringAndMaxCompletionTokens_whenRead_thenNormalised() {
        OpenAiRequest r = read("""
                {"model":"o3-mini","messages":[{"role":"developer","content":"x"},{"role":"user","content":"hi"}],
                 "stop":"END","max_completion_tokens":100,"max_tokens":5,"response_format":{"type":"json_object"}}""");

        assertThat(r.chat().stop()).containsExactly("END");
        assertThat(r.chat().maxTokens()).contains(100);
        assertThat(r.chat().messages().get(0).role()).isEqualTo(Role.SYSTEM);
        assertThat(r.chat().responseFormat()).isEqualTo(new ResponseFormat.JsonObject());
        assertThat(r.stream()).isFalse();
    }

    @Test
    void givenUnknownFields_whenRead_thenIgnored() {
        OpenAiRequest r = read("""
                {"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"presence_penalty":0.5,
                 "logit_bias":{"50256":-100},"n":1}""");

        assertThat(r.chat().lastUserText()).isEqualTo("hi");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"},{\"role\":\"bot\",\"content\":\"c\"}]}"
                + "|messages[2].role: unknown role 'bot'; expected one of system, developer, user, assistant, tool",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}|model: is required",
        "{\"model\":\"m\"}|messages: is required",
        "{\"model\":\"m\",\"messages\":[]}|messages: must hold at least one message",
        "{\"model\":\"m\",\"messages\":{}}|messages: expected an array, was an object {}",
        "{\"model\":\"m\",\"messages\":[{\"content\":\"a\"}]}|messages[0].role: is required",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":42}]}"
                + "|messages[0].content: expected a string or an array of parts, was a number 42",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}"
                + "|messages[0].content[0].type: unsupported content part type 'input_audio'; expected text or image_url",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]}"
                + "|messages[0].content[0].image_url.url: is required",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"r\"}]}"
                + "|messages[0].tool_call_id: is required for a tool message",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}|messages[0].content: is required for a user message",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"function\":{}}]}]}"
                + "|messages[0].tool_calls[0].function.name: is required",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"temperature\":\"hot\"}"
                + "|temperature: expected a number, was a string \"hot\"",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"temperature\":3}"
                + "|temperature: must be between 0 and 2, was 3.0",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":0}"
                + "|max_tokens: must be a positive integer, was 0",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"stop\":[\"a\",1]}"
                + "|stop[1]: expected a string, was a number 1",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"tool_choice\":\"always\"}"
                + "|tool_choice: unknown value 'always'; expected auto, none, required or an object",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":[]}}]}"
                + "|tools[0].function.parameters: expected a JSON Schema object, was an array []",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"response_format\":{\"type\":\"xml\"}}"
                + "|response_format.type: unknown value 'xml'; expected text, json_object or json_schema",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"metadata\":{\"k\":1}}"
                + "|metadata.k: expected a string, was a number 1",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"parallel_tool_calls\":0}"
                + "|parallel_tool_calls: expected true or false, was a number 0",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"stream\":\"yes\"}"
                + "|stream: expected true or false, was a string \"yes\"",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"n\":3}|n: only n=1 is supported, was 3",
        "[1,2]|expected a JSON object, was an array [1,2]"
    })
    void givenBadRequest_whenRead_thenErrorNamesTheField(String body, String expected) {
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> read(body));

        assertThat(e).hasMessage(expected);
        assertThat(expected).startsWith(e.field().isEmpty() ? "" : e.field() + ": ");
    }

    @Test
    void givenParallelToolCalls_whenReadAndWritten_thenItTravelsWithToolsAndOnlyWithThem() {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":"
                + "{\"type\":\"object\"}}}]";
        ChatRequest off = read("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]"
                + tools + ",\"parallel_tool_calls\":false}").chat();
        ChatRequest unset = read("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]"
                + tools + "}").chat();

        assertThat(off.parallelToolCalls()).contains(false);
        assertThat(unset.parallelToolCalls()).isEmpty();
        assertThat(wire.writeRequest(off, "m", RequestEncoding.DEFAULT).get("parallel_tool_calls"))
                .isEqualTo(json("false"));
        assertThat(wire.writeRequest(unset, "m", RequestEncoding.DEFAULT).has("parallel_tool_calls")).isFalse();
        // OpenAI refuses parallel_tool_calls in a request without tools
        ChatRequest noTools = off.toBuilder().tools(List.of()).build();
        assertThat(wire.writeRequest(noTools, "m", RequestEncoding.DEFAULT).has("parallel_tool_calls"))
                .isFalse();
    }

    @Test
    void givenNotJson_whenRead_thenWireFormatExceptionForTheDocument() {
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> read("{\"model\": "));

        assertThat(e.field()).isEmpty();
        assertThat(e).hasMessageStartingWith("not valid JSON");
    }

    @Test
    void givenRoleError_whenRead_thenFieldIsThePath() {
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> read(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"},"
                        + "{\"role\":\"bot\",\"content\":\"c\"}]}"));

        assertThat(e.field()).isEqualTo("messages[2].role");
        assertThat(e.problem()).startsWith("unknown role 'bot'");
    }

    // ------------------------------------------------------------------ responses

    @Test
    void givenUsageWithCacheWrites_whenWrittenAndReadBack_thenWritesTravelAsOpenRoutersCacheWriteTokens() {
        // https://openrouter.ai/docs/use-cases/usage-accounting: writes are part of prompt_tokens
        Usage usage = new Usage(2040, 0, 2000, 10, 0, false);

        JsonNode written = wire.writeUsage(usage);

        assertThat(written.at("/prompt_tokens_details/cache_write_tokens").asLong()).isEqualTo(2000);
        assertThat(wire.readUsage(written)).contains(usage);
        assertThat(wire.writeUsage(Usage.of(5, 5)).at("/prompt_tokens_details").has("cache_write_tokens"))
                .as("OpenAI's shape when nothing was written").isFalse();
        assertThat(wire.readUsage(wire.parse("""
                {"prompt_tokens": 194, "completion_tokens": 2, "total_tokens": 196,
                 "prompt_tokens_details": {"cached_tokens": 50, "cache_write_tokens": 100, "audio_tokens": 0}}""")))
                .hasValueSatisfying(u -> {
                    assertThat(u.uncachedInputTokens()).isEqualTo(44);
                    assertThat(u.cachedInputTokens()).isEqualTo(50);
                    assertThat(u.cacheWrite5mTokens()).isEqualTo(100);
                });
    }

    @Test
    void givenResponse_whenWrittenAndReadBack_thenSameContent() {
        Usage usage = new Usage(2006, 1920, 0, 300, 192, false);
        ChatResponse response = new ChatResponse("chatcmpl-1", "fast", "gpt-4o-mini-2024-07-18", "openai",
                new Message(Role.ASSISTANT, List.of(ContentPart.text("Let me check.")), Optional.empty(),
                        List.of(new ToolCall("call_9", "lookup", "{}")), Optional.empty()),
                FinishReason.TOOL_CALLS, usage, Money.of("0.001"), PriceStatus.PRICED, Duration.ofMillis(5),
                Optional.empty(), false);

        JsonNode written = wire.writeResponse(response, 1_700_000_000L);
        WireCompletion back = wire.readResponse(written);

        assertThat(written.get("object").asText()).isEqualTo("chat.completion");
        assertThat(written.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(1920);
        assertThat(written.at("/usage/completion_tokens_details/reasoning_tokens").asLong()).isEqualTo(192);
        assertThat(written.at("/usage/total_tokens").asLong()).isEqualTo(2306);
        assertThat(back.id()).isEqualTo("chatcmpl-1");
        assertThat(back.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(back.created()).isEqualTo(1_700_000_000L);
        assertThat(back.message()).isEqualTo(response.message());
        assertThat(back.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(back.usage()).contains(usage);
    }

    @Test
    void givenDeepSeekUsage_whenRead_thenCacheHitsAreCachedTokens() {
        // https://api-docs.deepseek.com/api/create-chat-completion: prompt_cache_hit_tokens + prompt_cache_miss_tokens
        Optional<Usage> u = wire.readUsage(json("""
                {"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_cache_hit_tokens":64,
                 "prompt_cache_miss_tokens":36,"completion_tokens_details":{"reasoning_tokens":8}}"""));

        assertThat(u).contains(new Usage(100, 64, 0, 20, 8, false));
    }

    // ------------------------------------------------------------------ chunks

    @Test
    void givenChunks_whenWrittenAndReadBack_thenEqual() {
        List<ChatChunk> chunks = List.of(
                ChatChunk.text("c1", "gpt-4o", "Hel"),
                new ChatChunk("c1", "gpt-4o", "", List.of(new ToolCallDelta(0, Optional.of("call_1"),
                        Optional.of("lookup"), ""), new ToolCallDelta(1, Optional.empty(), Optional.empty(), "{\"q\"")),
                        Optional.empty(), Optional.empty()),
                new ChatChunk("c1", "gpt-4o", "", List.of(), Optional.of(FinishReason.LENGTH), Optional.empty()),
                new ChatChunk("c1", "gpt-4o", "", List.of(), Optional.empty(),
                        Optional.of(new Usage(50, 10, 0, 7, 0, false))));

        for (ChatChunk c : chunks) {
            assertThat(wire.readChunk(json(wire.writeChunk(c, 1L).toString()))).isEqualTo(c);
        }
        JsonNode usageOnly = wire.writeChunk(chunks.get(3), 1L);
        assertThat(usageOnly.get("choices").isEmpty()).isTrue();
        assertThat(usageOnly.get("object").asText()).isEqualTo("chat.completion.chunk");
    }

    @Test
    void givenGroqUsageUnderXGroq_whenChunkRead_thenUsageFound() {
        ChatChunk c = wire.readChunk(json("""
                {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"llama-3.1-8b-instant",
                 "choices":[{"index":0,"delta":{},"finish_reason":"stop"}],
                 "x_groq":{"id":"req_01","usage":{"prompt_tokens":18,"completion_tokens":9,"total_tokens":27}}}"""));

        assertThat(c.usage()).contains(Usage.of(18, 9));
        assertThat(c.finishReason()).contains(FinishReason.STOP);
    }

    // ------------------------------------------------------------------ errors

    @Test
    void givenError_whenWrittenAndReadBack_thenEqual() {
        WireError e = new WireError("Invalid 'messages[2].role'", Optional.of("invalid_request_error"),
                Optional.of("messages[2].role"), Optional.of("invalid_value"), Optional.empty());

        JsonNode written = wire.writeError(e);

        assertThat(written.toString()).isEqualTo("{\"error\":{\"message\":\"Invalid 'messages[2].role'\","
                + "\"type\":\"invalid_request_error\",\"param\":\"messages[2].role\",\"code\":\"invalid_value\"}}");
        assertThat(wire.readError(written)).contains(e);
    }

    @Test
    void givenOpenRouterOllamaAndVllmErrors_whenRead_thenAllRecognised() {
        assertThat(wire.readError(json("{\"error\":{\"code\":402,\"message\":\"Insufficient credits\"}}")))
                .hasValueSatisfying(e -> assertThat(e.code()).contains("402"));
        assertThat(wire.readError(json("{\"error\":\"model 'llama9' not found\"}")))
                .hasValueSatisfying(e -> assertThat(e.message()).isEqualTo("model 'llama9' not found"));
        assertThat(wire.readError(json("{\"object\":\"error\",\"message\":\"bad\",\"type\":\"BadRequestError\",\"code\":400}")))
                .hasValueSatisfying(e -> assertThat(e.type()).contains("BadRequestError"));
        assertThat(wire.readError(json("{\"id\":\"x\",\"choices\":[]}"))).isEmpty();
    }

    @Test
    void givenChoicelessResponse_whenRead_thenNamesChoices() {
        assertThatThrownBy(() -> wire.readResponse(json("{\"id\":\"x\"}")))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("choices: expected at least one choice, was missing");
    }
}
