package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetGuard;
import dev.costwise.llm.budget.BudgetStatus;
import dev.costwise.llm.budget.BudgetedChatModel;
import dev.costwise.llm.budget.Budgets;
import dev.costwise.llm.budget.TestModels;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A stream that fails or is closed before its end bills the usage the provider already reported: Anthropic's
 * {@code message_start} (https://docs.claude.com/en/docs/build-with-claude/streaming) carries the input and cache
 * tokens, Gemini's {@code streamGenerateContent?alt=sse} chunks carry {@code usageMetadata}; only the output produced
 * so far is counted locally. The cost record and the budget's settlement both say so.
 */
class StreamAbortUsageTest {

    /** premium-model, whose name the budget's catalog knows; one token per 4 characters, exactly. */
    private static final String MODEL = TestModels.PREMIUM.name();

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final Budgets budgets = Budgets.builder().add(Budget.builder("daily").limit(Money.of("10")).build())
            .build();
    private final WorkflowContext ctx = WorkflowContext.of("t");
    private final ChatRequest request = ChatRequest.builder(MODEL).addMessage(Message.user("Tell a story"))
            .maxTokens(1000).build();

    private ChatModel budgeted(ChatModel model) {
        return BudgetedChatModel.of(model, BudgetGuard.builder(budgets, TestModels.CATALOG,
                TestModels.estimator(true)).build());
    }

    private ChatModel anthropic() {
        return budgeted(AnthropicChatModel.builder(MODEL).apiKey("sk-ant-test-key-123").baseUrl(server.url("/").uri())
                .pricer(TestPricers.FIXED).tokenEstimator(TestModels.estimator(true)).build());
    }

    private ChatModel gemini() {
        return budgeted(GeminiChatModel.builder(MODEL).apiKey("gemini-test-key-123").baseUrl(server.url("/").uri())
                .pricer(TestPricers.FIXED).tokenEstimator(TestModels.estimator(true)).build());
    }

    /** Sends {@code head} at once and the rest a minute later (the test closes the stream long before). */
    private void enqueueStalling(String head, String rest) {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(head + rest).throttleBody(head.length(), 60, TimeUnit.SECONDS).build());
    }

    private static String anthropicEvent(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    /** message_start reporting 100 input tokens, 2,000 read from the cache and 50 written to it. */
    private static final String MESSAGE_START = anthropicEvent("message_start", """
            {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],\
            "model":"premium-model","stop_reason":null,"usage":{"input_tokens":100,\
            "cache_read_input_tokens":2000,"cache_creation_input_tokens":50,"output_tokens":1}}}""");

    private static final String TEXT_ONCE = anthropicEvent("content_block_start", """
            {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""")
            + anthropicEvent("content_block_delta", """
            {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Once upon a time"}}""");

    private CostRecord onlyRecord() {
        assertThat(ctx.attributeValues("record", CostRecord.class)).hasSize(1);
        return ctx.attributeValues("record", CostRecord.class).getFirst();
    }

    /** The budget settled to the record's cost, nothing left reserved (the test pricer leaves cache writes free). */
    private void assertSettledTo(CostRecord record) {
        BudgetStatus daily = budgets.status("daily");
        assertThat(daily.reserved()).isEqualTo(Money.ZERO);
        assertThat(daily.spent()).isEqualTo(record.cost());
    }

    @Test
    void givenAnthropicStreamClosedAfterTheFirstText_whenClosed_thenBillsTheReportedInputAndEstimatesOnlyOutput() {
        enqueueStalling(MESSAGE_START + anthropicEvent("ping", "{\"type\": \"ping\"}") + TEXT_ONCE,
                anthropicEvent("message_stop", "{\"type\":\"message_stop\"}"));

        ChatStream s = anthropic().stream(request, ctx);
        assertThat(s.next().contentDelta()).isEqualTo("Once upon a time");
        s.close();

        CostRecord r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(r.usage()).as("input as message_start reported it, output counted locally")
                .isEqualTo(new Usage(2150, 2000, 50, 4, 0, true));
        assertThat(r.cost()).isEqualTo(TestPricers.cost(100, 2000, 4));
        assertSettledTo(r);
    }

    @Test
    void givenAnthropicErrorEventRightAfterMessageStart_whenRead_thenFailureBillsTheReportedInputNotAnEstimate() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(MESSAGE_START + anthropicEvent("error", """
                        {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")).build());

        try (ChatStream s = anthropic().stream(request, ctx)) {
            assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.class).hasMessageContaining("Overloaded");
        }

        CostRecord r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.usage()).as("all reported, nothing estimated").isEqualTo(new Usage(2150, 2000, 50, 1, 0, false));
        assertThat(r.cost()).isEqualTo(TestPricers.cost(100, 2000, 1));
        assertSettledTo(r);
    }

    @Test
    void givenAnthropicErrorEventMidText_whenRead_thenFailureBillsTheReportedInputAndTheTextSoFar() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(MESSAGE_START + TEXT_ONCE + anthropicEvent("error", """
                        {"type":"error","error":{"type":"api_error","message":"Internal server error"}}""")).build());

        try (ChatStream s = anthropic().stream(request, ctx)) {
            assertThat(s.next().contentDelta()).isEqualTo("Once upon a time");
            assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.class);
        }

        CostRecord r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.usage()).isEqualTo(new Usage(2150, 2000, 50, 4, 0, true));
        assertSettledTo(r);
    }

    @Test
    void givenGeminiStreamClosedAfterAChunkWithUsage_whenClosed_thenBillsTheLatestReportedUsage() {
        String chunk = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"%s\"}],\"role\":\"model\"},"
                + "\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":%d,\"candidatesTokenCount\":%d},"
                + "\"modelVersion\":\"premium-model\",\"responseId\":\"r1\"}\n\n";
        enqueueStalling(chunk.formatted("Once", 300, 1) + chunk.formatted(" upon a time", 300, 6),
                chunk.formatted(" there", 300, 7));

        ChatStream s = gemini().stream(request, ctx);
        s.next();
        s.next();
        s.close();

        CostRecord r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(r.usage()).as("the second chunk's usageMetadata; its output exceeds the local count of 4")
                .isEqualTo(new Usage(300, 0, 0, 6, 0, false));
        assertThat(r.cost()).isEqualTo(TestPricers.cost(300, 0, 6));
        assertThat(s.usageSoFar()).as("what a caller with its own ledger bills").contains(r.usage());
        assertSettledTo(r);
    }

    @Test
    void givenGeminiErrorAfterAChunkWithUsage_whenRead_thenTheStreamGivesTheReportedUsageToBill() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body("""
                data: {"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],\
                "usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":1},"modelVersion":"premium-model"}

                data: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}

                """).build());

        ChatStream s = gemini().stream(request, ctx);
        assertThat(s.next().contentDelta()).isEqualTo("Hel");
        assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.Overloaded.class);

        Usage reported = new Usage(1000, 0, 0, 1, 0, false);
        assertThat(s.usageSoFar()).as("Gemini's usageMetadata, not an estimate of the prompt").contains(reported);
        CostRecord r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.usage()).isEqualTo(reported);
        assertSettledTo(r);
    }
}
