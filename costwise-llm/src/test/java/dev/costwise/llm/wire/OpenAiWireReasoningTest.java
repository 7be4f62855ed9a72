package dev.costwise.llm.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ThinkingDelta;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reasoning in the OpenAI codec: OpenAI's {@code reasoning_effort}
 * (https://platform.openai.com/docs/api-reference/chat/create), OpenRouter's {@code reasoning} object
 * (https://openrouter.ai/docs/use-cases/reasoning-tokens) and LiteLLM's {@code thinking_blocks} /
 * {@code reasoning_content} for Anthropic's signed thinking blocks.
 */
class OpenAiWireReasoningTest {

    private final OpenAiWire wire = new OpenAiWire();

    private ChatRequest read(String extra) {
        return wire.readRequest(("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + extra
                + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8)).chat();
    }

    @Test
    void givenReasoningEffort_whenRead_thenTheRequestCarriesIt() {
        assertThat(read(",\"reasoning_effort\":\"low\"").reasoning()).contains(Reasoning.effort(ReasoningEffort.LOW));
        assertThat(read(",\"reasoning_effort\":\"none\"").reasoning().orElseThrow().isOff()).isTrue();
        assertThat(read("").reasoning()).isEmpty();
    }

    @Test
    void givenOpenRoutersReasoningObject_whenRead_thenEffortBudgetOrOff() {
        assertThat(read(",\"reasoning\":{\"max_tokens\":2000}").reasoning()).contains(Reasoning.budget(2000));
        assertThat(read(",\"reasoning\":{\"effort\":\"high\"}").reasoning())
                .contains(Reasoning.effort(ReasoningEffort.HIGH));
        assertThat(read(",\"reasoning\":{\"enabled\":false}").reasoning()).contains(Reasoning.off());
        assertThat(read(",\"reasoning\":{\"enabled\":true}").reasoning())
                .contains(Reasoning.effort(ReasoningEffort.MEDIUM));
        assertThat(read(",\"reasoning\":{\"exclude\":true}").reasoning()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        ",\"reasoning_effort\":\"turbo\"|reasoning_effort: unknown value 'turbo'; expected one of none, minimal, low",
        ",\"reasoning_effort\":3|reasoning_effort: expected a string, was a number",
        ",\"reasoning\":{\"effort\":\"deep\"}|reasoning.effort: unknown value 'deep'",
        ",\"reasoning\":{\"max_tokens\":-5}|reasoning.max_tokens: must be 0 or more, was -5",
        ",\"reasoning\":\"high\"|reasoning: expected an object",
        ",\"reasoning_effort\":\"low\",\"reasoning\":{\"effort\":\"low\"}|reasoning: give reasoning_effort or "
                + "reasoning, not both",
    })
    void givenBadReasoning_whenRead_thenTheErrorNamesTheField(String extra, String expected) {
        assertThatThrownBy(() -> read(extra)).isInstanceOf(WireFormatException.class).hasMessageContaining(expected);
    }

    @Test
    void givenASetting_whenWrittenForOpenAi_thenReasoningEffortWithMaxAsXhigh() {
        ChatRequest budget = ChatRequest.builder("m").addMessage(Message.user("hi")).reasoning(Reasoning.budget(8000))
                .build();
        ChatRequest max = budget.toBuilder().reasoningEffort(ReasoningEffort.MAX).build();

        JsonNode fromBudget = wire.writeRequest(budget, "o4-mini", RequestEncoding.DEFAULT);
        JsonNode fromMax = wire.writeRequest(max, "o4-mini", RequestEncoding.DEFAULT);

        assertThat(fromBudget.get("reasoning_effort").asText()).isEqualTo("medium"); // 8,000 is nearest 8,192
        assertThat(fromMax.get("reasoning_effort").asText()).isEqualTo("xhigh"); // OpenAI has no "max"
        assertThat(fromBudget.has("reasoning")).isFalse();
    }

    @Test
    void givenASetting_whenWrittenForOpenRouter_thenItsReasoningObjectKeepsTheBudget() {
        RequestEncoding openRouter = RequestEncoding.DEFAULT.withOpenRouterReasoning();
        ChatRequest.Builder b = ChatRequest.builder("m").addMessage(Message.user("hi"));

        JsonNode budget = wire.writeRequest(b.reasoning(Reasoning.budget(3000)).build(), "x", openRouter);
        JsonNode effort = wire.writeRequest(b.reasoningEffort(ReasoningEffort.LOW).build(), "x", openRouter);
        JsonNode off = wire.writeRequest(b.reasoning(Reasoning.off()).build(), "x", openRouter);

        assertThat(budget.get("reasoning").toString()).isEqualTo("{\"max_tokens\":3000}");
        assertThat(effort.get("reasoning").toString()).isEqualTo("{\"effort\":\"low\"}");
        assertThat(off.get("reasoning").toString()).isEqualTo("{\"effort\":\"none\"}");
        assertThat(budget.has("reasoning_effort")).isFalse();
    }

    private static Message assistantWithReasoning() {
        return new Message(Role.ASSISTANT, List.of(new ContentPart.Thinking("Check the weather tool.",
                Optional.of("sig-A1")), new ContentPart.RedactedThinking("EncRypTeD"), ContentPart.text("Looking.")),
                Optional.empty(), List.of(new ToolCall("toolu_1", "weather", "{\"city\":\"Paris\"}")),
                Optional.empty());
    }

    @Test
    void givenAnAnswerWithReasoningBlocks_whenWrittenAndReadBack_thenBlocksAndSignaturesSurvive() {
        ChatResponse response = new ChatResponse("msg_1", "claude", "claude-sonnet-4-5", "anthropic",
                assistantWithReasoning(), FinishReason.TOOL_CALLS, Usage.of(10, 20), Money.of("0.001"),
                PriceStatus.PRICED, Duration.ofMillis(5), Optional.empty(), false);

        JsonNode written = wire.writeResponse(response, 1L);
        WireCompletion back = wire.readResponse(written);

        JsonNode message = written.at("/choices/0/message");
        assertThat(message.get("content").asText()).isEqualTo("Looking.");
        assertThat(message.get("reasoning_content").asText()).isEqualTo("Check the weather tool.");
        assertThat(message.get("thinking_blocks").toString()).isEqualTo("[{\"type\":\"thinking\",\"thinking\":"
                + "\"Check the weather tool.\",\"signature\":\"sig-A1\"},{\"type\":\"redacted_thinking\","
                + "\"data\":\"EncRypTeD\"}]");
        assertThat(back.message()).isEqualTo(response.message());
        assertThat(back.message().text()).isEqualTo("Looking.");
    }

    @Test
    void givenAConversationWithReasoning_whenReadFromACaller_thenBlocksComeFirstInTheAssistantMessage() {
        ChatRequest request = read("").toBuilder().addMessage(assistantWithReasoning())
                .addMessage(Message.toolResult("toolu_1", "18C")).build();
        JsonNode body = wire.writeRequest(new OpenAiRequest(request, false, false));

        ChatRequest back = wire.readRequest(body).chat();

        assertThat(back.messages().get(1)).isEqualTo(assistantWithReasoning());
        assertThat(back.messages().get(1).content().getFirst()).isInstanceOf(ContentPart.Thinking.class);
    }

    @Test
    void givenReasoningBlocks_whenWrittenForAnUpstream_thenLeftOutUnlessAsked() {
        ChatRequest request = read("").toBuilder().addMessage(assistantWithReasoning()).build();

        JsonNode plain = wire.writeRequest(request, "gpt-5", RequestEncoding.DEFAULT);
        JsonNode withBlocks = wire.writeRequest(request, "gpt-5", RequestEncoding.DEFAULT.withAnthropicExtensions());

        assertThat(plain.at("/messages/1").has("thinking_blocks")).isFalse(); // OpenAI refuses the field
        assertThat(plain.at("/messages/1/content").asText()).isEqualTo("Looking.");
        assertThat(withBlocks.at("/messages/1/thinking_blocks/0/signature").asText()).isEqualTo("sig-A1");
    }

    @Test
    void givenThinkingBlocksOnAUserMessage_whenRead_thenRefusedWithThePath() {
        assertThatThrownBy(() -> wire.readRequest(wire.parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\",\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"x\"}]}]}")))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("messages[0].thinking_blocks: only an assistant message holds reasoning");
        assertThatThrownBy(() -> wire.readRequest(wire.parse("{\"model\":\"m\",\"messages\":[{\"role\":"
                + "\"assistant\",\"content\":\"hi\",\"thinking_blocks\":[{\"type\":\"dream\"}]}]}")))
                .hasMessageContaining("messages[0].thinking_blocks[0].type: unknown value 'dream'");
    }

    @ParameterizedTest
    @CsvSource({"reasoning_content", "reasoning"})
    void givenAnAnswerWithPlainReasoningText_whenRead_thenItIsOneUnsignedBlockBeforeTheAnswer(String field) {
        // DeepSeek (https://api-docs.deepseek.com/guides/reasoning_model) and vLLM: reasoning_content; Groq and
        // OpenRouter: reasoning
        WireCompletion answer = wire.readResponse(wire.parse("{\"id\":\"c\",\"model\":\"deepseek-reasoner\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"4\",\"" + field
                + "\":\"2 + 2 is 4.\"},\"finish_reason\":\"stop\"}]}"));
        ChatChunk chunk = wire.readChunk(wire.parse("{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"" + field + "\":\"2 + \"},\"finish_reason\":null}]}"));

        assertThat(answer.message().reasoning()).containsExactly(new ContentPart.Thinking("2 + 2 is 4.",
                Optional.empty()));
        assertThat(answer.message().text()).isEqualTo("4");
        assertThat(chunk.thinkingDeltas()).containsExactly(ThinkingDelta.text(0, "2 + "));
        assertThat(chunk.contentDelta()).isEmpty();
    }

    @Test
    void givenThinkingDeltas_whenWrittenAndReadBack_thenEachFragmentKeepsItsBlock() {
        ChatChunk chunk = ChatChunk.thinking("msg_1", "claude-sonnet-4-5", List.of(ThinkingDelta.text(0, "Let me"),
                ThinkingDelta.signature(0, "sig-A1"), ThinkingDelta.redacted(1, "EncRypTeD")));

        JsonNode written = wire.writeChunk(chunk, 1L);
        ChatChunk back = wire.readChunk(written);

        JsonNode delta = written.at("/choices/0/delta");
        assertThat(delta.has("content")).isFalse();
        assertThat(delta.get("reasoning_content").asText()).isEqualTo("Let me");
        assertThat(back.thinkingDeltas()).isEqualTo(chunk.thinkingDeltas());
        assertThat(back.contentDelta()).isEmpty();
    }

    @Test
    void givenAFailedToolsResult_whenReadAndWritten_thenIsErrorTravelsOnlyWhereAnthropicFieldsAreAsked() {
        ChatRequest request = wire.readRequest(wire.parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"ls\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"sh\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\","
                + "\"tool_call_id\":\"c1\",\"content\":\"permission denied\",\"is_error\":true}]}")).chat();

        JsonNode plain = wire.writeRequest(request, "gpt-5", RequestEncoding.DEFAULT);
        JsonNode extended = wire.writeRequest(request, "gpt-5", RequestEncoding.DEFAULT.withAnthropicExtensions());

        assertThat(request.messages().get(2)).isEqualTo(Message.toolError("c1", "permission denied"));
        assertThat(plain.at("/messages/2").has("is_error")).isFalse();
        assertThat(extended.at("/messages/2/is_error").asBoolean()).isTrue();
        assertThatThrownBy(() -> read(",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"is_error\":true}]"))
                .hasMessageContaining("messages[0].is_error: only a tool message reports a tool error");
    }
}
