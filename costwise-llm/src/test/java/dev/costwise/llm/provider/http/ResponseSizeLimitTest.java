package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A provider answer larger than the transport's limit fails that call as a malformed response after at most the
 * limit was read, and the connection is not reused; so does a stream event larger than its limit. Answers are
 * Anthropic Messages (https://docs.claude.com/en/api/messages) and Gemini {@code generateContent}
 * (https://ai.google.dev/api/generate-content) bodies that run on, sent as they are generated.
 */
class ResponseSizeLimitTest {
    private static final int ONE_MB = 1024 * 1024;
    private static final String CLAUDE = "claude-sonnet-4-5";

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final HelidonHttpTransport transport = HelidonHttpTransport.builder().maxResponseSize(ONE_MB).build();

    private AnthropicChatModel claude(HttpTransport http) {
        return AnthropicChatModel.builder(CLAUDE).apiKey("sk-ant-test-key-123").baseUrl(server.url("/").uri())
                .pricer(TestPricers.FIXED).transport(http).build();
    }

    /** An Anthropic message padded to {@code padding} bytes more. */
    private static MockResponse claudeAnswer(long padding, boolean declared) {
        return LargeBodies.padded("application/json", "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":"
                + "\"assistant\",\"model\":\"" + CLAUDE + "\",\"content\":[{\"type\":\"text\",\"text\":\"big\"}],"
                + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1},\"padding\":[",
                padding, "}", declared);
    }

    private static MockResponse claudeAnswer() {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + CLAUDE + "\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"small\"}],\"stop_reason\":\"end_turn\","
                        + "\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}")
                .build();
    }

    @Test
    void givenAChunkedAnswerOverTheLimit_whenExecuted_thenMalformedAndTheNextCallGetsAFreshConnection()
            throws InterruptedException {
        server.enqueue(claudeAnswer(8L * ONE_MB, false));
        server.enqueue(claudeAnswer());
        AnthropicChatModel model = claude(transport);
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThatThrownBy(() -> model.execute(ChatRequest.of(CLAUDE, "Hi"), ctx))
                .isInstanceOf(ProviderException.MalformedResponse.class)
                .hasMessageContaining("the answer is larger than the 1 MB limit")
                .satisfies(e -> assertThat(((ProviderException) e).isTransient()).isTrue());
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.FAILED));

        assertThat(model.execute(ChatRequest.of(CLAUDE, "Hi"), WorkflowContext.of("t")).text()).isEqualTo("small");
        server.takeRequest();
        assertThat(server.takeRequest().getConnectionIndex()).as("the oversized answer's connection is closed")
                .isEqualTo(1);
    }

    @Test
    void givenADeclaredLengthOverTheLimit_whenExecuted_thenRefusedBeforeReading() {
        server.enqueue(LargeBodies.padded("application/json", "{\"candidates\":[{\"content\":{\"role\":\"model\","
                + "\"parts\":[{\"text\":\"big\"}]},\"finishReason\":\"STOP\"}],\"padding\":[", 64L * ONE_MB, "}",
                true));
        GeminiChatModel model = GeminiChatModel.builder("gemini-2.5-flash").apiKey("AIza-test-key-123")
                .baseUrl(server.url("/").uri()).pricer(TestPricers.FIXED).transport(transport).build();

        assertThatThrownBy(() -> model.execute(ChatRequest.of("gemini-2.5-flash", "Hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.MalformedResponse.class)
                .hasMessageContaining("gemini gemini-2.5-flash: malformed response: the answer is larger than the "
                        + "1 MB limit");
    }

    @Test
    void givenAStreamEventLongerThanTheLimit_whenStreamed_thenMalformedNotHeldWhole() {
        server.enqueue(LargeBodies.padded("text/event-stream", "event: message_start\ndata: {\"type\":"
                + "\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"content\":[],\"model\":\"" + CLAUDE + "\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}},"
                + "\"padding\":[", HttpBodies.DEFAULT_MAX_SIZE + 4L * ONE_MB, "}\n\n", false));

        try (ChatStream stream = claude(HelidonHttpTransport.ofDefaults()).stream(ChatRequest.of(CLAUDE, "Hi"),
                WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.MalformedResponse.class)
                    .hasMessageContaining("a line of the stream is larger than the 16 MB limit");
        }
    }

    @Test
    void givenAStreamEventOverTheTransportsConfiguredLimit_whenStreamed_thenMalformedAtThatLimit() {
        // 2 MB: under the default 16 MB, over this transport's 1 MB, which a stream event follows as an answer does
        server.enqueue(LargeBodies.padded("text/event-stream", "event: message_start\ndata: {\"type\":"
                + "\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"content\":[],\"model\":\"" + CLAUDE + "\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}},"
                + "\"padding\":[", 2L * ONE_MB, "}\n\n", false));

        try (ChatStream stream = claude(transport).stream(ChatRequest.of(CLAUDE, "Hi"), WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.MalformedResponse.class)
                    .hasMessageContaining("a line of the stream is larger than the 1 MB limit");
        }
    }

    @Test
    void givenLinesEndingEveryWay_whenReadBounded_thenSplitAsBufferedReaderWould() throws IOException {
        BoundedLineReader r = reader("a\nbb\r\nccc\rd\r\n\r\ne", 8);

        assertThat(new String[] {r.readLine(), r.readLine(), r.readLine(), r.readLine(), r.readLine(), r.readLine(),
                r.readLine()}).containsExactly("a", "bb", "ccc", "d", "", "e", null);
    }

    @Test
    void givenALineOverTheLimit_whenReadBounded_thenTooLarge() throws IOException {
        BoundedLineReader r = reader("12345678\n123456789\n", 8);

        assertThat(r.readLine()).isEqualTo("12345678");
        assertThatThrownBy(r::readLine).isInstanceOf(ResponseTooLargeException.class)
                .hasMessage("a line of the stream is larger than the 8 bytes limit");
    }

    @Test
    void givenAnEventWhoseDataLinesTogetherPassTheLimit_whenRead_thenTooLarge() {
        SseReader r = new SseReader(new ByteArrayInputStream("data:1234567890\ndata:1234567890\n\n".getBytes(
                StandardCharsets.UTF_8)), 16);

        assertThatThrownBy(r::next).isInstanceOf(ResponseTooLargeException.class)
                .hasMessageContaining("an event of the stream");
    }

    @Test
    void givenAMaxResponseSizeOutOfRange_whenBuilt_thenRefusedNamingIt() {
        assertThatThrownBy(() -> HelidonHttpTransport.builder().maxResponseSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxResponseSize");
    }

    private static BoundedLineReader reader(String text, int max) {
        return new BoundedLineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
    }
}
