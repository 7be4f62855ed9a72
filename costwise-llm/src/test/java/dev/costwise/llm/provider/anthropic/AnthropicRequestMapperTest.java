package dev.costwise.llm.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireFormatException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Request shapes from https://docs.claude.com/en/api/messages and https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use. */
class AnthropicRequestMapperTest {

    private final ObjectMapper json = new ObjectMapper();
    private final AnthropicRequestMapper mapper = new AnthropicRequestMapper(json);

    private JsonNode read(String text) throws Exception {
        return json.readTree(text);
    }

    @Test
    void givenSystemMessagesAndConsecutiveUsers_whenMapped_thenSystemIsTopLevelAndUsersAreMerged() throws Exception {
        ChatRequest request = ChatRequest.builder("claude").addMessage(Message.system("Be brief."))
                .addMessage(Message.user("Hello")).addMessage(Message.system("Answer in French."))
                .addMessage(Message.user("How are you?")).build();

        JsonNode body = mapper.toBody(request, "claude-sonnet-4-5", 4096, false);

        assertThat(body.path("system").asText()).isEqualTo("Be brief.\n\nAnswer in French.");
        assertThat(body.path("messages")).isEqualTo(read("""
                [{"role":"user","content":[{"type":"text","text":"Hello"},{"type":"text","text":"How are you?"}]}]"""));
        assertThat(body.path("max_tokens").asInt()).isEqualTo(4096);
        assertThat(body.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void givenToolConversation_whenMapped_thenToolUseAndToolResultBlocksAlternateRoles() throws Exception {
        JsonNode schema = read("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");
        Message assistant = new Message(Role.ASSISTANT, List.of(ContentPart.text("Checking.")), Optional.empty(),
                List.of(new ToolCall("toolu_1", "get_weather", "{\"city\":\"Paris\"}"),
                        new ToolCall("toolu_2", "get_weather", "{\"city\":\"Oslo\"}")), Optional.empty());
        ChatRequest request = ChatRequest.builder("claude").addMessage(Message.user("Weather?"))
                .addMessage(assistant).addMessage(Message.toolResult("toolu_1", "18C"))
                .addMessage(Message.toolResult("toolu_2", "3C"))
                .tools(List.of(new Tool("get_weather", Optional.of("Current weather"), schema, false)))
                .toolChoice(TextNode.valueOf("required")).build();

        JsonNode body = mapper.toBody(request, "m", 100, true);

        assertThat(body.path("messages")).isEqualTo(read("""
                [{"role":"user","content":[{"type":"text","text":"Weather?"}]},
                 {"role":"assistant","content":[{"type":"text","text":"Checking."},
                   {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},
                   {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Oslo"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
                   {"type":"tool_result","tool_use_id":"toolu_2","content":"3C"}]}]"""));
        assertThat(body.path("tools")).isEqualTo(read("""
                [{"name":"get_weather","description":"Current weather","input_schema":
                  {"type":"object","properties":{"city":{"type":"string"}}}}]"""));
        assertThat(body.path("tool_choice")).isEqualTo(read("{\"type\":\"any\"}"));
        assertThat(body.path("stream").asBoolean()).isTrue();
    }

    @Test
    void givenToolResultFollowedByUserTextInOneTurn_whenMapped_thenToolResultComesFirst() throws Exception {
        Message assistant = new Message(Role.ASSISTANT, List.of(), Optional.empty(),
                List.of(new ToolCall("toolu_1", "f", "")), Optional.empty());
        ChatRequest request = ChatRequest.builder("c").addMessage(Message.user("go")).addMessage(assistant)
                .addMessage(Message.user("and hurry")).addMessage(Message.toolResult("toolu_1", "done")).build();

        JsonNode content = mapper.toBody(request, "m", 10, false).path("messages").path(2).path("content");

        assertThat(content.path(0).path("type").asText()).isEqualTo("tool_result");
        assertThat(content.path(1).path("text").asText()).isEqualTo("and hurry");
        assertThat(mapper.toBody(request, "m", 10, false).path("messages").path(1).path("content").path(0)
                .path("input")).isEqualTo(read("{}"));
    }

    @Test
    void givenNamedFunctionChoice_whenMapped_thenToolChoiceIsTool() throws Exception {
        assertThat(AnthropicRequestMapper.toolChoice(read("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}")))
                .isEqualTo(read("{\"type\":\"tool\",\"name\":\"f\"}"));
        assertThat(AnthropicRequestMapper.toolChoice(TextNode.valueOf("auto"))).isEqualTo(read("{\"type\":\"auto\"}"));
        assertThat(AnthropicRequestMapper.toolChoice(TextNode.valueOf("none"))).isEqualTo(read("{\"type\":\"none\"}"));
        assertThatThrownBy(() -> AnthropicRequestMapper.toolChoice(TextNode.valueOf("sometimes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'sometimes'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "            | false | {\"type\":\"auto\",\"disable_parallel_tool_use\":true}",
        "\"auto\"     | false | {\"type\":\"auto\",\"disable_parallel_tool_use\":true}",
        "\"required\" | false | {\"type\":\"any\",\"disable_parallel_tool_use\":true}",
        "{\"type\":\"function\",\"function\":{\"name\":\"f\"}} | false "
                + "| {\"type\":\"tool\",\"name\":\"f\",\"disable_parallel_tool_use\":true}",
        "\"none\"     | false | {\"type\":\"none\"}",
        "\"required\" | true  | {\"type\":\"any\"}",
        "            | true  | ",
    })
    void givenParallelToolCalls_whenMapped_thenFalseDisablesParallelToolUseOnTheToolChoice(String choice,
            boolean parallel, String expected) throws Exception {
        ChatRequest.Builder b = ChatRequest.builder("c").addMessage(Message.user("Weather and time?"))
                .tools(List.of(new Tool("f", Optional.empty(), read("{\"type\":\"object\"}"), false)))
                .parallelToolCalls(Optional.of(parallel));
        if (choice != null) {
            b.toolChoice(read(choice));
        }

        JsonNode body = mapper.toBody(b.build(), "m", 100, false);

        assertThat(body.get("tool_choice")).isEqualTo(expected == null ? null : read(expected));
    }

    @Test
    void givenParallelToolCallsOffWithoutTools_whenMapped_thenNoToolChoiceIsSent() {
        ChatRequest request = ChatRequest.builder("c").addMessage(Message.user("Hi"))
                .parallelToolCalls(Optional.of(false)).build();

        assertThat(mapper.toBody(request, "m", 100, false).has("tool_choice")).isFalse();
    }

    @Test
    void givenImages_whenMapped_thenDataUriIsBase64SourceAndLinkIsUrlSource() throws Exception {
        Message user = new Message(Role.USER, List.of(ContentPart.text("What is this?"),
                ContentPart.image("data:image/png;base64,iVBORw0KGgo="),
                ContentPart.image("https://example.com/cat.jpg")), Optional.empty(), List.of(), Optional.empty());

        JsonNode content = mapper.toBody(ChatRequest.builder("c").addMessage(user).build(), "m", 10, false)
                .path("messages").path(0).path("content");

        assertThat(content.path(1)).isEqualTo(read("""
                {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}"""));
        assertThat(content.path(2)).isEqualTo(read("""
                {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}"""));
    }

    @Test
    void givenBadImageUri_whenMapped_thenFailsNamingIt() {
        Message user = new Message(Role.USER, List.of(ContentPart.image("data:image/png,notbase64")),
                Optional.empty(), List.of(), Optional.empty());
        assertThatThrownBy(() -> mapper.toBody(ChatRequest.builder("c").addMessage(user).build(), "m", 10, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data:image/png,notbase64");
    }

    @Test
    void givenJsonModeAndSampling_whenMapped_thenInstructionIsAddedAndTemperatureCapped() {
        ChatRequest request = ChatRequest.builder("c").addMessage(Message.system("You extract data."))
                .addMessage(Message.user("Alice is 30")).responseFormat(new ResponseFormat.JsonObject())
                .temperature(1.6).topP(0.9).topK(40).maxTokens(256).stop(List.of("END")).user("u-1").build();

        JsonNode body = mapper.toBody(request, "m", 4096, false);

        assertThat(body.path("system").asText())
                .isEqualTo("You extract data.\n\n" + AnthropicRequestMapper.JSON_INSTRUCTION);
        assertThat(body.path("temperature").asDouble()).isEqualTo(1.0);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.path("top_k").asInt()).isEqualTo(40);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(256);
        assertThat(body.path("stop_sequences").path(0).asText()).isEqualTo("END");
        assertThat(body.path("metadata").path("user_id").asText()).isEqualTo("u-1");
    }

    // ------------------------------------------------------------------ structured outputs
    // https://platform.claude.com/docs/en/build-with-claude/structured-outputs: output_config.format of type
    // json_schema (generally available, no beta header) and strict: true on a tool, on Claude 4.5 and later.

    private static final String STRICT_SCHEMA_BODY = """
            {"model": "c", "messages": [{"role": "system", "content": "You extract data."},
                                        {"role": "user", "content": "Alice is 30"}],
             "response_format": {"type": "json_schema", "json_schema": {"name": "person", "strict": %s,
               "schema": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                          "required": ["name", "age"], "additionalProperties": false}}}}""";

    @Test
    void givenAStrictSchemaForClaude45_whenMapped_thenItIsSentAsOutputConfigFormatWithoutTheInstruction()
            throws Exception {
        ChatRequest request = openAi(STRICT_SCHEMA_BODY.formatted("true"));

        JsonNode body = mapper.toBody(request, "claude-sonnet-4-5", 4096, false);

        assertThat(body.path("output_config")).isEqualTo(read("""
                {"format": {"type": "json_schema", "schema": {"type": "object",
                  "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                  "required": ["name", "age"], "additionalProperties": false}}}"""));
        assertThat(body.path("system").asText()).isEqualTo("You extract data.");
    }

    @Test
    void givenAStrictSchemaAndAdaptiveThinking_whenMapped_thenOutputConfigHoldsTheEffortAndTheFormat()
            throws Exception {
        ChatRequest request = openAi(STRICT_SCHEMA_BODY.formatted("true")).toBuilder()
                .reasoning(Optional.of(Reasoning.effort(ReasoningEffort.HIGH))).build();

        JsonNode body = mapper.toBody(request, "claude-opus-4-6", 4096, false);

        assertThat(body.path("output_config").path("effort").asText()).isEqualTo("high");
        assertThat(body.path("output_config").path("format").path("type").asText()).isEqualTo("json_schema");
    }

    @Test
    void givenASchemaAnOlderModelOrNoStrictness_whenMapped_thenTheInstructionStaysAndNoOutputConfigIsSent() {
        ChatRequest strict = openAi(STRICT_SCHEMA_BODY.formatted("true"));
        ChatRequest loose = openAi(STRICT_SCHEMA_BODY.formatted("false"));
        ChatRequest jsonMode = strict.toBuilder().responseFormat(new ResponseFormat.JsonObject()).build();

        for (JsonNode body : List.of(mapper.toBody(strict, "claude-sonnet-4-0", 4096, false),
                mapper.toBody(strict, "claude-opus-4-1-20250805", 4096, false),
                mapper.toBody(loose, "claude-sonnet-4-5", 4096, false),
                mapper.toBody(jsonMode, "claude-sonnet-4-5", 4096, false))) {
            assertThat(body.has("output_config")).isFalse();
            assertThat(body.path("system").asText()).startsWith("You extract data.\n\n"
                    + AnthropicRequestMapper.JSON_INSTRUCTION);
        }
    }

    @Test
    void givenStrictAndLooseTools_whenMapped_thenOnlyTheStrictOneIsStrictAndOnlyForClaude45() throws Exception {
        JsonNode schema = read("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                + "\"required\":[\"city\"],\"additionalProperties\":false}");
        ChatRequest request = ChatRequest.builder("c").addMessage(Message.user("Weather?"))
                .tools(List.of(new Tool("get_weather", Optional.empty(), schema, true),
                        new Tool("log", Optional.empty(), schema, false))).build();

        JsonNode tools = mapper.toBody(request, "claude-haiku-4-5", 4096, false).path("tools");
        JsonNode older = mapper.toBody(request, "claude-3-5-haiku-20241022", 4096, false).path("tools");

        assertThat(tools.path(0)).isEqualTo(read(
                "{\"name\":\"get_weather\",\"input_schema\":" + schema + ",\"strict\":true}"));
        assertThat(tools.path(1).has("strict")).isFalse();
        assertThat(older.path(0).has("strict")).as("no strict tool use before Claude 4.5").isFalse();
    }

    @Test
    void givenToolsAndSystemCaching_whenMapped_thenBreakpointsFollowTheLastToolAndTheSystemPrompt() throws Exception {
        JsonNode schema = read("{\"type\":\"object\"}");
        ChatRequest request = ChatRequest.builder("c").addMessage(Message.system("Long instructions."))
                .addMessage(Message.user("Hi")).tools(List.of(new Tool("a", Optional.empty(), schema, false),
                        new Tool("b", Optional.empty(), schema, false))).build();

        JsonNode body = mapper.toBody(request, "m", 10, false, AnthropicPromptCaching.TOOLS_AND_SYSTEM);

        // https://docs.claude.com/en/docs/build-with-claude/prompt-caching
        assertThat(body.path("system")).isEqualTo(read(
                "[{\"type\":\"text\",\"text\":\"Long instructions.\",\"cache_control\":{\"type\":\"ephemeral\"}}]"));
        assertThat(body.path("tools").path(0).has("cache_control")).isFalse();
        assertThat(body.path("tools").path(1).path("cache_control")).isEqualTo(read("{\"type\":\"ephemeral\"}"));
        assertThat(mapper.toBody(request, "m", 10, false).path("system").isTextual()).isTrue();
    }

    /** An OpenAI-format body, as a client sends it through the gateway, decoded the way the gateway decodes it. */
    private ChatRequest openAi(String body) {
        return new OpenAiWire(json).readRequest(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).chat();
    }

    @Test
    void givenCallerBreakpointsOnPartsMessagesAndTools_whenMapped_thenTheSameBlocksCarryCacheControl()
            throws Exception {
        ChatRequest request = openAi("""
                {"model": "c", "messages": [
                  {"role": "system", "content": [
                    {"type": "text", "text": "Rules."},
                    {"type": "text", "text": "A long manual.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]},
                  {"role": "user", "content": "Question one", "cache_control": {"type": "ephemeral"}},
                  {"role": "assistant", "content": null,
                   "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                  {"role": "tool", "tool_call_id": "t1", "content": [
                    {"type": "text", "text": "result", "cache_control": {"type": "ephemeral"}}]}],
                 "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}},
                            "cache_control": {"type": "ephemeral"}}]}""");

        JsonNode body = mapper.toBody(request, "m", 10, false, AnthropicPromptCaching.TOOLS_AND_SYSTEM);

        assertThat(body.path("system")).isEqualTo(read("""
                [{"type":"text","text":"Rules."},
                 {"type":"text","text":"A long manual.","cache_control":{"type":"ephemeral","ttl":"1h"}}]"""));
        assertThat(body.path("messages")).isEqualTo(read("""
                [{"role":"user","content":[{"type":"text","text":"Question one","cache_control":{"type":"ephemeral"}}]},
                 {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"result",
                                            "cache_control":{"type":"ephemeral"}}]}]"""));
        assertThat(body.path("tools").path(0).path("cache_control")).as("the caller's, in place of the automatic one")
                .isEqualTo(read("{\"type\":\"ephemeral\"}"));
    }

    @Test
    void givenMoreBreakpointsThanAnthropicTakes_whenMapped_thenRefusedNamingTheCount() {
        String marked = "{\"type\": \"text\", \"text\": \"x\", \"cache_control\": {\"type\": \"ephemeral\"}}";
        ChatRequest request = openAi("{\"model\": \"c\", \"messages\": [{\"role\": \"user\", \"content\": ["
                + String.join(", ", java.util.Collections.nCopies(5, marked)) + "]}]}");

        assertThatThrownBy(() -> mapper.toBody(request, "m", 10, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a request may carry at most 4 cache_control breakpoints (Anthropic's limit); "
                        + "this one has 5");
    }

    @Test
    void givenBadCacheControl_whenDecoded_thenTheFieldIsNamed() {
        assertThatThrownBy(() -> openAi("""
                {"model": "c", "messages": [{"role": "user", "content": [
                  {"type": "text", "text": "x", "cache_control": {"type": "persistent"}}]}]}"""))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("messages[0].content[0].cache_control.type")
                .hasMessageContaining("'persistent'");
        assertThatThrownBy(() -> openAi("""
                {"model": "c", "messages": [{"role": "user", "content": "x",
                  "cache_control": {"type": "ephemeral", "ttl": "2h"}}]}"""))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("messages[0].cache_control.ttl").hasMessageContaining("expected 5m or 1h");
        assertThatThrownBy(() -> openAi("""
                {"model": "c", "messages": [{"role": "user", "content": "x"}],
                 "tools": [{"type": "function", "function": {"name": "f"}, "cache_control": "ephemeral"}]}"""))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("tools[0].cache_control");
    }

    @Test
    void givenToolCallWithNonObjectArguments_whenMapped_thenFailsNamingTheCall() {
        Message assistant = new Message(Role.ASSISTANT, List.of(), Optional.empty(),
                List.of(new ToolCall("toolu_9", "f", "[1,2]")), Optional.empty());
        ChatRequest request = ChatRequest.builder("c").addMessage(Message.user("x")).addMessage(assistant).build();

        assertThatThrownBy(() -> mapper.toBody(request, "m", 10, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("toolu_9");
    }

    // ---- reasoning: https://docs.claude.com/en/docs/build-with-claude/extended-thinking and adaptive-thinking ----

    private static final String OLD = "claude-sonnet-4-5-20250929";
    private static final String NEW = "claude-sonnet-4-6";

    private static ChatRequest.Builder ask() {
        return ChatRequest.builder("claude").addMessage(Message.user("Are there infinitely many primes p with p+2 "
                + "prime?"));
    }

    @Test
    void givenNoReasoningOrReasoningOff_whenMapped_thenNoThinkingFieldAndMaxTokensUnchanged() {
        for (ChatRequest request : List.of(ask().build(), ask().reasoning(Reasoning.off()).build(),
                ask().reasoning(Reasoning.budget(0)).build())) {
            for (String model : List.of(OLD, NEW)) {
                JsonNode body = mapper.toBody(request, model, 4096, false);

                assertThat(body.has("thinking")).as(model + " " + request.reasoning()).isFalse();
                assertThat(body.has("output_config")).isFalse();
                assertThat(body.path("max_tokens").asInt()).isEqualTo(4096);
            }
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"MINIMAL, low", "LOW, low", "MEDIUM, medium", "HIGH, high", "XHIGH, xhigh", "MAX, max"})
    void givenAnEffortForClaude46_whenMapped_thenAdaptiveThinkingWithThatEffort(ReasoningEffort effort,
            String sent) throws Exception {
        JsonNode body = mapper.toBody(ask().reasoningEffort(effort).build(), NEW, 4096, false);

        assertThat(body.path("thinking")).isEqualTo(read("{\"type\":\"adaptive\"}"));
        assertThat(body.path("output_config")).isEqualTo(read("{\"effort\":\"" + sent + "\"}"));
        assertThat(body.path("max_tokens").asInt()).isEqualTo(4096);
    }

    @Test
    void givenABudgetForAnAdaptiveModel_whenMapped_thenTheNearestEffortIsSent() throws Exception {
        JsonNode body = mapper.toBody(ask().reasoning(Reasoning.budget(10_000)).maxTokens(2_000).build(),
                "claude-opus-4-7", 4096, false);

        assertThat(body.path("thinking")).isEqualTo(read("{\"type\":\"adaptive\"}"));
        assertThat(body.path("output_config").path("effort").asText()).isEqualTo("medium");
        assertThat(body.path("max_tokens").asInt()).as("the adaptive form has no budget to fit").isEqualTo(2_000);
    }

    @Test
    void givenAnEffortForAnOlderModelWithoutMaxTokens_whenMapped_thenBudgetFormAndMaxTokensMakeRoomForIt()
            throws Exception {
        JsonNode body = mapper.toBody(ask().reasoningEffort(ReasoningEffort.MEDIUM).build(), OLD, 4096, false);

        assertThat(body.path("thinking")).isEqualTo(read("{\"type\":\"enabled\",\"budget_tokens\":8192}"));
        assertThat(body.has("output_config")).isFalse();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(8192 + 4096);
    }

    @Test
    void givenAnEffortWithTheCatalogsOutputLimitAsDefault_whenMapped_thenMaxTokensStaysAtTheLimit() {
        // claude-sonnet-4-5 may write 64,000 tokens; a sum of budget and default would be refused by Anthropic
        JsonNode body = mapper.toBody(ask().reasoningEffort(ReasoningEffort.HIGH).build(), OLD, 64_000, false);

        assertThat(body.path("thinking").path("budget_tokens").asInt()).isEqualTo(24_576);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(64_000);
    }

    @Test
    void givenABudgetBelowAnthropicsMinimum_whenMapped_thenItIsRaisedTo1024() {
        JsonNode minimal = mapper.toBody(ask().reasoningEffort(ReasoningEffort.MINIMAL).build(), OLD, 4096, false);
        JsonNode small = mapper.toBody(ask().reasoning(Reasoning.budget(100)).build(), "claude-3-7-sonnet-20250219",
                4096, false);

        assertThat(minimal.path("thinking").path("budget_tokens").asInt()).isEqualTo(1024);
        assertThat(minimal.path("max_tokens").asInt()).isEqualTo(4096); // the budget fits inside the default
        assertThat(small.path("thinking").path("budget_tokens").asInt()).isEqualTo(1024);
    }

    @Test
    void givenAnExplicitBudgetBelowMaxTokens_whenMapped_thenBothAreSentAsGiven() {
        JsonNode body = mapper.toBody(ask().reasoning(Reasoning.budget(10_000)).maxTokens(16_000).build(), OLD,
                4096, false);

        assertThat(body.path("thinking").path("budget_tokens").asInt()).isEqualTo(10_000);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(16_000);
    }

    @Test
    void givenAnExplicitBudgetNotBelowMaxTokens_whenMapped_thenRefusedNamingBoth() {
        assertThatThrownBy(() -> mapper.toBody(ask().reasoning(Reasoning.budget(16_000)).maxTokens(16_000).build(),
                OLD, 4096, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budget_tokens 16000").hasMessageContaining("max_tokens 16000");
        assertThatThrownBy(() -> mapper.toBody(ask().reasoning(Reasoning.budget(500)).maxTokens(1_000).build(),
                OLD, 4096, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budget_tokens 1024 (raised from 500").hasMessageContaining("max_tokens 1000");
    }

    @Test
    void givenAnEffortBudgetAboveMaxTokens_whenMapped_thenTheBudgetIsLoweredBelowMaxTokens() {
        JsonNode body = mapper.toBody(ask().reasoningEffort(ReasoningEffort.HIGH).maxTokens(10_000).build(), OLD,
                4096, false);

        assertThat(body.path("thinking").path("budget_tokens").asInt()).isEqualTo(9_999);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(10_000);
    }

    @Test
    void givenAnEffortAndMaxTokensTooSmallForThinking_whenMapped_thenRefusedSayingMaxTokensMustExceed1024() {
        assertThatThrownBy(() -> mapper.toBody(ask().reasoningEffort(ReasoningEffort.LOW).maxTokens(1_024).build(),
                OLD, 4096, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_tokens must exceed 1024 for thinking")
                .hasMessageContaining("max_tokens was 1024").hasMessageContaining("effort low");
    }

    @Test
    void givenReasoningWithSamplingAnthropicRefuses_whenMapped_thenRefusedNamingTheField() {
        for (String model : List.of(OLD, NEW)) {
            assertThatThrownBy(() -> mapper.toBody(ask().reasoningEffort(ReasoningEffort.LOW).temperature(0.7)
                    .build(), model, 4096, false)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("temperature 0.7").hasMessageContaining("only temperature 1");
            assertThatThrownBy(() -> mapper.toBody(ask().reasoningEffort(ReasoningEffort.LOW).topP(0.9).build(),
                    model, 4096, false)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("top_p 0.9").hasMessageContaining("from 0.95 to 1");
            assertThatThrownBy(() -> mapper.toBody(ask().reasoningEffort(ReasoningEffort.LOW).topK(40).build(),
                    model, 4096, false)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("top_k 40").hasMessageContaining("refuses top_k while the model thinks");
        }
        // what Anthropic accepts passes: temperature 1 (OpenAI's 1.6 is capped to it) and top_p from 0.95
        JsonNode body = mapper.toBody(ask().reasoningEffort(ReasoningEffort.LOW).temperature(1.6).topP(0.95).build(),
                OLD, 4096, false);
        assertThat(body.path("temperature").asDouble()).isEqualTo(1.0);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.95);
        // without reasoning nothing changes
        assertThat(mapper.toBody(ask().temperature(0.7).topP(0.5).build(), OLD, 4096, false).path("top_p")
                .asDouble()).isEqualTo(0.5);
    }

    @Test
    void givenBudgetThinkingWithAForcedToolChoice_whenMapped_thenRefused() throws Exception {
        JsonNode schema = read("{\"type\":\"object\"}");
        ChatRequest.Builder withTool = ask().reasoningEffort(ReasoningEffort.LOW)
                .tools(List.of(new Tool("get_weather", Optional.empty(), schema, false)));

        for (JsonNode forced : List.of(TextNode.valueOf("required"),
                read("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"))) {
            assertThatThrownBy(() -> mapper.toBody(withTool.toolChoice(forced).build(), OLD, 4096, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tool_choice")
                    .hasMessageContaining("forces a tool call");
        }
        assertThat(mapper.toBody(withTool.toolChoice(TextNode.valueOf("auto")).build(), OLD, 4096, false)
                .path("tool_choice").path("type").asText()).isEqualTo("auto");
        assertThat(mapper.toBody(withTool.toolChoice(TextNode.valueOf("required")).build(), NEW, 4096, false)
                .path("tool_choice").path("type").asText()).as("the adaptive form").isEqualTo("any");
    }

    @Test
    void givenAnAssistantMessageWithReasoningAfterItsText_whenMapped_thenItsBlocksKeepTheirOrderUnchanged()
            throws Exception {
        // interleaved thinking: Anthropic refuses a turn whose thinking blocks were moved from where they were written
        Message assistant = new Message(Role.ASSISTANT, List.of(ContentPart.text("Let me check."),
                new ContentPart.Thinking("I should call get_weather.", Optional.of("EqQBCgIYAhIM1gbcDa9G")),
                new ContentPart.RedactedThinking("EmwKAhgBEgy3va3pzix/LafPsn4a")), Optional.empty(),
                List.of(new ToolCall("toolu_1", "get_weather", "{\"city\":\"Paris\"}")), Optional.empty());
        ChatRequest request = ChatRequest.builder("c").addMessage(Message.user("Weather in Paris?"))
                .addMessage(assistant).addMessage(Message.toolResult("toolu_1", "18C")).build();

        JsonNode content = mapper.toBody(request, OLD, 4096, false).path("messages").path(1).path("content");

        assertThat(content).isEqualTo(read("""
                [{"type":"text","text":"Let me check."},
                 {"type":"thinking","thinking":"I should call get_weather.","signature":"EqQBCgIYAhIM1gbcDa9G"},
                 {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4a"},
                 {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]"""));
    }

    @Test
    void givenAFailedToolsResult_whenMapped_thenItsToolResultBlockSaysIsError() {
        ChatRequest request = ChatRequest.builder("c").addMessage(Message.user("ls"))
                .addMessage(new Message(Role.ASSISTANT, List.of(), Optional.empty(),
                        List.of(new ToolCall("toolu_1", "sh", "{}")), Optional.empty()))
                .addMessage(Message.toolError("toolu_1", "permission denied"))
                .addMessage(Message.toolResult("toolu_2", "ok")).build();

        JsonNode blocks = mapper.toBody(request, OLD, 4096, false).path("messages").path(2).path("content");

        assertThat(blocks.path(0).path("is_error").asBoolean()).isTrue();
        assertThat(blocks.path(0).path("content").asText()).isEqualTo("permission denied");
        assertThat(blocks.path(1).has("is_error")).isFalse();
    }

    @Test
    void givenAnotherProvidersUnsignedReasoning_whenMapped_thenLeftOutAsAnthropicWouldRefuseIt() throws Exception {
        // e.g. DeepSeek's reasoning_content, read as a block with no signature, before a fallback to Claude
        Message assistant = new Message(Role.ASSISTANT, List.of(new ContentPart.Thinking("Hmm, 2 + 2.",
                Optional.empty()), ContentPart.text("4")), Optional.empty(), List.of(), Optional.empty());
        ChatRequest request = ChatRequest.builder("c").addMessage(Message.user("2 + 2?")).addMessage(assistant)
                .addMessage(Message.user("and 3 + 3?")).build();

        JsonNode content = mapper.toBody(request, OLD, 4096, false).path("messages").path(1).path("content");

        assertThat(content).isEqualTo(read("[{\"type\":\"text\",\"text\":\"4\"}]"));
    }

    @Test
    void givenTwoAssistantMessagesMergedIntoOneTurn_whenMapped_thenAllReasoningBlocksComeFirstInTheirOrder()
            throws Exception {
        Message first = new Message(Role.ASSISTANT, List.of(new ContentPart.Thinking("one", Optional.of("s1")),
                ContentPart.text("A")), Optional.empty(), List.of(), Optional.empty());
        Message second = new Message(Role.ASSISTANT, List.of(ContentPart.text("B"),
                new ContentPart.Thinking("two", Optional.of("s2"))), Optional.empty(), List.of(), Optional.empty());
        ChatRequest request = ChatRequest.builder("c").addMessage(Message.user("go")).addMessage(first)
                .addMessage(second).build();

        JsonNode content = mapper.toBody(request, OLD, 4096, false).path("messages").path(1).path("content");

        assertThat(content).extracting(b -> b.path("type").asText() + ":" + b.path("thinking").asText(
                b.path("text").asText())).containsExactly("thinking:one", "thinking:two", "text:A", "text:B");
    }
}
