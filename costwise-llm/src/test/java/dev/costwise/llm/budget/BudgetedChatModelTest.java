package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.spi.BudgetStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BudgetedChatModelTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));

    private Budgets budgets(Budget... list) {
        Budgets.Builder b = Budgets.builder().clock(clock);
        for (Budget budget : list) {
            b.add(budget);
        }
        return b.build();
    }

    private WorkflowContext ctx() {
        return WorkflowContext.builder("test").clock(clock).tag("team", "support").build();
    }

    private static ChatRequest request(String model, int maxTokens) {
        return ChatRequest.builder(model).addMessage(Message.user("q".repeat(400))).maxTokens(maxTokens).build();
    }

    @Test
    void givenAnExhaustedRejectingBudget_whenCalled_thenThrowsTypedErrorNamingScopeLimitSpentAndReset() {
        Budget daily = Budget.builder("support-daily").scope(BudgetScope.team("support"))
                .window(BudgetWindow.daily(ZoneId.of("Europe/Paris"))).limit(Money.of("0.01")).build();
        Budgets budgets = budgets(daily);
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true)).build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 500), guard);
        model.execute(request("premium-model", 500), ctx()); // 100 in + 500 out: reserves $0.006, costs $0.00525
        WorkflowContext ctx = ctx();

        assertThatThrownBy(() -> model.execute(request("premium-model", 500), ctx))
                .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
                    assertThat(e.budget()).isEqualTo("support-daily");
                    assertThat(e.scope()).isEqualTo(BudgetScope.team("support"));
                    assertThat(e.limit()).isEqualTo(Money.of("0.01"));
                    assertThat(e.spent()).isEqualTo(Money.of("0.00525"));
                    assertThat(e.resetsAt()).isEqualTo(Instant.parse("2026-11-27T23:00:00Z"));
                })
                .hasMessageContaining("support-daily").hasMessageContaining("team=support")
                .hasMessageContaining("$0.01").hasMessageContaining("$0.00525");
        assertThat(ctx.metadata()).containsEntry(BudgetedChatModel.BUDGET_EXCEEDED, true);
        assertThat(ctx.records(BudgetedChatModel.BUDGET_EXCEEDED)).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("action", "reject"));
    }

    @Test
    void givenABudgetWithRoomLeft_whenACallsWorstCaseDoesNotFit_thenTheRefusalSaysSoAndHowToAskForLess() {
        Budget daily = Budget.builder("daily").limit(Money.of("0.01")).build();
        BudgetGuard guard = BudgetGuard.builder(budgets(daily), TestModels.CATALOG, TestModels.estimator(true))
                .build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 500), guard);
        // no maxTokens: the worst case has the model's 4,096 output tokens, $0.04096 of its $0.04196
        ChatRequest unbounded = ChatRequest.builder("premium-model").addMessage(Message.user("q".repeat(400))).build();

        assertThatThrownBy(() -> model.execute(unbounded, ctx())).isInstanceOf(BudgetExceededException.class)
                .hasMessage("budget 'daily' (global) cannot hold this call: its worst case of $0.04196 is more than"
                        + " the whole limit of $0.01, so no reset makes room; set maxTokens (max_tokens) on the"
                        + " request to ask for less");

        model.execute(request("premium-model", 500), ctx()); // reserves $0.006, costs $0.00525
        assertThatThrownBy(() -> model.execute(request("premium-model", 500), ctx()))
                .isInstanceOf(BudgetExceededException.class)
                .hasMessage("budget 'daily' (global) has $0.00475 of $0.01 left ($0.00525 spent or held by calls in"
                        + " flight), less than this call's worst case of $0.006; lower maxTokens (max_tokens), or"
                        + " retry after it resets at 2026-11-28T00:00:00Z");
    }

    @Test
    void givenABudgetWithAZeroLimit_whenAPaidCallIsRefused_thenTheRefusalSaysNoPaidCallFitsRatherThanAskForLess() {
        Budget none = Budget.builder("none").limit(Money.ZERO).build();
        BudgetGuard guard = BudgetGuard.builder(budgets(none), TestModels.CATALOG, TestModels.estimator(true))
                .build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 500), guard);

        assertThatThrownBy(() -> model.execute(request("premium-model", 500), ctx()))
                .isInstanceOf(BudgetExceededException.class)
                .hasMessage("budget 'none' (global) allows no paid calls: its limit is $0, so a call whose worst case"
                        + " is $0.006 is refused whatever its maxTokens; send it to a free model or raise the limit");
    }

    @Test
    void givenRoomFreedBetweenARefusalAndItsReport_whenDescribed_thenTheMessageSaysItWasFullAndARetryMayFit() {
        // what the guard reports when calls in flight ended after its reservation failed: the room read is enough
        BudgetExceededException e = new BudgetExceededException("daily", BudgetScope.global(), Money.of("0.01"),
                Money.of("0.002"), Money.of("0.006"), Instant.parse("2026-11-28T00:00:00Z"));

        assertThat(e).hasMessage("budget 'daily' (global) was full when this call was refused (its worst case of"
                + " $0.006 did not fit), and has $0.008 of $0.01 left now as calls in flight ended; retrying may"
                + " succeed");
    }

    @Test
    void givenAnExhaustedDowngradingBudget_whenCalled_thenTheFreeModelAnswersAndTheContextSaysWhy() {
        Budget daily = Budget.builder("daily").limit(Money.of("0.001")).onExhausted(Budget.Action.DOWNGRADE).build();
        BudgetGuard guard = BudgetGuard.builder(budgets(daily), TestModels.CATALOG, TestModels.estimator(true))
                .build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 500), guard,
                TestModels.FakeProvider.of(TestModels.FREE, 500));
        WorkflowContext ctx = ctx();

        ChatResponse response = model.execute(request("premium-model", 500), ctx);

        assertThat(response.model()).isEqualTo("free-model");
        assertThat(response.cost()).isEqualTo(Money.ZERO);
        assertThat(ctx.metadata()).containsEntry(BudgetedChatModel.BUDGET_EXCEEDED, true);
        assertThat(ctx.records(BudgetedChatModel.BUDGET_EXCEEDED)).singleElement()
                .satisfies(r -> assertThat(r.attributes()).containsEntry("action", "downgrade")
                        .containsEntry("model", "free-model").containsEntry("budget", "daily"));
    }

    @Test
    void givenAZeroDollarBudget_whenAFreeModelIsCalled_thenItStillAnswers() {
        Budget nothing = Budget.builder("nothing").limit(Money.ZERO).build();
        BudgetGuard guard = BudgetGuard.builder(budgets(nothing), TestModels.CATALOG, TestModels.estimator(true))
                .build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.FREE, 100), guard);

        ChatResponse response = model.execute(request("free-model", 100), ctx());

        assertThat(response.model()).isEqualTo("free-model");
        assertThatThrownBy(() -> BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 100), guard)
                .execute(request("premium-model", 100), ctx())).isInstanceOf(BudgetExceededException.class);
    }

    @Test
    void givenNoBudgets_whenCalled_thenNothingBlocksAndMaxTokensIsLeftAlone() {
        BudgetGuard guard = BudgetGuard.builder(Budgets.none(), TestModels.CATALOG, TestModels.estimator(true)).build();
        List<ChatRequest> seen = new ArrayList<>();
        TestModels.FakeProvider provider = TestModels.FakeProvider.of(TestModels.PREMIUM, 100);
        BudgetedChatModel model = BudgetedChatModel.of(new RecordingModel(provider, seen), guard);
        ChatRequest noMax = ChatRequest.of("premium-model", "hello");

        for (int i = 0; i < 1000; i++) {
            model.execute(noMax, ctx());
        }

        assertThat(seen).hasSize(1000).allSatisfy(r -> assertThat(r.maxTokens()).isEmpty());
        TestModels.FakeProvider uncatalogued = new TestModels.FakeProvider(
                TestModels.model("local-experiment", "ollama", Optional.empty(), 1000, Optional.empty()),
                in -> in, x -> 10);
        assertThat(BudgetedChatModel.of(uncatalogued, guard).execute(ChatRequest.of("local-experiment", "hi"), ctx())
                .model()).isEqualTo("local-experiment");
    }

    @Test
    void givenABudgetForAnotherTeam_whenCalled_thenItDoesNotApply() {
        Budget other = Budget.builder("sales").scope(BudgetScope.team("sales")).limit(Money.ZERO).build();
        BudgetGuard guard = BudgetGuard.builder(budgets(other), TestModels.CATALOG, TestModels.estimator(true)).build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 100), guard);

        assertThat(model.execute(request("premium-model", 100), ctx()).cost()).isEqualTo(Money.of("0.00125"));
    }

    @Test
    void givenTwoBudgets_whenOnlyOneHasRoom_thenNeitherIsCharged() {
        Budget roomy = Budget.builder("roomy").limit(Money.of("10")).build();
        Budget tight = Budget.builder("model-cap").scope(BudgetScope.model("premium-model")).limit(Money.of("0.001"))
                .build();
        Budgets budgets = budgets(roomy, tight);
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true)).build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 100), guard);

        assertThatThrownBy(() -> model.execute(request("premium-model", 100), ctx()))
                .isInstanceOfSatisfying(BudgetExceededException.class,
                        e -> assertThat(e.budget()).isEqualTo("model-cap"));
        assertThat(budgets.status("roomy").reserved()).isEqualTo(Money.ZERO);
        assertThat(budgets.status("roomy").spent()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenNoMaxTokens_whenTheModelsMaximumOutputDoesNotFit_thenRefusedWhileBoundedCallsKeepTheRoom() {
        Budget daily = Budget.builder("daily").limit(Money.of("0.03")).build();
        BudgetGuard guard = BudgetGuard.builder(budgets(daily), TestModels.CATALOG, TestModels.estimator(true)).build();
        ChatRequest noMax = ChatRequest.builder("premium-model").addMessage(Message.user("q".repeat(400))).build();

        BudgetGuard.Admission unbounded = guard.admit("premium-model", noMax, ctx());
        BudgetGuard.Admission bounded = guard.admit("premium-model", request("premium-model", 500), ctx());

        // 100 prompt tokens and the model's 4,096 output tokens at $10/M: $0.04196, more than the whole $0.03
        assertThat(unbounded).isInstanceOfSatisfying(BudgetGuard.Admission.Refused.class,
                r -> assertThat(r.failures().getFirst().needed()).isEqualTo(Money.of("0.04196")));
        assertThat(bounded).isInstanceOfSatisfying(BudgetGuard.Admission.Admitted.class,
                a -> assertThat(a.reservation().amount()).isEqualTo(Money.of("0.006")));
    }

    @Test
    void givenNoMaxTokensAndRoom_whenAdmitted_thenTheModelsMaximumOutputIsHeldAndTheRequestLeftAlone() {
        Budget daily = Budget.builder("daily").limit(Money.of("1")).build();
        ModelInfo thinking = TestModels.model("thinking-model", "anthropic", Optional.of(Pricing.of("1.00", "5.00")),
                4096, Optional.empty());
        BudgetGuard guard = BudgetGuard.builder(budgets(daily), TestModels.catalog(List.of(TestModels.PREMIUM,
                thinking)), TestModels.estimator(true)).build();
        ChatRequest noMax = ChatRequest.builder("premium-model").addMessage(Message.user("q".repeat(400))).build();
        ChatRequest thinks = ChatRequest.builder("thinking-model").addMessage(Message.user("q".repeat(400)))
                .reasoning(Reasoning.budget(8192)).build();

        assertThat(guard.admit("premium-model", noMax, ctx())).isInstanceOfSatisfying(
                BudgetGuard.Admission.Admitted.class, a -> {
                    assertThat(a.reservation().amount()).isEqualTo(Money.of("0.04196"));
                    assertThat(a.request()).isEqualTo(noMax);
                });
        // Anthropic's adapter sends the thinking budget on top of the output: 100 + (4,096 + 8,192) tokens at $5/M
        assertThat(guard.admit("thinking-model", thinks, ctx())).isInstanceOfSatisfying(
                BudgetGuard.Admission.Admitted.class,
                a -> assertThat(a.reservation().amount()).isEqualTo(Money.of("0.06194")));
    }

    @Test
    void givenNoMaxTokensAndAModelOfUnknownMaximumOutput_whenNearlySpent_thenMaxTokensIsSetToWhatTheRestPays() {
        Budget daily = Budget.builder("daily").limit(Money.of("0.01")).build();
        ModelInfo unknownMax = TestModels.model("open-model", "openai", TestModels.PREMIUM.pricing(), 0,
                Optional.empty());
        BudgetGuard guard = BudgetGuard.builder(budgets(daily), TestModels.catalog(List.of(unknownMax)),
                TestModels.estimator(true)).build();
        List<ChatRequest> seen = new ArrayList<>();
        BudgetedChatModel model = BudgetedChatModel.of(
                new RecordingModel(TestModels.FakeProvider.of(unknownMax, 100_000), seen), guard);
        ChatRequest noMax = ChatRequest.builder("open-model").addMessage(Message.user("q".repeat(400))).build();

        ChatResponse response = model.execute(noMax, ctx());

        // $0.01 minus 100 prompt tokens priced at $10/M ($0.001) leaves $0.009: 900 output tokens.
        assertThat(seen.getFirst().maxTokens()).contains(900);
        assertThat(response.usage().outputTokens()).isEqualTo(900);
    }

    @Test
    void givenAProviderFailure_whenCalled_thenTheReservationIsReleased() {
        Budget daily = Budget.builder("daily").limit(Money.of("1")).build();
        Budgets budgets = budgets(daily);
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true)).build();
        TestModels.FakeProvider fake = TestModels.FakeProvider.of(TestModels.PREMIUM, 100);
        BudgetedChatModel model = BudgetedChatModel.of(new FailingModel(fake), guard);

        assertThatThrownBy(() -> model.execute(request("premium-model", 100), ctx()))
                .isInstanceOf(ProviderException.Overloaded.class);
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
        assertThat(budgets.status("daily").spent()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenAStreamClosedEarly_whenClosed_thenSettledToWhatWasGenerated() {
        Budget daily = Budget.builder("daily").limit(Money.of("1")).build();
        Budgets budgets = budgets(daily);
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true)).build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 500), guard);

        try (ChatStream stream = model.stream(request("premium-model", 500), ctx())) {
            stream.next();
            assertThat(budgets.status("daily").reserved()).isEqualTo(Money.of("0.006"));
        }

        // 100 prompt tokens at $2.50/M and the 1 token streamed at $10/M.
        assertThat(budgets.status("daily").spent()).isEqualTo(Money.of("0.00026"));
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenAStreamReadToTheEnd_whenItEnds_thenSettledToTheResponseCost() {
        Budget daily = Budget.builder("daily").limit(Money.of("1")).build();
        Budgets budgets = budgets(daily);
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true)).build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 500), guard);

        try (ChatStream stream = model.stream(request("premium-model", 500), ctx())) {
            stream.forEachRemaining(chunk -> { });
        }

        assertThat(budgets.status("daily").spent()).isEqualTo(Money.of("0.00525"));
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenAProviderBillingMoreThanReserved_whenSettled_thenOverrunIsCountedAndRecorded() {
        Budget daily = Budget.builder("daily").limit(Money.of("1")).build();
        Budgets budgets = budgets(daily);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<Money> overruns = new ArrayList<>();
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true))
                .meterRegistry(meters)
                .listener(new BudgetListener() {
                    @Override
                    public void onOverrun(Budget budget, Money reserved, Money actual) {
                        overruns.add(actual.minus(reserved));
                    }
                }).build();
        // Reports ten times the prompt the estimator counted.
        TestModels.FakeProvider greedy = new TestModels.FakeProvider(TestModels.PREMIUM, in -> in * 10, x -> 500);
        BudgetedChatModel model = BudgetedChatModel.of(greedy, guard);

        model.execute(request("premium-model", 500), ctx());

        // Reserved $0.006 (100 × $10/M + 500 × $10/M); billed 1,000 × $2.50/M + 500 × $10/M = $0.0075.
        assertThat(budgets.status("daily").spent()).isEqualTo(Money.of("0.0075"));
        assertThat(meters.counter("costwise.budget.overrun", "budget", "daily").count()).isEqualTo(1.0);
        assertThat(overruns).containsExactly(Money.of("0.0015"));
    }

    @Test
    void givenSoftThresholds_whenSpendCrossesThem_thenEachFiresOncePerWindow() {
        Budget daily = Budget.builder("daily").limit(Money.of("0.02")).build(); // 70% and 90%
        Budgets budgets = budgets(daily);
        List<Double> fired = new ArrayList<>();
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true))
                .listener(new BudgetListener() {
                    @Override
                    public void onThresholdCrossed(BudgetStatus status, double threshold) {
                        fired.add(threshold);
                    }
                }).build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 100), guard);

        for (int i = 0; i < 14; i++) { // $0.00125 each: 70% after 12 calls
            model.execute(request("premium-model", 100), ctx());
        }
        assertThat(fired).containsExactly(0.7);
        model.execute(request("premium-model", 100), ctx()); // $0.01875 spent: 93.75%
        assertThat(fired).containsExactly(0.7, 0.9);
        clock.advance(java.time.Duration.ofDays(1));
        for (int i = 0; i < 12; i++) {
            model.execute(request("premium-model", 100), ctx());
        }
        assertThat(fired).containsExactly(0.7, 0.9, 0.7);
    }

    @Test
    void givenAListener_whenCallsSettle_thenEachChargedBudgetsStatusIsHeardAfterEveryCallAndOnlyThen() {
        CountingStore store = new CountingStore(new InMemoryBudgetStore());
        Budgets budgets = Budgets.builder().clock(clock).store(store)
                .add(Budget.builder("daily").limit(Money.of("1")).softThresholds(List.of()).build())
                .add(Budget.builder("premium").scope(BudgetScope.model("premium-model")).limit(Money.of("0.01"))
                        .softThresholds(List.of()).build()).build();
        List<String> heard = new ArrayList<>();
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true))
                .listener(new BudgetListener() {
                    @Override
                    public void onSettled(BudgetStatus status) {
                        heard.add(status.budget().name() + " " + status.spent().format() + " "
                                + status.reserved().format());
                    }
                }).build();
        ChatModel quiet = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 100),
                BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true)).build());

        quiet.execute(request("premium-model", 100), ctx()); // no listener, no soft thresholds: no state read
        assertThat(store.stateReads).isZero();
        BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 100), guard)
                .execute(request("premium-model", 100), ctx());
        BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.FREE, 100), guard)
                .execute(request("free-model", 100), ctx()); // free: nothing reserved, nothing settled

        assertThat(heard).containsExactly("daily $0.0025 $0.00", "premium $0.0025 $0.00"); // after both calls
        assertThat(store.stateReads).isEqualTo(2);
    }

    /** The in-memory store, counting the state reads made of it. */
    private static final class CountingStore implements BudgetStore {
        private final BudgetStore inner;
        int stateReads;

        CountingStore(BudgetStore inner) {
            this.inner = inner;
        }

        @Override
        public Optional<Grant> reserve(List<Claim> claims, Money minimum, Money maximum) {
            return inner.reserve(claims, minimum, maximum);
        }

        @Override
        public void settle(Grant grant, Money actual) {
            inner.settle(grant, actual);
        }

        @Override
        public Grant release(Grant grant, Money amount) {
            return inner.release(grant, amount);
        }

        @Override
        public BucketState state(Bucket bucket) {
            stateReads++;
            return inner.state(bucket);
        }

        @Override
        public void restore(Bucket bucket, Money spent) {
            inner.restore(bucket, spent);
        }
    }

    @Test
    void givenAnInexactEstimate_whenReserving_thenTheSafetyMarginIsAddedAndThePromptPricedAtTheOutputRate() {
        Budgets budgets = budgets(Budget.builder("daily").limit(Money.of("1")).build());
        BudgetGuard lenient = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(false)).build();
        BudgetGuard strict = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(false))
                .safetyMargin(new java.math.BigDecimal("0.25")).build();

        BudgetGuard.Admission a = lenient.admit("premium-model", request("premium-model", 500), ctx());
        BudgetGuard.Admission b = strict.admit("premium-model", request("premium-model", 500), ctx());

        // 100 estimated prompt tokens: +10% = 110 (+25% = 125) at $10/M, plus 500 output tokens at $10/M.
        assertThat(a).isInstanceOfSatisfying(BudgetGuard.Admission.Admitted.class,
                r -> assertThat(r.reservation().amount()).isEqualTo(Money.of("0.0061")));
        assertThat(b).isInstanceOfSatisfying(BudgetGuard.Admission.Admitted.class,
                r -> assertThat(r.reservation().amount()).isEqualTo(Money.of("0.00625")));
        assertThat(budgets.status("daily").reserved()).isEqualTo(Money.of("0.01235"));
        assertThatThrownBy(() -> BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true))
                .safetyMargin(new java.math.BigDecimal("-0.1"))).hasMessageContaining("safetyMargin")
                .hasMessageContaining("-0.1");
    }

    @Test
    void givenAPromptAboveTheLongContextThreshold_whenReserving_thenTheLongContextPricesApply() {
        dev.costwise.llm.catalog.Pricing longContext = new dev.costwise.llm.catalog.Pricing(Money.of("1.25"),
                Money.of("1.25"), Money.of("1.25"), Money.of("1.25"), Money.of("10"), Optional.of(
                        new dev.costwise.llm.catalog.Pricing.LongContextPricing(1_000,
                                dev.costwise.llm.catalog.Pricing.of("2.50", "15.00"))));
        dev.costwise.llm.catalog.ModelInfo pro = TestModels.model("pro", "gemini", Optional.of(longContext), 8192,
                Optional.empty());
        Budgets budgets = budgets(Budget.builder("daily").limit(Money.of("1")).build());
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.catalog(List.of(pro)), TestModels.estimator(true))
                .build();
        ChatRequest small = ChatRequest.builder("pro").addMessage(Message.user("q".repeat(4_000))).maxTokens(100)
                .build();
        ChatRequest large = ChatRequest.builder("pro").addMessage(Message.user("q".repeat(4_004))).maxTokens(100)
                .build();

        assertThat(((BudgetGuard.Admission.Admitted) guard.admit("pro", small, ctx())).reservation().amount())
                .isEqualTo(Money.of("0.011")); // 1,000 + 100 tokens at $10/M
        assertThat(((BudgetGuard.Admission.Admitted) guard.admit("pro", large, ctx())).reservation().amount())
                .isEqualTo(Money.of("0.016515")); // 1,001 + 100 tokens at $15/M
    }

    /** gpt-5 on OpenAI's three tiers: $1.25/$10 standard, half on flex, double on priority. */
    private static final dev.costwise.llm.catalog.ModelInfo GPT_5 = TestModels.model("gpt-5", "openai", Optional.of(
            dev.costwise.llm.catalog.Pricing.of("1.25", "10.00")
                    .withServiceTier(ServiceTier.FLEX, dev.costwise.llm.catalog.Pricing.of("0.625", "5.00"))
                    .withServiceTier(ServiceTier.PRIORITY, dev.costwise.llm.catalog.Pricing.of("2.50", "20.00"))),
            8192, Optional.empty());

    @Test
    void givenARequestOnADearerServiceTier_whenReserving_thenTheWorstCaseIsPricedAtThatTier() {
        Budgets budgets = budgets(Budget.builder("daily").limit(Money.of("0.03")).build());
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.catalog(List.of(GPT_5)), TestModels.estimator(true))
                .build();
        ChatRequest.Builder asked = ChatRequest.builder("gpt-5").addMessage(Message.user("q".repeat(400)))
                .maxTokens(500);

        BudgetGuard.Admission standard = guard.admit("gpt-5", asked.build(), ctx());
        BudgetGuard.Admission flex = guard.admit("gpt-5", asked.serviceTier(ServiceTier.FLEX).build(), ctx());
        BudgetGuard.Admission priority = guard.admit("gpt-5", asked.serviceTier(ServiceTier.PRIORITY).build(), ctx());

        // 100 prompt + 500 output tokens at the output rate: $10/M standard, $5/M flex, $20/M priority
        assertThat(((BudgetGuard.Admission.Admitted) standard).reservation().amount()).isEqualTo(Money.of("0.006"));
        assertThat(((BudgetGuard.Admission.Admitted) flex).reservation().amount()).isEqualTo(Money.of("0.003"));
        assertThat(((BudgetGuard.Admission.Admitted) priority).reservation().amount()).isEqualTo(Money.of("0.012"));
        assertThat(guard.admit("gpt-5", asked.serviceTier(ServiceTier.PRIORITY).build(), ctx()))
                .as("$0.021 held of $0.03: no room for another $0.012").isInstanceOf(BudgetGuard.Admission.Refused.class);
        assertThat(guard.admit("gpt-5", asked.serviceTier(ServiceTier.STANDARD).build(), ctx()))
                .as("room for $0.006").isInstanceOf(BudgetGuard.Admission.Admitted.class);
    }

    @Test
    void givenAnAccountThatServesUntieredRequestsOnPriority_whenTheNextNamesNoTier_thenItIsHeldAtPriority() {
        Budgets budgets = budgets(Budget.builder("daily").limit(Money.of("1")).build());
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.catalog(List.of(GPT_5)), TestModels.estimator(true))
                .build();
        List<Money> heldDuringCalls = new ArrayList<>();
        TestModels.FakeProvider provider = TestModels.FakeProvider.of(GPT_5, 500);
        dev.costwise.llm.chat.ChatModel priorityDefault = new dev.costwise.llm.chat.ChatModel() {
            @Override
            public String name() {
                return "gpt-5";
            }

            @Override
            public String provider() {
                return "openai";
            }

            @Override
            public ChatResponse execute(ChatRequest request, WorkflowContext context) {
                heldDuringCalls.add(budgets.status("daily").reserved());
                ChatResponse r = provider.execute(request, context);
                ServiceTier served = request.serviceTier().orElse(ServiceTier.PRIORITY); // the project's default
                return new ChatResponse(r.id(), r.requestedModel(), r.model(), r.provider(), r.message(),
                        r.finishReason(), r.usage().withServiceTier(served), r.cost(), r.priceStatus(), r.latency(),
                        r.providerRequestId(), false);
            }

            @Override
            public ChatStream stream(ChatRequest request, WorkflowContext context) {
                throw new UnsupportedOperationException();
            }
        };
        BudgetedChatModel model = BudgetedChatModel.of(priorityDefault, guard);

        model.execute(request("gpt-5", 500), ctx());
        model.execute(request("gpt-5", 500), ctx());
        model.execute(request("gpt-5", 500).toBuilder().serviceTier(ServiceTier.STANDARD).build(), ctx());

        // 100 prompt + 500 output tokens at the output rate: $10/M standard, $20/M once priority has been served
        assertThat(heldDuringCalls).containsExactly(Money.of("0.006"), Money.of("0.012"), Money.of("0.006"));
    }

    /** Remembers the requests it forwards. */
    private record RecordingModel(TestModels.FakeProvider inner, List<ChatRequest> seen)
            implements dev.costwise.llm.chat.ChatModel {
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
            synchronized (seen) {
                seen.add(request);
            }
            return inner.execute(request, context);
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            return inner.stream(request, context);
        }
    }

    /** A provider that is overloaded. */
    private record FailingModel(TestModels.FakeProvider inner) implements dev.costwise.llm.chat.ChatModel {
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
            throw new ProviderException.Overloaded(ProviderException.Details.of("openai", name(), 529),
                    "overloaded", Optional.empty());
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            throw new ProviderException.Overloaded(ProviderException.Details.of("openai", name(), 529),
                    "overloaded", Optional.empty());
        }
    }
}
