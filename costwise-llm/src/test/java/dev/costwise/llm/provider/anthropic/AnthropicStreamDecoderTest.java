package dev.costwise.llm.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.ThinkingDelta;
import dev.costwise.llm.chat.ToolCallDelta;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.ApiKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Event sequences as documented at https://docs.claude.com/en/docs/build-with-claude/streaming. */
class AnthropicStreamDecoderTest {

    private final ObjectMapper json = new ObjectMapper();
    private final AnthropicErrorMapper errors = new AnthropicErrorMapper(json, ApiKey.of("sk-ant-test"));
    private final AnthropicStreamDecoder decoder = new AnthropicStreamDecoder("claude-sonnet-4-5",
            data -> errors.fromStreamEvent(ProviderException.Details.of("anthropic", "claude-sonnet-4-5"), 200, data,
                    Duration.ofSeconds(60)));

    private List<ChatChunk> feed(String event, String data) throws Exception {
        return decoder.decode(event, json.readTree(data));
    }

    @Test
    void givenTextAndToolUseEvents_whenDecoded_thenChunksCarryTextToolDeltasAndCachedUsage() throws Exception {
        List<ChatChunk> chunks = new ArrayList<>();
        chunks.addAll(feed("message_start", """
                {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message",
                 "role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,
                 "usage":{"input_tokens":472,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,
                 "output_tokens":2}}}"""));
        chunks.addAll(feed("content_block_start",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
        chunks.addAll(feed("ping", "{\"type\": \"ping\"}"));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let me check"}}"""));
        chunks.addAll(feed("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
        chunks.addAll(feed("content_block_start", """
                {"type":"content_block_start","index":1,"content_block":{"type":"tool_use",
                 "id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}"""));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"""));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta",
                 "partial_json":"{\\"location\\": \\"San Fra"}}"""));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta",
                 "partial_json":"ncisco\\"}"}}"""));
        chunks.addAll(feed("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"));
        chunks.addAll(feed("message_delta", """
                {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},
                 "usage":{"output_tokens":89}}"""));
        assertThat(decoder.complete()).isFalse();
        chunks.addAll(feed("message_stop", "{\"type\":\"message_stop\"}"));

        assertThat(decoder.complete()).isTrue();
        assertThat(chunks).extracting(ChatChunk::contentDelta).containsExactly("Okay, let me check", "", "", "", "",
                "");
        assertThat(chunks.get(1).toolCallDeltas()).containsExactly(new ToolCallDelta(0,
                Optional.of("toolu_01T1x1fJ34qAmk2tNTrN7Up6"), Optional.of("get_weather"), ""));
        assertThat(chunks.get(3).toolCallDeltas().getFirst().argumentsFragment()).isEqualTo("{\"location\": \"San Fra");
        ChatChunk last = chunks.getLast();
        assertThat(last.id()).isEqualTo("msg_014p7gG3wDgGV9EUtLvnow3U");
        assertThat(last.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(last.finishReason()).contains(FinishReason.TOOL_CALLS);
        assertThat(last.usage()).contains(new Usage(2572, 2000, 100, 89, 0, false));
    }

    @Test
    void givenMessageDeltaRepeatingInputAndSplitCacheWrites_whenDecoded_thenTheLatestCountsWin() throws Exception {
        feed("message_start", """
                {"type":"message_start","message":{"id":"msg_2","model":"claude-sonnet-4-5",
                 "usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                 "output_tokens":1}}}""");
        feed("message_delta", """
                {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"input_tokens":12,
                 "cache_read_input_tokens":500,"cache_creation_input_tokens":300,
                 "cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200},
                 "output_tokens":64}}""");

        ChatChunk last = feed("message_stop", "{\"type\":\"message_stop\"}").getFirst();

        assertThat(last.finishReason()).contains(FinishReason.LENGTH);
        assertThat(last.usage()).contains(new Usage(812, 500, 300, 200, 64, 0, false));
    }

    @Test
    void givenMessageDeltaWithAnUnsplitWriteTotal_whenDecoded_thenTheOneHourWritesOfMessageStartStay()
            throws Exception {
        // message_delta's usage has cache_creation_input_tokens but no cache_creation split (MessageDeltaUsage)
        feed("message_start", """
                {"type":"message_start","message":{"id":"msg_3","model":"claude-sonnet-4-5",
                 "usage":{"input_tokens":50,"cache_creation_input_tokens":3000,"cache_read_input_tokens":10000,
                 "cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000},
                 "output_tokens":1}}}""");
        feed("message_delta", """
                {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":50,
                 "cache_creation_input_tokens":3000,"cache_read_input_tokens":10000,"output_tokens":400}}""");

        assertThat(feed("message_stop", "{\"type\":\"message_stop\"}").getFirst().usage())
                .contains(new Usage(13050, 10000, 3000, 2000, 400, 0, false));
    }

    @Test
    void givenMessageDeltaWithADifferentUnsplitWriteTotal_whenDecoded_thenTheDifferenceIsFiveMinuteWrites()
            throws Exception {
        feed("message_start", """
                {"type":"message_start","message":{"id":"msg_4","model":"claude-sonnet-4-5",
                 "usage":{"input_tokens":50,"cache_creation_input_tokens":3000,
                 "cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000},
                 "output_tokens":1}}}""");
        feed("message_delta", """
                {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{
                 "cache_creation_input_tokens":3500,"output_tokens":400}}""");
        assertThat(decoder.usage()).get().as("500 more writes, at the default TTL")
                .isEqualTo(new Usage(3550, 0, 3500, 2000, 400, 0, false));

        feed("message_delta", """
                {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{
                 "cache_creation_input_tokens":1500,"output_tokens":400}}""");
        assertThat(decoder.usage()).get().as("a total below the 1-hour writes caps them")
                .isEqualTo(new Usage(1550, 0, 1500, 1500, 400, 0, false));
    }

    /** The arguments of every tool call the chunks carry, each call's fragments joined in order. */
    private static List<String> arguments(List<ChatChunk> chunks) {
        List<StringBuilder> calls = new ArrayList<>();
        for (ChatChunk c : chunks) {
            for (ToolCallDelta d : c.toolCallDeltas()) {
                while (calls.size() <= d.index()) {
                    calls.add(new StringBuilder());
                }
                calls.get(d.index()).append(d.argumentsFragment());
            }
        }
        return calls.stream().map(StringBuilder::toString).toList();
    }

    @Test
    void givenToolWithoutParametersNextToOneWithArguments_whenDecoded_thenItsFragmentsAddUpToAnEmptyObject()
            throws Exception {
        List<ChatChunk> chunks = new ArrayList<>();
        chunks.addAll(feed("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_3\","
                + "\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":50,\"output_tokens\":1}}}"));
        chunks.addAll(feed("content_block_start", """
                {"type":"content_block_start","index":0,"content_block":{"type":"tool_use",
                 "id":"toolu_01E","name":"get_time","input":{}}}"""));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}"""));
        chunks.addAll(feed("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
        chunks.addAll(feed("content_block_start", """
                {"type":"content_block_start","index":1,"content_block":{"type":"tool_use",
                 "id":"toolu_01F","name":"get_weather","input":{}}}"""));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"""));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta",
                 "partial_json":"{\\"city\\": \\"Oslo\\"}"}}"""));
        chunks.addAll(feed("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"));
        chunks.addAll(feed("message_delta", """
                {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":30}}"""));
        chunks.addAll(feed("message_stop", "{\"type\":\"message_stop\"}"));

        assertThat(arguments(chunks)).containsExactly("{}", "{\"city\": \"Oslo\"}");
        assertThat(chunks.getLast().finishReason()).contains(FinishReason.TOOL_CALLS);
    }

    @Test
    void givenToolBlockNeverStopped_whenTheMessageStops_thenItsArgumentsStillAddUpToAnEmptyObject()
            throws Exception {
        List<ChatChunk> chunks = new ArrayList<>();
        chunks.addAll(feed("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_4\","
                + "\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":50,\"output_tokens\":1}}}"));
        chunks.addAll(feed("content_block_start", """
                {"type":"content_block_start","index":0,"content_block":{"type":"tool_use",
                 "id":"toolu_01G","name":"get_time","input":{}}}"""));
        chunks.addAll(feed("message_stop", "{\"type\":\"message_stop\"}"));

        assertThat(arguments(chunks)).containsExactly("{}");
        assertThat(chunks.getLast().usage()).isPresent();
    }

    @Test
    void givenErrorEventMidStream_whenDecoded_thenThrowsOverloaded() throws Exception {
        feed("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\","
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}");

        assertThatThrownBy(() -> feed("error",
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"))
                .isInstanceOf(ProviderException.Overloaded.class).hasMessageContaining("Overloaded");
    }

    @Test
    void givenDeltaForUnknownBlock_whenDecoded_thenFailsNamingTheBlock() {
        assertThatThrownBy(() -> feed("content_block_delta",
                "{\"index\":3,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\"}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("content block 3");
    }

    @Test
    void givenDocumentedThinkingStream_whenDecoded_thenThinkingDeltasNumberTheReasoningBlocksOnly() throws Exception {
        // https://docs.claude.com/en/docs/build-with-claude/extended-thinking#streaming-thinking, plus a redacted block
        List<ChatChunk> chunks = new ArrayList<>();
        chunks.addAll(feed("message_start", """
                {"type":"message_start","message":{"id":"msg_01thinking","type":"message","role":"assistant",
                 "content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,
                 "usage":{"input_tokens":40,"output_tokens":1}}}"""));
        chunks.addAll(feed("content_block_start", """
                {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"""));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"I need to find \
                the GCD of 1071 and 462 using the Euclidean algorithm.\\n\\n1071 = 2 × 462 + 147"}}"""));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"\\n462 = 3 × \
                147 + 21\\n147 = 7 × 21 + 0\\n\\nSo GCD(1071, 462) = 21"}}"""));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta",
                 "signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}"""));
        chunks.addAll(feed("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
        chunks.addAll(feed("content_block_start", """
                {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"""));
        chunks.addAll(feed("content_block_delta", """
                {"type":"content_block_delta","index":1,"delta":{"type":"text_delta",
                 "text":"The greatest common divisor of 1071 and 462 is **21**."}}"""));
        chunks.addAll(feed("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"));
        chunks.addAll(feed("content_block_start", """
                {"type":"content_block_start","index":2,"content_block":{"type":"redacted_thinking",
                 "data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"}}"""));
        chunks.addAll(feed("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}"));
        chunks.addAll(feed("message_delta", """
                {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},
                 "usage":{"output_tokens":120}}"""));
        chunks.addAll(feed("message_stop", "{\"type\":\"message_stop\"}"));

        assertThat(chunks.stream().flatMap(c -> c.thinkingDeltas().stream()).toList()).containsExactly(
                ThinkingDelta.text(0, ""),
                ThinkingDelta.text(0, "I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n"
                        + "1071 = 2 × 462 + 147"),
                ThinkingDelta.text(0, "\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo GCD(1071, 462) = 21"),
                ThinkingDelta.signature(0, "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"),
                ThinkingDelta.redacted(1, "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"));
        assertThat(chunks).filteredOn(c -> !c.thinkingDeltas().isEmpty()).allSatisfy(c -> {
            assertThat(c.id()).isEqualTo("msg_01thinking");
            assertThat(c.contentDelta()).isEmpty();
            assertThat(c.toolCallDeltas()).isEmpty();
        });
        assertThat(chunks).extracting(ChatChunk::contentDelta).contains("The greatest common divisor of 1071 and 462 "
                + "is **21**.");
        assertThat(chunks.getLast().usage()).contains(Usage.of(40, 120));
    }

    @Test
    void givenThinkingDeltaForABlockThatIsNotThinking_whenDecoded_thenFailsNamingTheBlock() throws Exception {
        feed("content_block_start", "{\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");

        assertThatThrownBy(() -> feed("content_block_delta",
                "{\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"x\"}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signature_delta")
                .hasMessageContaining("content block 0");
    }
}
