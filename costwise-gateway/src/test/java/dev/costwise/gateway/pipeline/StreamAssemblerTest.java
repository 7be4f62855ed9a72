package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.wire.OpenAiWire;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A stream with signed reasoning blocks is rebuilt for the cache only when its blocks' places are known; the chunks
 * are the gateway's relay of an Anthropic stream (LiteLLM's {@code thinking_blocks} deltas).
 */
class StreamAssemblerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Usage USAGE = new Usage(40, 0, 0, 12, 0, false);

    private static Optional<byte[]> assemble(String... chunks) throws Exception {
        StreamAssembler assembler = new StreamAssembler(new OpenAiWire(JSON));
        for (String chunk : chunks) {
            assembler.accept(chunk);
        }
        return assembler.completion("claude-haiku-4-5", USAGE);
    }

    private static String chunk(int choice, String delta, String finish) {
        return """
                {"id": "msg_01", "object": "chat.completion.chunk", "created": 1, "model": "claude-sonnet-4-5",
                 "choices": [{"index": %d, "delta": %s, "finish_reason": %s}]}""".formatted(choice, delta, finish);
    }

    private static String thinking(int block, String text, String signature) {
        return chunk(0, """
                {"role": "assistant", "thinking_blocks": [{"index": %d, "type": "thinking", "thinking": "%s"%s}]}"""
                .formatted(block, text, signature == null ? "" : ", \"signature\": \"" + signature + "\""), "null");
    }

    @Test
    void givenThinkingThenText_whenAssembled_thenTheAnswerHoldsTheSignedBlockAndTheText() throws Exception {
        JsonNode answer = JSON.readTree(assemble(thinking(0, "Plan.", null), thinking(0, "", "sig-A"),
                chunk(0, "{\"content\": \"Done.\"}", "null"), chunk(0, "{}", "\"stop\"")).orElseThrow());

        JsonNode message = answer.at("/choices/0/message");
        assertThat(message.path("thinking_blocks")).isEqualTo(JSON.readTree("""
                [{"type": "thinking", "thinking": "Plan.", "signature": "sig-A"}]"""));
        assertThat(message.path("content").asText()).isEqualTo("Done.");
        assertThat(message.has("block_order")).isFalse(); // plainly ordered
        assertThat(answer.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(answer.at("/usage/completion_tokens").asLong()).isEqualTo(12);
    }

    @Test
    void givenAReasoningBlockStartingBeforeTheOneItFollows_whenAssembled_thenItIsNotRebuilt() throws Exception {
        assertThat(assemble(thinking(1, "Second.", "sig-B"), thinking(0, "First.", "sig-A"),
                chunk(0, "{}", "\"stop\""))).isEmpty();
    }

    @Test
    void givenABlockSignedTwiceDifferently_whenAssembled_thenItIsNotRebuilt() throws Exception {
        assertThat(assemble(thinking(0, "Plan.", "sig-A"), thinking(0, "", "sig-Z"), chunk(0, "{}", "\"stop\"")))
                .isEmpty();
    }

    @Test
    void givenTwoChoicesWithReasoning_whenAssembled_thenTheyAreNotRebuilt() throws Exception {
        assertThat(assemble(thinking(0, "Plan.", "sig-A"), chunk(1, "{\"content\": \"Other.\"}", "\"stop\"")))
                .isEmpty();
    }

    @Test
    void givenAStreamWithoutReasoning_whenAssembled_thenItIsRebuiltAsBefore() throws Exception {
        JsonNode answer = JSON.readTree(assemble(chunk(0, "{\"content\": \"Hi\"}", "\"stop\"")).orElseThrow());

        assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("Hi");
        assertThat(answer.path("model").asText()).isEqualTo("claude-haiku-4-5");
    }
}
