package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CostRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One request fanning out calls that run at the same time on its one (thread-safe) context: each call is charged its
 * own cost records, not those its neighbours appended while it ran.
 */
class SharedContextBudgetTest {

    private static final int CALLS = 12;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final AtomicInteger overruns = new AtomicInteger();
    private final Budgets budgets = Budgets.builder().clock(clock)
            .add(Budget.builder("daily").limit(Money.of("10.00")).build()).build();
    private final BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true))
            .listener(new BudgetListener() {
                @Override
                public void onOverrun(Budget budget, Money reserved, Money actual) {
                    overruns.incrementAndGet();
                }
            }).build();
    private final WorkflowContext ctx = WorkflowContext.builder("fan-out").clock(clock).build();

    private static ChatRequest part(int n) {
        return ChatRequest.builder("premium-model").addMessage(Message.user("part " + n + " " + "q".repeat(40 * n)))
                .maxTokens(500).build();
    }

    @Test
    void givenCallsRunningAtOnceOnOneContext_whenEachEnds_thenTheBudgetIsChargedExactlyTheRecordsOfTheRequest()
            throws Exception {
        CountDownLatch allRecorded = new CountDownLatch(CALLS);
        ChatModel waitsForTheOthers = TestModels.endingAfterAllRecorded(
                TestModels.FakeProvider.of(TestModels.PREMIUM, 300), allRecorded);
        BudgetedChatModel model = BudgetedChatModel.of(waitsForTheOthers, guard);

        List<Future<ChatResponse>> answers = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CALLS; i++) {
                ChatRequest request = part(i);
                answers.add(threads.submit(() -> model.execute(request, ctx)));
            }
        }

        Money answered = Money.ZERO;
        for (Future<ChatResponse> f : answers) {
            answered = answered.plus(f.get().cost());
        }
        assertThat(CostRecords.of(ctx)).hasSize(CALLS);
        assertThat(CostRecords.total(ctx)).isEqualTo(answered);
        assertThat(budgets.status("daily").spent()).isEqualTo(answered);
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
        assertThat(overruns).hasValue(0);
    }

    @Test
    void givenStreamsOpenAtOnceOnOneContext_whenReadToTheEndOneAfterAnother_thenEachSettlesToItsOwnCost() {
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 300), guard);
        List<ChatStream> streams = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            streams.add(model.stream(part(i), ctx));
        }

        Money answered = Money.ZERO;
        for (ChatStream s : streams) {
            while (s.hasNext()) {
                s.next();
            }
            answered = answered.plus(s.response().cost());
        }

        assertThat(CostRecords.total(ctx)).isEqualTo(answered);
        assertThat(budgets.status("daily").spent()).isEqualTo(answered);
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
        assertThat(overruns).hasValue(0);
    }
}
