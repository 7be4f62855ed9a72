package dev.costwise.llm.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireFormatException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

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
                .temperature(1.6).topP(0.9).maxTokens(256).stop(List.of("END")).user("u-1").build();

        JsonNode body = mapper.toBody(request, "m", 4096, false);

        assertThat(body.path("system").asText())
                .isEqualTo("You extract data.\n\n" + AnthropicRequestMapper.JSON_INSTRUCTION);
        assertThat(body.path("temperature").asDouble()).isEqualTo(1.0);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(256);
        assertThat(body.path("stop_sequences").path(0).asText()).isEqualTo("END");
        assertThat(body.path("metadata").path("user_id").asText()).isEqualTo("u-1");
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
}
