package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.llm.cache.CachedAnswer;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.cost.PriceStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CachedAnswerCodecTest {

    private static CachedAnswer answer(String text) {
        Message message = new Message(Role.ASSISTANT, List.of(new ContentPart.Text(text)), Optional.empty(),
                List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")), Optional.empty());
        ChatResponse response = new ChatResponse("chatcmpl-1", "gpt-4o", "gpt-4o-2024-08-06", "openai", message,
                FinishReason.TOOL_CALLS, new Usage(1200, 1024, 0, 0, 350, 40, false), Money.of("0.0053125"),
                PriceStatus.PRICED, Duration.ofMillis(812), Optional.of("req_abc"), false);
        return new CachedAnswer(response, "gpt-4o-2024-08-06", Money.of("0.0165"), true,
                Instant.parse("2026-11-27T10:00:00Z"));
    }

    @Test
    void givenAnAnswerWithToolCallsAndCachedTokens_whenEncodedAndDecoded_thenEveryFieldSurvives() {
        CachedAnswer original = answer("It is sunny in Paris.");

        assertThat(CachedAnswerCodec.decode(CachedAnswerCodec.encode(original))).contains(original);
    }

    @Test
    void givenALongAnswer_whenEncoded_thenItIsCompressedWellBelowItsText() {
        String text = "The quick brown fox jumps over the lazy dog. ".repeat(200);

        byte[] stored = CachedAnswerCodec.encode(answer(text));

        assertThat(stored.length).isLessThan(text.getBytes(StandardCharsets.UTF_8).length / 5);
    }

    @Test
    void givenBytesThatAreNotAnEntry_whenDecoded_thenItIsAMissNotAnError() {
        assertThat(CachedAnswerCodec.decode("not deflated".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
}
