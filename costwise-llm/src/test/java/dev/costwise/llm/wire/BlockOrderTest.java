package dev.costwise.llm.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The order of an assistant message's blocks ({@code block_order}) through the OpenAI codec: an interleaved-thinking
 * turn (https://docs.claude.com/en/docs/build-with-claude/extended-thinking#interleaved-thinking) is written and read
 * back with its blocks where they were, and a plainly ordered one carries no such field.
 */
class BlockOrderTest {
    private final OpenAiWire wire = new OpenAiWire();

    /** thinking, text, thinking, tool call, text. */
    private static Message interleaved() {
        return new Message(Role.ASSISTANT, List.of(new ContentPart.Thinking("plan", Optional.of("sig-A")),
                ContentPart.text("One."), new ContentPart.RedactedThinking("opaque"), ContentPart.text("Two.")),
                Optional.empty(), List.of(new ToolCall("toolu_1", "weather", "{}")), Optional.empty(), false,
                List.of(3));
    }

    @Test
    void givenAnInterleavedAnswer_whenWrittenAndReadBack_thenItsTextIsOneStringAndItsBlocksKeepTheirPlaces() {
        ChatResponse response = new ChatResponse("msg_1", "claude", "claude-sonnet-4-5", "anthropic", interleaved(),
                FinishReason.TOOL_CALLS, Usage.of(10, 20), Money.of("0.001"), PriceStatus.PRICED, Duration.ZERO,
                Optional.empty(), false);

        JsonNode message = wire.writeResponse(response, 1L).at("/choices/0/message");

        assertThat(message.path("content").asText()).isEqualTo("One.Two.");
        assertThat(message.path("block_order").toString()).isEqualTo("[\"thinking\",{\"type\":\"text\",\"text\":"
                + "\"One.\"},\"thinking\",\"tool_call\",{\"type\":\"text\",\"text\":\"Two.\"}]");
        assertThat(wire.readResponse(wire.writeResponse(response, 1L)).message()).isEqualTo(interleaved());
    }

    @Test
    void givenAnInterleavedTurnInARequest_whenReadAndWrittenForAnAnthropicAwareServer_thenTheOrderSurvives() {
        String turn = """
                {"role": "assistant", "content": [{"type": "text", "text": "One."}, {"type": "text", "text": "Two."}],
                 "thinking_blocks": [{"type": "thinking", "thinking": "plan", "signature": "sig-A"},
                                     {"type": "redacted_thinking", "data": "opaque"}],
                 "tool_calls": [{"id": "toolu_1", "type": "function", "function": {"name": "weather",
                                 "arguments": "{}"}}],
                 "block_order": ["thinking", {"type": "text", "text": "One."}, "thinking", "tool_call",
                                 {"type": "text", "text": "Two."}]}""";
        Message read = wire.readRequest(("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, "
                + turn + "]}").getBytes(StandardCharsets.UTF_8)).chat().messages().get(1);

        assertThat(read).isEqualTo(interleaved());
        RequestEncoding anthropicAware = new RequestEncoding(false, false, false, false, false, false, true, false,
                false);
        JsonNode written = wire.writeRequest(wire.readRequest(("{\"model\": \"m\", \"messages\": [" + turn + "]}")
                .getBytes(StandardCharsets.UTF_8)).chat(), "m", anthropicAware).at("/messages/0");
        assertThat(written.path("block_order")).isEqualTo(wire.parse(turn.getBytes(StandardCharsets.UTF_8))
                .path("block_order"));
    }

    @Test
    void givenAPlainlyOrderedAnswer_whenWritten_thenItHasNoBlockOrder() {
        Message plain = new Message(Role.ASSISTANT, List.of(new ContentPart.Thinking("plan", Optional.of("s")),
                ContentPart.text("Calling.")), Optional.empty(), List.of(new ToolCall("t", "f", "{}")),
                Optional.empty());
        ChatResponse response = new ChatResponse("msg_1", "claude", "claude-sonnet-4-5", "anthropic", plain,
                FinishReason.TOOL_CALLS, Usage.of(10, 20), Money.of("0.001"), PriceStatus.PRICED, Duration.ZERO,
                Optional.empty(), false);

        assertThat(wire.writeResponse(response, 1L).at("/choices/0/message").has("block_order")).isFalse();
    }

    @Test
    void givenABlockOrderThatDoesNotMatchTheMessage_whenRead_thenTheErrorNamesTheEntry() {
        String body = """
                {"model": "m", "messages": [{"role": "assistant", "content": "x",
                 "thinking_blocks": [{"type": "thinking", "thinking": "a", "signature": "s"}],
                 "block_order": ["thinking", "thinking", {"type": "text", "text": "x"}]}]}""";

        assertThatThrownBy(() -> wire.readRequest(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("messages[0].block_order[1]: names more reasoning blocks");
    }

    @Test
    void givenToolCallPositions_whenReasoningIsLeftOut_thenTheCallsKeepTheirPlaceAmongTheRest() {
        Message without = interleaved().withoutReasoning();

        assertThat(without.content()).containsExactly(ContentPart.text("One."), ContentPart.text("Two."));
        assertThat(without.toolCallPosition(0)).isEqualTo(1);
        assertThatThrownBy(() -> new Message(Role.ASSISTANT, List.of(ContentPart.text("a")), Optional.empty(),
                List.of(new ToolCall("t", "f", "{}")), Optional.empty(), false, List.of(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("toolCallPositions");
    }
}
