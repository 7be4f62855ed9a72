package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The idle limit of a stream ({@link StreamTimeouts#idle()}): the longest wait for the next bytes, so an answer that
 * keeps coming is read to its end however long it takes, and a stall fails as a timeout. Streams are in Anthropic's
 * documented SSE events (https://docs.claude.com/en/docs/build-with-claude/streaming) and Gemini's
 * {@code streamGenerateContent?alt=sse} chunks (https://ai.google.dev/api/generate-content).
 */
class GuardedStreamIdleTest {
    private static final String CLAUDE = "claude-sonnet-4-5";
    private static final String GEMINI = "gemini-2.5-flash";
    private static final int WORDS = 25;

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private AnthropicChatModel claude(StreamTimeouts limits) {
        return AnthropicChatModel.builder(CLAUDE).apiKey("sk-ant-test-key-123").baseUrl(server.url("/").uri())
                .pricer(TestPricers.FIXED).streamTimeouts(limits).build();
    }

    private GeminiChatModel gemini(StreamTimeouts limits) {
        return GeminiChatModel.builder(GEMINI).apiKey("AIza-test-key-123").baseUrl(server.url("/").uri())
                .pricer(TestPricers.FIXED).streamTimeouts(limits).build();
    }

    private static String anthropicStream() {
        StringBuilder sse = new StringBuilder(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":"
                + "\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"" + CLAUDE
                + "\",\"stop_reason\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}"))
                .append(event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
        for (int i = 0; i < WORDS; i++) {
            sse.append(event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"w" + i + " \"}}"));
        }
        return sse.append(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"))
                .append(event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                        + "\"usage\":{\"output_tokens\":20}}"))
                .append(event("message_stop", "{\"type\":\"message_stop\"}")).toString();
    }

    private static String geminiStream() {
        StringBuilder sse = new StringBuilder();
        for (int i = 0; i < WORDS; i++) {
            String finish = i == WORDS - 1 ? ", \"finishReason\": \"STOP\"" : "";
            sse.append("data: {\"candidates\": [{\"content\": {\"role\": \"model\", \"parts\": [{\"text\": \"w")
                    .append(i).append(" \"}]}").append(finish).append(", \"index\": 0}], \"usageMetadata\": ")
                    .append("{\"promptTokenCount\": 9, \"candidatesTokenCount\": 2, \"totalTokenCount\": 11}, ")
                    .append("\"modelVersion\": \"").append(GEMINI).append("\"}\n\n");
        }
        return sse.toString();
    }

    private static String event(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }

    /** Sends the body in {@link #WORDS} pieces 100 ms apart: 2.5 s in all. */
    private void enqueueTrickling(String body) {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body)
                .throttleBody(body.length() / WORDS + 1, 100, TimeUnit.MILLISECONDS).build());
    }

    /** Sends the body through its first word at once, the rest 4 s later. */
    private void enqueueStallingAfterFirstWord(String body) {
        int opening = body.indexOf("\n\n", body.indexOf("w0 ")) + 2;
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body)
                .throttleBody(opening, 4, TimeUnit.SECONDS).build());
    }

    private static String readAll(ChatModel model, WorkflowContext context) {
        StringBuilder text = new StringBuilder();
        try (ChatStream s = model.stream(ChatRequest.of(model.name(), "Hi"), context)) {
            s.forEachRemaining(c -> text.append(c.contentDelta()));
        }
        return text.toString();
    }

    private static String words() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < WORDS; i++) {
            text.append('w').append(i).append(' ');
        }
        return text.toString();
    }

    @Test
    void givenAnAnthropicStreamLongerThanTheIdleLimitWhoseChunksKeepComing_whenRead_thenItIsReadWhole() {
        enqueueTrickling(anthropicStream());

        assertThat(readAll(claude(StreamTimeouts.idleOnly(Duration.ofSeconds(1))), WorkflowContext.of("t")))
                .isEqualTo(words());
    }

    @Test
    void givenAGeminiStreamLongerThanTheIdleLimitWhoseChunksKeepComing_whenRead_thenItIsReadWhole() {
        enqueueTrickling(geminiStream());

        assertThat(readAll(gemini(StreamTimeouts.idleOnly(Duration.ofSeconds(1))), WorkflowContext.of("t")))
                .isEqualTo(words());
    }

    @Test
    void givenAnAnthropicStreamThatStalls_whenReadWithAnIdleLimit_thenATimeoutIsRecordedAsAFailure() {
        enqueueStallingAfterFirstWord(anthropicStream());
        WorkflowContext ctx = WorkflowContext.of("t");

        ProviderException.ProviderTimeout e = catchThrowableOfType(ProviderException.ProviderTimeout.class,
                () -> readAll(claude(StreamTimeouts.idleOnly(Duration.ofSeconds(1))), ctx));

        assertThat(e).isNotNull().hasMessageContaining("read timed out after 1000 ms");
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.FAILED));
    }

    @Test
    void givenAnIdleLimitInstalledOnTheContext_whenAGeminiStreamStalls_thenItNarrowsTheAdaptersLimits() {
        enqueueStallingAfterFirstWord(geminiStream());
        WorkflowContext ctx = WorkflowContext.builder("t").timeout(Duration.ofSeconds(30)).build();
        StreamTimeouts.install(ctx, StreamTimeouts.idleOnly(Duration.ofSeconds(1)));

        assertThatThrownBy(() -> readAll(gemini(StreamTimeouts.idleOnly(Duration.ofSeconds(20))), ctx))
                .isInstanceOf(ProviderException.ProviderTimeout.class)
                .hasMessageContaining("read timed out after 1000 ms");
    }

    @Test
    void givenTwoSetsOfLimits_whenNarrowed_thenEachLimitIsTheShorterOneOrTheOneSet() {
        StreamTimeouts adapter = new StreamTimeouts(Optional.of(Duration.ofSeconds(10)), Optional.empty(),
                Optional.of(Duration.ofSeconds(60)));

        StreamTimeouts narrowed = adapter.narrowTo(new StreamTimeouts(Optional.empty(),
                Optional.of(Duration.ofMinutes(5)), Optional.of(Duration.ofSeconds(30))));

        assertThat(narrowed).isEqualTo(new StreamTimeouts(Optional.of(Duration.ofSeconds(10)),
                Optional.of(Duration.ofMinutes(5)), Optional.of(Duration.ofSeconds(30))));
        assertThat(narrowed.narrowTotal(Duration.ofSeconds(8)).total()).contains(Duration.ofSeconds(8));
        assertThat(narrowed.narrowTotal(Duration.ofSeconds(8)).idle()).contains(Duration.ofSeconds(30));
    }
}
