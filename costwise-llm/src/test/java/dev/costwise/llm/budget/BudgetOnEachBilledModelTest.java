package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.resilience.FallbackChatModel;
import dev.costwise.llm.routing.ChatRouter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A budgeted router or fallback that may bill a cheap model (gpt-4o-mini) or a dear one (gpt-4o): every budget the
 * call may be charged to holds the worst case the call could charge it, whichever model ends up billed, and is charged
 * for the model that was. OpenAI's chat API (https://platform.openai.com/docs/api-reference/chat/create) is faked; it
 * answers with as many output tokens as {@code max_completion_tokens} allows, the worst case.
 */
class BudgetOnEachBilledModelTest {
    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private static final String MINI = "gpt-4o-mini";
    private static final String GPT4O = "gpt-4o";

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));

    private BudgetGuard guard(Budget... budgets) {
        Budgets.Builder b = Budgets.builder().clock(clock);
        for (Budget budget : budgets) {
            b.add(budget);
        }
        return BudgetGuard.builder(b.build(), CATALOG, JtokkitTokenEstimator.of(CATALOG)).build();
    }

    private static Budget onModel(String name, String model, String limit) {
        return Budget.builder(name).scope(BudgetScope.model(model)).limit(Money.of(limit)).build();
    }

    private static Budget global(String limit) {
        return Budget.builder("global").limit(Money.of(limit)).build();
    }

    private ChatModel adapter(String model) {
        return OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), model)
                .apiKey(ApiKey.of("sk-test")).pricer(CatalogPricer.of(CATALOG)).environment(Map.of()).build();
    }

    /** Bills mini while it answers; would bill gpt-4o if mini failed. */
    private ChatModel miniFallingBackToGpt4o() {
        return FallbackChatModel.builder("llm").primary(MINI, adapter(MINI)).fallback(GPT4O, adapter(GPT4O)).build();
    }

    private static ChatRequest question(int i) {
        return ChatRequest.builder(MINI).addMessage(Message.user("question " + i)).maxTokens(4000).build();
    }

    private WorkflowContext ctx() {
        return WorkflowContext.builder("t").clock(clock).build();
    }

    /** What the public single-model admission reserves for a call to {@code model}, on a guard of its own. */
    private Money worstCaseOn(String model, ChatRequest request) {
        BudgetGuard alone = guard(global("1000"));
        return ((BudgetGuard.Admission.Admitted) alone.admit(model, request, ctx())).reservation().amount();
    }

    @Test
    void givenABudgetOnTheCheapModelOnly_whenCallersRaceThroughAFallback_thenItsLimitHolds() throws Exception {
        // 4,000 output tokens at mini's $0.60 per million: about $0.0024 a call, so four fit in $0.01
        Budget miniBudget = onModel("mini-daily", MINI, "0.01");
        BudgetGuard guard = guard(miniBudget);

        Race race = race(BudgetedChatModel.of(miniFallingBackToGpt4o(), guard), 10);

        assertThat(race.spentOn(MINI)).isLessThanOrEqualTo(Money.of("0.01"))
                .isEqualTo(guard.budgets().status("mini-daily").spent());
        assertThat(race.answered()).isEqualTo(4);
        assertThat(race.refused()).isEqualTo(6);
        assertThat(guard.budgets().status("mini-daily").reserved()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenBudgetsOnBothModels_whenCallersRaceThroughAFallback_thenEachHoldsAndOnlyTheBilledOneIsCharged()
            throws Exception {
        BudgetGuard guard = guard(onModel("mini-daily", MINI, "0.01"), onModel("gpt-4o-daily", GPT4O, "1.00"));

        Race race = race(BudgetedChatModel.of(miniFallingBackToGpt4o(), guard), 10);

        assertThat(race.spentOn(MINI)).isLessThanOrEqualTo(Money.of("0.01"))
                .isEqualTo(guard.budgets().status("mini-daily").spent());
        assertThat(race.answered()).isEqualTo(4);
        assertThat(guard.budgets().status("gpt-4o-daily").spent()).as("gpt-4o billed nothing")
                .isEqualTo(Money.ZERO);
        assertThat(guard.budgets().status("gpt-4o-daily").reserved()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenAGlobalBudgetAndOneOnTheCheapModel_whenCallersRace_thenTheModelBudgetHoldsAndBothAreCharged()
            throws Exception {
        BudgetGuard guard = guard(global("1.00"), onModel("mini-daily", MINI, "0.01"));

        Race race = race(BudgetedChatModel.of(miniFallingBackToGpt4o(), guard), 10);

        assertThat(race.spentOn(MINI)).isLessThanOrEqualTo(Money.of("0.01"))
                .isEqualTo(guard.budgets().status("mini-daily").spent())
                .isEqualTo(guard.budgets().status("global").spent());
        assertThat(race.answered()).isEqualTo(4);
        // a refused call gave back what the global budget held for it
        assertThat(guard.budgets().status("global").reserved()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenModelsOfUnknownMaximumOutput_whenNoMaxTokens_thenItIsBoundedToWhatEachBudgetPaysOnItsModels() {
        ModelInfo dear = TestModels.model("open-dear", "openai", TestModels.PREMIUM.pricing(), 0, Optional.empty());
        ModelInfo cheap = TestModels.model("open-cheap", "openai", TestModels.MID.pricing(), 0, Optional.empty());
        Budgets budgets = Budgets.builder().clock(clock).add(global("0.01")).add(onModel("cheap", "open-cheap",
                "0.0003")).build();
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.catalog(List.of(dear, cheap)),
                TestModels.estimator(true)).build();
        List<String> seen = new ArrayList<>();
        ChatModel router = ChatRouter.builder("router").route("dear", TestModels.FakeProvider.of(dear, 100_000))
                .route("cheap", watched(TestModels.FakeProvider.of(cheap, 100_000), budgets, seen))
                .selector((request, c) -> "cheap").build();
        ChatRequest noMax = ChatRequest.builder("open-cheap").addMessage(Message.user("q".repeat(400))).build();

        ChatResponse response = BudgetedChatModel.of(router, guard).execute(noMax, ctx());

        // 100 prompt tokens: open-cheap's budget pays $0.0003 - $0.00006 = 400 output tokens at $0.60/M, the least
        // any budget pays for; the global budget then holds open-dear's $0.001 + 400 at $10/M
        assertThat(seen).containsExactly("max_tokens=400", "global=0.005", "cheap=0.0003");
        assertThat(response.usage().outputTokens()).isEqualTo(400);
        assertThat(budgets.status("global").spent()).isEqualTo(response.cost()).isEqualTo(Money.of("0.000255"));
        assertThat(budgets.status("cheap").spent()).isEqualTo(response.cost());
    }

    /** {@code inner}, noting the request's max_tokens and what each budget holds while it runs. */
    private static ChatModel watched(ChatModel inner, Budgets budgets, List<String> seen) {
        return new ChatModel() {
            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public String provider() {
                return inner.provider();
            }

            @Override
            public ChatResponse execute(ChatRequest request, WorkflowContext context) {
                seen.add("max_tokens=" + request.maxTokens().orElse(0));
                budgets.statuses().forEach(s -> seen.add(s.budget().name() + "=" + s.reserved()));
                return inner.execute(request, context);
            }

            @Override
            public ChatStream stream(ChatRequest request, WorkflowContext context) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void givenBudgetsOnEachModelAndAGlobalOne_whenACallIsInFlight_thenEachHoldsItsOwnWorstCase() throws Exception {
        BudgetGuard guard = guard(global("10"), onModel("mini-daily", MINI, "10"), onModel("gpt-4o-daily", GPT4O,
                "10"));
        ChatModel router = ChatRouter.builder("router").route("cheap", adapter(MINI)).route("premium", adapter(GPT4O))
                .selector((request, c) -> "cheap").build();
        ChatRequest request = question(1);
        Money miniWorst = worstCaseOn(MINI, request);
        Money gpt4oWorst = worstCaseOn(GPT4O, request);

        Money cost = inFlight(BudgetedChatModel.of(router, guard), request, () -> {
            // the global budget holds the dearest model's worst case, each model's budget its own
            assertThat(guard.budgets().status("global").reserved()).isEqualTo(gpt4oWorst);
            assertThat(guard.budgets().status("gpt-4o-daily").reserved()).isEqualTo(gpt4oWorst);
            assertThat(guard.budgets().status("mini-daily").reserved()).isEqualTo(miniWorst);
        });

        // billed at mini: the global and mini budgets are charged, gpt-4o's released
        assertThat(guard.budgets().status("global").spent()).isEqualTo(cost);
        assertThat(guard.budgets().status("mini-daily").spent()).isEqualTo(cost);
        assertThat(guard.budgets().status("gpt-4o-daily").spent()).isEqualTo(Money.ZERO);
        for (BudgetStatus s : guard.budgets().statuses()) {
            assertThat(s.reserved()).as(s.budget().name()).isEqualTo(Money.ZERO);
        }
    }

    @Test
    void givenABudgetOnTheCheapModelOnly_whenACallIsInFlight_thenItHoldsTheCheapModelsWorstCase() throws Exception {
        BudgetGuard guard = guard(onModel("mini-daily", MINI, "10"));
        ChatRequest request = question(1);
        Money miniWorst = worstCaseOn(MINI, request);

        Money cost = inFlight(BudgetedChatModel.of(miniFallingBackToGpt4o(), guard), request,
                () -> assertThat(guard.budgets().status("mini-daily").reserved()).isEqualTo(miniWorst));

        assertThat(guard.budgets().status("mini-daily").spent()).isEqualTo(cost).isGreaterThan(Money.ZERO);
    }

    /** Makes one call, which upstream answers once {@code whileInFlight} has looked at the budgets; @return its cost */
    private Money inFlight(ChatModel budgeted, ChatRequest request, Runnable whileInFlight) throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        server.setDispatcher(answeringAfter(arrived, answer));
        try (ExecutorService thread = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Money> call = thread.submit(() -> budgeted.execute(request, ctx()).cost());
            try {
                assertThat(arrived.await(30, TimeUnit.SECONDS)).isTrue();
                whileInFlight.run();
            } finally {
                answer.countDown();
            }
            return call.get();
        }
    }

    /**
     * Sends {@code callers} calls at once. Upstream holds every call it gets until each caller was either refused or
     * reached it, so every admitted call is in flight, its reservation held, while the others are decided.
     */
    private Race race(ChatModel model, int callers) throws Exception {
        CountDownLatch decided = new CountDownLatch(callers);
        server.setDispatcher(answeringAfter(decided, decided));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<CostRecord>>> calls = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                ChatRequest r = question(i);
                calls.add(threads.submit(() -> {
                    start.await();
                    WorkflowContext context = ctx();
                    try {
                        model.execute(r, context);
                        return CostRecords.of(context);
                    } catch (BudgetExceededException e) {
                        decided.countDown();
                        return null; // refused: the limit holding
                    }
                }));
            }
            start.countDown();
        }
        List<CostRecord> records = new ArrayList<>();
        int answered = 0;
        for (Future<List<CostRecord>> f : calls) {
            List<CostRecord> r = f.get();
            if (r != null) {
                answered++;
                records.addAll(r);
            }
        }
        return new Race(records, answered, callers - answered);
    }

    /** Counts each call down on {@code arrived}, and answers it with every token allowed once {@code go} is open. */
    private static Dispatcher answeringAfter(CountDownLatch arrived, CountDownLatch go) {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                arrived.countDown();
                if (!go.await(30, TimeUnit.SECONDS)) {
                    return new MockResponse.Builder().code(500).body("the test never let calls through").build();
                }
                return BudgetHeldAtBilledModelTest.answerWithEveryTokenAllowed(request);
            }
        };
    }

    /** What racing callers were billed for (their cost records), and how many were answered and refused. */
    private record Race(List<CostRecord> records, int answered, int refused) {
        Money spentOn(String model) {
            return records.stream().filter(r -> r.catalogModel().equals(model)).map(CostRecord::cost)
                    .reduce(Money.ZERO, Money::plus);
        }
    }
}
