package dev.costwise.llm.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetGuard;
import dev.costwise.llm.budget.BudgetStatus;
import dev.costwise.llm.budget.BudgetedChatModel;
import dev.costwise.llm.budget.Budgets;
import dev.costwise.llm.budget.MutableClock;
import dev.costwise.llm.budget.TestModels;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final List<Alert> sent = new CopyOnWriteArrayList<>();

    private AlertEvaluator evaluator(List<AlertRule> rules) {
        return AlertEvaluator.builder().clock(clock).rules(rules).sink(sent::add).build();
    }

    @Test
    void givenSpendOverTheThresholdByLessThanAMillionth_whenAlerted_thenTheMessageShowsItExactly() {
        AlertEvaluator alerts = evaluator(AlertRules.specDefaults());

        alerts.onSpend(Money.of("100.0000001"));

        assertThat(sent).singleElement().extracting(Alert::message)
                .isEqualTo("COST ALERT: spend in the last day is $100.0000001, above $100.00");
    }

    @Test
    void givenTheSpecDefaults_whenDailySpendReaches100Dollars_thenOneCostAlertPerCooldown() {
        AlertEvaluator alerts = evaluator(AlertRules.specDefaults());

        alerts.onSpend(Money.of("60"));
        alerts.onSpend(Money.of("39.99"));
        assertThat(sent).isEmpty();
        alerts.onSpend(Money.of("0.01")); // exactly $100: reaching the threshold fires, as budget_utilization does
        alerts.onSpend(Money.of("5"));
        clock.advance(Duration.ofMinutes(59));
        alerts.onSpend(Money.of("5"));

        assertThat(sent).singleElement().satisfies(a -> {
            assertThat(a.rule()).isEqualTo("cost");
            assertThat(a.message()).isEqualTo("COST ALERT: spend in the last day is $100.00, at $100.00");
            assertThat(a.severity()).isEqualTo(AlertSeverity.WARNING);
        });
        assertThat(alerts.suppressedCount()).isEqualTo(2);
        clock.advance(Duration.ofMinutes(1));
        alerts.onSpend(Money.of("1"));
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).message()).contains("$111.00, above $100.00");
    }

    @Test
    void givenAHitRateRule_whenTheFirstLookupsMiss_thenItWaitsForItsMinimumSamples() {
        AlertEvaluator alerts = evaluator(AlertRules.specDefaults());

        for (int i = 0; i < 99; i++) {
            alerts.onCacheMiss();
        }
        assertThat(sent).isEmpty();
        alerts.onCacheHit(); // 100 lookups, 1% hit rate

        assertThat(sent).singleElement().satisfies(a -> assertThat(a.message())
                .isEqualTo("CACHE ALERT: hit rate 1.0% over the last hour (100 lookups), below 20.0%"));
    }

    @Test
    void givenAnErrorRateRule_whenTheFirstRequestFails_thenNoAlertUntilEnoughRequestsShowAHighRate() {
        AlertEvaluator alerts = evaluator(AlertRules.specDefaults());

        alerts.onError("timeout");
        assertThat(sent).isEmpty();
        for (int i = 0; i < 44; i++) {
            alerts.onSuccess();
        }
        for (int i = 0; i < 4; i++) {
            alerts.onError("rate_limited");
        }
        assertThat(sent).isEmpty(); // 49 requests
        alerts.onError("rate_limited"); // 50 requests, 6 failed: 12%

        assertThat(sent).singleElement().satisfies(a -> {
            assertThat(a.severity()).isEqualTo(AlertSeverity.ERROR);
            assertThat(a.message()).isEqualTo("ERROR ALERT: error rate 12.0% over the last 15 minutes "
                    + "(50 requests), above 10.0%; latest failure: rate_limited");
        });
    }

    @Test
    void givenAnErrorRateRule_whenTheRateReachesItsThresholdExactly_thenItFires() {
        AlertEvaluator alerts = evaluator(List.of(new AlertRule.ErrorRateAbove("errors", Duration.ofMinutes(15), 0.3,
                10, AlertSeverity.ERROR, Duration.ZERO)));
        for (int i = 0; i < 7; i++) {
            alerts.onSuccess();
        }
        for (int i = 0; i < 3; i++) {
            alerts.onError("upstream_error (HTTP 502) on fast");
        }

        assertThat(sent).singleElement().extracting(Alert::message).isEqualTo("ERROR ALERT: error rate 30.0% over "
                + "the last 15 minutes (10 requests), at 30.0%; latest failure: upstream_error (HTTP 502) on fast");
    }

    @Test
    void givenErrorsOlderThanTheWindow_whenJudged_thenTheyNoLongerCount() {
        AlertEvaluator alerts = evaluator(List.of(new AlertRule.ErrorRateAbove("errors", Duration.ofMinutes(15), 0.1,
                10, AlertSeverity.ERROR, Duration.ZERO)));
        for (int i = 0; i < 9; i++) {
            alerts.onError("timeout");
        }
        clock.advance(Duration.ofMinutes(16));

        alerts.onError("timeout");
        assertThat(sent).isEmpty();
    }

    @Test
    void givenExceededBudgets_whenReported_thenEachBudgetAlertsOncePerCooldown() {
        AlertEvaluator alerts = evaluator(AlertRules.specDefaults());
        Budget daily = Budget.daily("daily", Money.of("100"), java.time.ZoneOffset.UTC);
        Budget team = Budget.daily("team", Money.of("10"), java.time.ZoneOffset.UTC);
        Instant start = Instant.parse("2026-11-27T00:00:00Z");
        Instant end = Instant.parse("2026-11-28T00:00:00Z");

        alerts.onBudgetStatus(new BudgetStatus(daily, Money.of("99"), Money.ZERO, start, end));
        alerts.onBudgetStatus(new BudgetStatus(daily, Money.of("100"), Money.ZERO, start, end));
        alerts.onBudgetStatus(new BudgetStatus(daily, Money.of("101"), Money.ZERO, start, end));
        alerts.onBudgetStatus(new BudgetStatus(team, Money.of("10"), Money.ZERO, start, end));

        assertThat(sent).extracting(Alert::dedupKey).containsExactly("budget:daily", "budget:team");
        assertThat(sent.getFirst().severity()).isEqualTo(AlertSeverity.CRITICAL);
        assertThat(sent.getFirst().message()).isEqualTo("BUDGET ALERT: daily budget 'daily' exceeded: spent $100.00 "
                + "of $100.00; resets at 2026-11-28T00:00:00Z");
    }

    @Test
    void givenABudgetGuardWiredToAlerts_whenSpendCrossesSoftThresholdsAndRunsOut_thenEachAlertsOnce() {
        AlertEvaluator alerts = evaluator(AlertRules.specDefaults());
        Budgets budgets = Budgets.builder().clock(clock).add(Budget.builder("daily").limit(Money.of("0.01")).build())
                .build();
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true))
                .listener(alerts.budgetListener()).build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 100), guard);
        ChatRequest request = ChatRequest.builder("premium-model").addMessage(
                dev.costwise.llm.chat.Message.user("q".repeat(400))).maxTokens(100).build();

        int answered = 0;
        for (int i = 0; i < 12; i++) {
            try {
                model.execute(request, WorkflowContext.builder("t").clock(clock).build());
                answered++;
            } catch (dev.costwise.llm.budget.BudgetExceededException e) {
                // expected once the $0.01 is used
            }
        }

        assertThat(answered).isEqualTo(7); // $0.00125 each; the 8th cannot reserve $0.002
        // The 6th call crosses 70% ($0.0075); the 8th to 12th are refused at 87.5%: the limit is not reached
        assertThat(sent).extracting(Alert::rule).containsExactly("budget_threshold");
        assertThat(sent.get(0).message()).contains("passed 70%").contains("spent $0.0075 of $0.01");
    }

    @Test
    void givenARefusedCall_whenSpendIsBelowTheLimit_thenNoExceededAlertButOnceSpendReachesItOneCriticalAlert() {
        AlertEvaluator alerts = evaluator(AlertRules.specDefaults());
        Budget daily = Budget.daily("daily", Money.of("0.02"), java.time.ZoneOffset.UTC);
        Instant start = Instant.parse("2026-11-27T00:00:00Z");
        Instant end = Instant.parse("2026-11-28T00:00:00Z");
        var listener = alerts.budgetListener();

        // half spent: a call whose worst case does not fit is refused, smaller ones still pass
        listener.onExhausted(new BudgetStatus(daily, Money.of("0.010025"), Money.ZERO, start, end),
                Budget.Action.REJECT);
        assertThat(sent).isEmpty();

        listener.onExhausted(new BudgetStatus(daily, Money.of("0.02"), Money.ZERO, start, end), Budget.Action.REJECT);
        assertThat(sent).singleElement().satisfies(a -> {
            assertThat(a.rule()).isEqualTo("budget");
            assertThat(a.severity()).isEqualTo(AlertSeverity.CRITICAL);
            assertThat(a.message()).isEqualTo("BUDGET ALERT: daily budget 'daily' exhausted: spent $0.02 (+$0.00 "
                    + "reserved) of $0.02; calls that cost anything are rejected until 2026-11-28T00:00:00Z");
        });
    }

    @Test
    void givenAUtilizationRuleBelow100Percent_whenACallSettlesPastIt_thenItFiresOncePerCooldown() {
        AlertEvaluator alerts = evaluator(List.of(new AlertRule.BudgetUtilizationAtLeast("budget70", 0.7,
                AlertSeverity.WARNING, Duration.ofHours(36))));
        BudgetedChatModel model = guardedModel(alerts, List.of(0.5, 0.8));

        assertThat(spendUntilRefused(model)).isEqualTo(7); // $0.00125 each: 50% after the 4th, 75% after the 6th
        assertThat(sent).extracting(Alert::rule).containsExactly("budget_threshold", "budget70", "budget_threshold");
        assertThat(sent.get(1).message()).isEqualTo("BUDGET ALERT: daily budget 'daily' at 75.0%: spent $0.0075 "
                + "of $0.01; resets at 2026-11-28T00:00:00Z");
        assertThat(sent.get(1).dedupKey()).isEqualTo("budget70:daily");

        clock.advance(Duration.ofDays(1)); // a new window, but 24 h is within the rule's 36 h cool-down
        spendUntilRefused(model);
        assertThat(sent).extracting(Alert::rule).filteredOn("budget70"::equals).hasSize(1);

        clock.advance(Duration.ofDays(1));
        spendUntilRefused(model);
        assertThat(sent).extracting(Alert::rule).filteredOn("budget70"::equals).hasSize(2);
    }

    @Test
    void givenABudgetWithoutSoftThresholds_whenACallTakesItTo70Percent_thenThe70PercentRuleFiresWithThatCall() {
        AlertEvaluator alerts = evaluator(List.of(
                new AlertRule.BudgetUtilizationAtLeast("budget70", 0.7, AlertSeverity.WARNING, Duration.ofHours(1)),
                new AlertRule.BudgetUtilizationAtLeast("budget95", 0.95, AlertSeverity.ERROR, Duration.ofHours(1)),
                AlertRules.budgetExceeded("budget")));
        BudgetedChatModel model = guardedModel(alerts, List.of());

        for (int i = 0; i < 5; i++) { // $0.00125 each: 62.5% after the 5th
            model.execute(question(), WorkflowContext.builder("t").clock(clock).build());
        }
        assertThat(sent).isEmpty();
        clock.advance(Duration.ofMinutes(3));
        model.execute(question(), WorkflowContext.builder("t").clock(clock).build()); // 75%

        assertThat(sent).singleElement().satisfies(a -> {
            assertThat(a.rule()).isEqualTo("budget70");
            assertThat(a.message()).isEqualTo("BUDGET ALERT: daily budget 'daily' at 75.0%: spent $0.0075 of $0.01;"
                    + " resets at 2026-11-28T00:00:00Z");
            assertThat(a.at()).isEqualTo(Instant.parse("2026-11-27T10:03:00Z"));
        });
        spendUntilRefused(model); // settled at 87.5% when the 8th call cannot reserve: never 95%, nor the limit
        assertThat(sent).extracting(Alert::rule).containsExactly("budget70");
    }

    /** A premium model behind a daily $0.01 budget, each call $0.00125, its guard reporting to {@code alerts}. */
    private BudgetedChatModel guardedModel(AlertEvaluator alerts, List<Double> softThresholds) {
        Budgets budgets = Budgets.builder().clock(clock)
                .add(Budget.builder("daily").limit(Money.of("0.01")).softThresholds(softThresholds).build()).build();
        BudgetGuard guard = BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true))
                .listener(alerts.budgetListener()).build();
        return BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 100), guard);
    }

    /** @return a question that costs $0.00125 on the premium model */
    private static ChatRequest question() {
        return ChatRequest.builder("premium-model").addMessage(
                dev.costwise.llm.chat.Message.user("q".repeat(400))).maxTokens(100).build();
    }

    /** @return the calls answered before the budget refused one */
    private int spendUntilRefused(BudgetedChatModel model) {
        for (int answered = 0; ; answered++) {
            try {
                model.execute(question(), WorkflowContext.builder("t").clock(clock).build());
            } catch (dev.costwise.llm.budget.BudgetExceededException e) {
                return answered;
            }
        }
    }

    @Test
    void givenASilentDowngrade_whenTheResponseIsReported_thenADowngradeAlert() {
        AlertEvaluator alerts = evaluator(List.of(AlertRules.silentDowngrades("downgrade")));
        ChatResponse normal = TestModels.FakeProvider.of(TestModels.GEMINI_PRO_FREE, 10)
                .execute(ChatRequest.of("gemini-pro:free", "hi"), WorkflowContext.of("t"));
        ChatResponse downgraded = new ChatResponse(normal.id(), "gemini-pro:free", "gemini-flash:free",
                normal.provider(), normal.message(), normal.finishReason(), normal.usage(), normal.cost(),
                normal.priceStatus(), normal.latency(), normal.providerRequestId(), true);

        alerts.onResponse(normal);
        assertThat(sent).isEmpty();
        alerts.onResponse(downgraded);

        assertThat(sent).singleElement().satisfies(a -> assertThat(a.message())
                .contains("gemini-flash:free answered for gemini-pro:free"));
    }

    @Test
    void givenASinkThatThrows_whenAnAlertFires_thenTheOtherSinksStillGetIt() {
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).rules(AlertRules.specDefaults())
                .sink(a -> {
                    throw new IllegalStateException("broken sink");
                })
                .sink(sent::add).build();

        alerts.onSpend(Money.of("1000"));

        assertThat(sent).hasSize(1);
    }
}
