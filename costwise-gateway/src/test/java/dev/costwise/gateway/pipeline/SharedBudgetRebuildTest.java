package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.BudgetDef;
import dev.costwise.gateway.config.GatewayConfig.BudgetScope;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.gateway.config.GatewayConfig.OnExhausted;
import dev.costwise.gateway.config.GatewayConfig.RedisSettings;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.redis.SharedRedis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A shared budget window Redis loses (restarted empty, failed over to an empty node, flushed) while calls hold
 * reservations in it: rebuilt from the ledger, it still counts those calls, first as reservations, then as spend.
 * Redis loses the window here as a {@code FLUSHDB} would, by deleting every key of this test's prefix.
 */
class SharedBudgetRebuildTest {
    private static final Instant NOW = SharedRedis.TODAY_AT_TEN;
    private static final BudgetDef DAILY = new BudgetDef("daily", BudgetScope.GLOBAL, BudgetWindow.DAY,
            Money.of("0.20"), OnExhausted.REJECT, Optional.empty(), List.of());

    private final String prefix = SharedRedis.randomPrefix();
    private final MemorySpendLedger ledger = new MemorySpendLedger();
    private final AtomicInteger calls = new AtomicInteger();
    private RedisSharing redisA;
    private RedisSharing redisB;
    private BudgetBook a;
    private BudgetBook b;

    @BeforeEach
    void twoReplicas() {
        SharedRedis.requireRunning();
        RedisSettings settings = new RedisSettings(SharedRedis.URL, prefix, 0.5, Duration.ofSeconds(5));
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        redisA = RedisSharing.connect(settings, alert -> { }, clock, Duration.ofSeconds(30), new UpstreamCutoff());
        redisB = RedisSharing.connect(settings, alert -> { }, clock, Duration.ofSeconds(30), new UpstreamCutoff());
        a = new BudgetBook(List.of(DAILY), ledger, clock, BudgetBook.UtilizationListener.NONE,
                Optional.of(redisA.budgetStore()));
        b = new BudgetBook(List.of(DAILY), ledger, clock, BudgetBook.UtilizationListener.NONE,
                Optional.of(redisB.budgetStore()));
        spend(Money.of("0.05")); // before the window was lost: in the ledger
        a.reserve(BudgetBook.Spender.NOBODY, "m", Money.ZERO).reservation().orElseThrow().settle(Money.ZERO);
    }

    @AfterEach
    void close() {
        if (redisA != null) {
            redisA.close();
            redisB.close();
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
    }

    /** Settles a call as the gateway does: the settle first, then its ledger row. */
    private void settle(BudgetBook.Reservation r, Money cost) {
        r.settle(cost);
        spend(cost);
    }

    private void spend(Money cost) {
        ledger.append(new CostRecord("r" + calls.incrementAndGet(), 1, NOW, "m", "m", "openai", Usage.of(1, 1),
                cost, cost, PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(), Optional.empty(),
                Duration.ZERO, Map.of()));
    }

    private Money ledgerSpend() {
        return ledger.totalCost(Map.of(), Instant.EPOCH, Instant.MAX);
    }

    private BudgetBook.Result reserve(BudgetBook book, String amount) {
        return book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of(amount));
    }

    @Test
    void givenCallsInFlightOnTwoReplicas_whenRedisLosesTheWindowAndTheySettle_thenItCountsWhatTheLedgerSays() {
        BudgetBook.Reservation onA = reserve(a, "0.08").reservation().orElseThrow();
        BudgetBook.Reservation onB = reserve(b, "0.04").reservation().orElseThrow();

        SharedRedis.deleteAll(SharedRedis.URL, prefix);
        settle(onA, Money.of("0.07"));
        settle(onB, Money.of("0.03"));

        assertThat(a.statuses().getFirst().spent()).isEqualTo(ledgerSpend()).isEqualTo(Money.of("0.15"));
        assertThat(b.statuses().getFirst().reserved()).isEqualTo(Money.ZERO);
        assertThat(reserve(b, "0.06").exhausted()).as("0.15 spent + 0.06 is over 0.20").isPresent();
        assertThat(reserve(a, "0.05").reservation()).isPresent();
    }

    @Test
    void givenACallInFlight_whenRedisLosesTheWindow_thenItsReservationStillHoldsItsRoomInTheRebuiltWindow() {
        BudgetBook.Reservation inFlight = reserve(a, "0.08").reservation().orElseThrow();

        SharedRedis.deleteAll(SharedRedis.URL, prefix);

        assertThat(reserve(a, "0.08").exhausted()).as("0.05 spent + 0.08 held + 0.08 is over 0.20").isPresent();
        BudgetBook.Reservation next = reserve(a, "0.07").reservation().orElseThrow();
        settle(inFlight, Money.of("0.06"));
        settle(next, Money.of("0.07"));
        assertThat(a.statuses().getFirst()).satisfies(s -> {
            assertThat(s.spent()).isEqualTo(ledgerSpend()).isEqualTo(Money.of("0.18"));
            assertThat(s.reserved()).isEqualTo(Money.ZERO);
        });
    }

    @Test
    void givenACallInFlightOnAnotherReplica_whenThatReplicaNextUsesTheRebuiltWindow_thenItHoldsItsCallThereAgain() {
        BudgetBook.Reservation onB = reserve(b, "0.08").reservation().orElseThrow();
        SharedRedis.deleteAll(SharedRedis.URL, prefix);
        assertThat(reserve(a, "0.01").reservation()).as("rebuilt by A, without B's call").isPresent();

        assertThat(b.statuses().getFirst().reserved()).as("B saw the rebuilt window and held its call there")
                .isEqualTo(Money.of("0.09"));
        settle(onB, Money.of("0.08"));
        assertThat(a.statuses().getFirst().spent()).isEqualTo(ledgerSpend());
    }
}
