package dev.costwise.llm.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chunks in the shape of https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent. */
class GeminiStreamDecoderTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void givenChunksWithThoughtsAndCachedTokens_whenDecoded_thenTextAndNormalisedUsageOnTheLastChunk()
            throws Exception {
        GeminiStreamDecoder decoder = new GeminiStreamDecoder("gemini-2.5-pro");
        List<ChatChunk> chunks = new ArrayList<>();
        chunks.addAll(decoder.decode(json.readTree("""
                {"candidates":[{"content":{"parts":[{"text":"thinking...","thought":true},{"text":"Hel"}],
                 "role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":1200,"totalTokenCount":1200},
                 "modelVersion":"gemini-2.5-pro","responseId":"r-1"}""")));
        assertThat(decoder.complete()).isFalse();
        chunks.addAll(decoder.decode(json.readTree("""
                {"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":1200,"cachedContentTokenCount":1000,"candidatesTokenCount":3,
                 "thoughtsTokenCount":50,"totalTokenCount":1253},"modelVersion":"gemini-2.5-pro","responseId":"r-1"}""")));

        assertThat(decoder.complete()).isTrue();
        chunks.add(decoder.finalChunk(ServiceTier.STANDARD));
        assertThat(chunks).extracting(ChatChunk::contentDelta).containsExactly("Hel", "lo", "");
        assertThat(chunks.getLast().finishReason()).contains(FinishReason.STOP);
        assertThat(chunks.getLast().usage()).contains(new Usage(1200, 1000, 0, 53, 50, false));
        assertThat(chunks.getLast().id()).isEqualTo("r-1");
    }

    @Test
    void givenFunctionCallChunk_whenDecoded_thenOneWholeToolCallDeltaAndToolCallsFinish() throws Exception {
        GeminiStreamDecoder decoder = new GeminiStreamDecoder("gemini-2.5-flash");
        List<ChatChunk> chunks = decoder.decode(json.readTree("""
                {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}}],
                 "role":"model"},"finishReason":"STOP"}],"responseId":"r-2",
                 "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5}}"""));

        assertThat(chunks).hasSize(1);
        chunks = List.of(chunks.getFirst(), decoder.finalChunk(ServiceTier.STANDARD));
        assertThat(chunks.getFirst().toolCallDeltas().getFirst().id()).contains("call_r-2_0");
        assertThat(chunks.getFirst().toolCallDeltas().getFirst().argumentsFragment()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(chunks.getLast().finishReason()).contains(FinishReason.TOOL_CALLS);
    }
}
