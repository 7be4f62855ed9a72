package dev.costwise.llm.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ThinkingDelta;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplayedChatStreamTest {

    @Test
    void givenACachedAnswerWithReasoningBlocks_whenReplayed_thenTheBlocksComeFirstWithTheirSignatures() {
        Message message = new Message(Role.ASSISTANT, List.of(new ContentPart.Thinking("think", Optional.of("sig")),
                new ContentPart.RedactedThinking("enc"), ContentPart.text("answer")), Optional.empty(), List.of(),
                Optional.empty());
        ChatResponse response = new ChatResponse("msg_1", "claude", "claude-sonnet-4-5", "anthropic", message,
                FinishReason.STOP, Usage.of(10, 20), Money.of("0.001"), PriceStatus.PRICED, Duration.ofMillis(5),
                Optional.empty(), false);

        List<ChatChunk> chunks = ReplayedChatStream.chunksOf(response);

        assertThat(chunks.get(0).thinkingDeltas()).containsExactly(
                new ThinkingDelta(0, "think", Optional.of("sig"), Optional.empty()));
        assertThat(chunks.get(1).thinkingDeltas()).containsExactly(ThinkingDelta.redacted(1, "enc"));
        assertThat(chunks.get(2).contentDelta()).isEqualTo("answer");
        assertThat(chunks.getLast().usage()).contains(Usage.of(10, 20));
    }
}
