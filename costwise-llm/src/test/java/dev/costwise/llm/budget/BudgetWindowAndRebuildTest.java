package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CostRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class BudgetWindowAndRebuildTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    @Test
    void givenADailyWindowInParis_whenLocalMidnightPasses_thenANewWindowStarts() {
        BudgetWindow daily = BudgetWindow.daily(PARIS);

        BudgetWindow.Span before = daily.spanAt(Instant.parse("2026-11-27T22:59:59Z"));
        BudgetWindow.Span after = daily.spanAt(Instant.parse("2026-11-27T23:00:00Z"));

        assertThat(before.start()).isEqualTo(Instant.parse("2026-11-26T23:00:00Z"));
        assertThat(before.end()).isEqualTo(Instant.parse("2026-11-27T23:00:00Z"));
        assertThat(after.start()).isEqualTo(before.end());
    }

    @Test
    void givenADaylightSavingDay_whenSpanned_thenTheWindowIs23Hours() {
        BudgetWindow.Span span = BudgetWindow.daily(PARIS).spanAt(Instant.parse("2026-03-29T12:00:00Z"));

        assertThat(Duration.between(span.start(), span.end())).isEqualTo(Duration.ofHours(23));
    }

    @Test
    void givenMonthlyAndCustomWindows_whenSpanned_thenTheyStartOnTheFirstAndOnTheAnchorGrid() {
        BudgetWindow.Span month = BudgetWindow.monthly(PARIS).spanAt(Instant.parse("2026-11-27T10:00:00Z"));
        BudgetWindow.Span sixHours = BudgetWindow.every(Duration.ofHours(6), Instant.parse("2026-01-01T01:00:00Z"))
                .spanAt(Instant.parse("2026-11-27T10:00:00Z"));

        assertThat(month.start()).isEqualTo(Instant.parse("2026-10-31T23:00:00Z"));
        assertThat(month.end()).isEqualTo(Instant.parse("2026-11-30T23:00:00Z"));
        assertThat(sixHours.start()).isEqualTo(Instant.parse("2026-11-27T07:00:00Z"));
        assertThat(sixHours.end()).isEqualTo(Instant.parse("2026-11-27T13:00:00Z"));
        assertThatThrownBy(() -> BudgetWindow.every(Duration.ZERO, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
    }

    @Test
    void givenSpendYesterdayInParis_whenTheClockPassesLocalMidnight_thenTheBudgetHasRoomAgain() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-27T22:30:00Z")); // 23:30 in Paris
        Budgets budgets = Budgets.builder().clock(clock).add(Budget.daily("daily", Money.of("0.006"), PARIS)).build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 500),
                BudgetGuard.builder(budgets, TestModels.CATALOG, TestModels.estimator(true)).build());
        ChatRequest request = ChatRequest.builder("premium-model").addMessage(Message.user("q".repeat(400)))
                .maxTokens(500).build();
        model.execute(request, WorkflowContext.builder("t").clock(clock).build());
        assertThatThrownBy(() -> model.execute(request, WorkflowContext.builder("t").clock(clock).build()))
                .isInstanceOf(BudgetExceededException.class);

        clock.advance(Duration.ofMinutes(30)); // 00:00 in Paris

        model.execute(request, WorkflowContext.builder("t").clock(clock).build());
        assertThat(budgets.status("daily").spent()).isEqualTo(Money.of("0.00525"));
        assertThat(budgets.status("daily").windowStart()).isEqualTo(Instant.parse("2026-11-27T23:00:00Z"));
    }

    @Test
    void givenALedgerWithTodaysSpend_whenRestartedAndRebuilt_thenTheWindowsSpendIsRestoredPerScope() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
        InMemorySpendLedger ledger = new InMemorySpendLedger();
        Budget global = Budget.daily("global", Money.of("1"), PARIS);
        Budget support = Budget.builder("support").scope(BudgetScope.team("support"))
                .window(BudgetWindow.daily(PARIS)).limit(Money.of("1")).build();
        Budget premium = Budget.builder("premium").scope(BudgetScope.model("premium-model"))
                .window(BudgetWindow.daily(PARIS)).limit(Money.of("1")).build();
        Budgets first = Budgets.builder().clock(clock).add(global).add(support).add(premium).build();
        BudgetedChatModel model = BudgetedChatModel.of(TestModels.FakeProvider.of(TestModels.PREMIUM, 500),
                BudgetGuard.builder(first, TestModels.CATALOG, TestModels.estimator(true)).build());
        ChatRequest request = ChatRequest.builder("premium-model").addMessage(Message.user("q".repeat(400)))
                .maxTokens(500).build();
        for (String team : new String[] {"support", "support", "sales"}) {
            WorkflowContext ctx = WorkflowContext.builder("t").clock(clock).tag("team", team).build();
            model.execute(request, ctx);
            ctx.attributeValues("record", CostRecord.class).forEach(ledger::append);
        }
        appendYesterday(ledger, clock);

        Budgets restarted = Budgets.builder().clock(clock).add(global).add(support).add(premium).build();
        restarted.rebuildFrom(ledger);

        assertThat(restarted.status("global").spent()).isEqualTo(first.status("global").spent())
                .isEqualTo(Money.of("0.01575"));
        assertThat(restarted.status("support").spent()).isEqualTo(Money.of("0.0105"));
        assertThat(restarted.status("premium").spent()).isEqualTo(Money.of("0.01575"));
    }

    private static void appendYesterday(InMemorySpendLedger ledger, MutableClock clock) {
        CostRecord old = new CostRecord("old", 1, clock.instant().minus(Duration.ofDays(1)), "premium-model",
                "premium-model", "openai", dev.costwise.llm.chat.Usage.of(1, 1), Money.of("5"), Money.of("5"),
                dev.costwise.llm.cost.PriceStatus.PRICED, dev.costwise.llm.cost.Outcome.SUCCESS,
                java.util.Optional.empty(), java.util.Optional.empty(), Duration.ZERO,
                java.util.Map.of("team", "support"));
        ledger.append(old);
    }

    @Test
    void givenAStatus_whenRenderedAsDashboard_thenItMatchesTheSpecLayout() {
        Budget daily = Budget.daily("daily", Money.of("100"), PARIS);
        BudgetStatus healthy = new BudgetStatus(daily, Money.of("45"), Money.ZERO, Instant.EPOCH, Instant.MAX);
        BudgetStatus almost = new BudgetStatus(daily, Money.of("95.5"), Money.ZERO, Instant.EPOCH, Instant.MAX);

        assertThat(BudgetDashboard.render(healthy)).isEqualTo("""
                ==================================================
                BUDGET DASHBOARD
                ==================================================
                Daily Budget:     $100.00
                Spent Today:      $45.00
                Remaining:        $55.00
                Utilization:      45.0%
                ==================================================
                ✅ Budget healthy
                """);
        assertThat(BudgetDashboard.render(almost)).contains("Utilization:      95.5%")
                .endsWith("WARNING: Budget almost exhausted!\n");
        assertThat(BudgetDashboard.render(new BudgetStatus(daily, Money.of("75"), Money.ZERO, Instant.EPOCH,
                Instant.MAX))).endsWith("CAUTION: Budget 70% consumed\n");
    }

    @Test
    void givenBadBudgetSettings_whenBuilt_thenTheErrorNamesTheSettingAndValue() {
        assertThatThrownBy(() -> Budget.builder("b").limit(Money.of("-1")))
                .hasMessageContaining("limit").hasMessageContaining("-1");
        assertThatThrownBy(() -> Budget.builder("b").limit(Money.of("1"))
                .softThresholds(java.util.List.of(0.9, 0.7)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ascending");
        assertThatThrownBy(() -> Budget.builder("b").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("limit was not set");
        assertThatThrownBy(() -> BudgetScope.team(" ")).hasMessageContaining("team scope");
    }
}
