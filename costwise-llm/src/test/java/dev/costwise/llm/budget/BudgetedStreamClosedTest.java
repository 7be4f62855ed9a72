package dev.costwise.llm.budget;

import static dev.costwise.llm.resilience.OpenAiUpstream.adapter;
import static dev.costwise.llm.resilience.OpenAiUpstream.chunk;
import static dev.costwise.llm.resilience.OpenAiUpstream.eventStream;
import static dev.costwise.llm.resilience.OpenAiUpstream.sse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.cost.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A budgeted stream closed from another thread (a UI's stop button) while its reader waits for the next chunk, over
 * the real OpenAI adapter and a MockWebServer streaming OpenAI's server-sent chunks slowly.
 */
class BudgetedStreamClosedTest {

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();

    @StartStop
    final MockWebServer server = new MockWebServer();

    @Test
    void givenABudgetedStream_whenClosedFromAnotherThread_thenItsReaderSeesItEndAndTheBudgetIsChargedTheRecord()
            throws Exception {
        String first = sse(chunk("gpt-4o", "{\"content\":\"Once\"}", "null"));
        server.enqueue(eventStream(first.repeat(5) + sse("[DONE]")).newBuilder()
                .throttleBody(first.length(), 30, TimeUnit.SECONDS).build());
        Budgets budgets = Budgets.builder().clock(Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"),
                ZoneId.of("UTC"))).add(Budget.daily("daily", Money.ofDollars(1), ZoneId.of("UTC"))).build();
        BudgetGuard guard = BudgetGuard.builder(budgets, CATALOG, JtokkitTokenEstimator.of(CATALOG)).build();
        ChatModel budgeted = BudgetedChatModel.of(adapter(server, "gpt-4o").build(), guard);
        WorkflowContext ctx = WorkflowContext.of("ui");
        ChatStream stream = budgeted.stream(ChatRequest.builder("gpt-4o").addMessage(
                Message.user("tell me a story")).maxTokens(100).build(), ctx);
        CountDownLatch firstRead = new CountDownLatch(1);
        FutureTask<Boolean> reader = new FutureTask<>(() -> {
            stream.next();
            firstRead.countDown();
            return stream.hasNext(); // blocks: the next chunk comes in 30 s
        });
        Thread.ofVirtual().name("reader").start(reader);
        assertThat(firstRead.await(10, TimeUnit.SECONDS)).isTrue();

        stream.close(); // the stop button

        assertThat(reader.get(10, TimeUnit.SECONDS)).as("the reader's hasNext()").isFalse();
        assertThat(CostRecords.of(ctx)).singleElement().satisfies(r -> assertThat(r.outcome())
                .isEqualTo(Outcome.ABORTED));
        BudgetStatus daily = budgets.status("daily");
        assertThat(daily.spent()).isEqualTo(CostRecords.total(ctx));
        assertThat(daily.reserved()).isEqualTo(Money.ZERO);
    }
}
