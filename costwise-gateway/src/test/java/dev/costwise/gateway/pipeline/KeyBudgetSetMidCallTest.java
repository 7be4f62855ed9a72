package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.gateway.config.GatewayConfig.RedisSettings;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.spi.BudgetStore;
import dev.costwise.redis.SharedRedis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A key's own budget set ({@code PATCH}) while calls of the key are in flight: its window counts all the key spent in
 * it, those calls too, so the limit holds afterwards. With counters in this process and in Redis.
 */
class KeyBudgetSetMidCallTest {
    private static final Instant NOW = SharedRedis.TODAY_AT_TEN;
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final BudgetBook.BudgetedKey NO_BUDGET = BudgetBook.BudgetedKey.of("k1", Optional.empty(),
            BudgetWindow.DAY, Map.of());
    /** After the PATCH: a $0.50 budget, counted afresh (generation 7, the key's version then). */
    private static final BudgetBook.BudgetedKey HALF_A_DOLLAR = new BudgetBook.BudgetedKey("k1",
            Optional.of(Map.entry(Money.of("0.50"), BudgetWindow.DAY)), Optional.empty(), 7);

    private final MemorySpendLedger ledger = new MemorySpendLedger();
    private final String prefix = SharedRedis.randomPrefix();
    private RedisSharing redis;

    @AfterEach
    void close() {
        if (redis != null) {
            redis.close();
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
    }

    private BudgetBook book(Optional<BudgetStore> store) {
        return new BudgetBook(List.of(), ledger, CLOCK, BudgetBook.UtilizationListener.NONE, store);
    }

    private BudgetBook sharedBook() {
        SharedRedis.requireRunning();
        redis = RedisSharing.connect(new RedisSettings(SharedRedis.URL, prefix, 0.5, Duration.ofSeconds(5)),
                alert -> { }, CLOCK, Duration.ofSeconds(30), new UpstreamCutoff());
        return book(Optional.of(redis.budgetStore()));
    }

    /** Settles as the gateway does: the settle, then the ledger row. */
    private void settle(BudgetBook.Reservation r, String cost) {
        r.settle(Money.of(cost));
        ledger.append(new CostRecord("r" + ledger.hashCode() + cost, 1, NOW, "m", "m", "openai", Usage.of(1, 1),
                Money.of(cost), Money.of(cost), PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(),
                Optional.empty(), Duration.ZERO, Map.of("key", "k1")));
    }

    private void setMidCall(BudgetBook book, boolean windowShownBeforeTheCallEnds) {
        settle(book.reserve(BudgetBook.Spender.of(NO_BUDGET), "m", Money.of("0.10")).reservation().orElseThrow(),
                "0.10");
        BudgetBook.Reservation inFlight = book.reserve(BudgetBook.Spender.of(NO_BUDGET), "m", Money.of("0.40"))
                .reservation().orElseThrow();

        book.keyChanged(HALF_A_DOLLAR); // PATCH {"budget": "0.50"} on this replica
        if (windowShownBeforeTheCallEnds) {
            assertThat(book.statuses(List.of(), List.of(HALF_A_DOLLAR)).getFirst().spent())
                    .isEqualTo(Money.of("0.10"));
        }
        settle(inFlight, "0.30");

        BudgetBook.Status own = book.statuses(List.of(), List.of(HALF_A_DOLLAR)).getFirst();
        assertThat(own.name()).isEqualTo("key:k1");
        assertThat(own.spent()).as("all the key spent today, the call in flight at the PATCH too")
                .isEqualTo(ledger.totalCost(Map.of("key", "k1"), Instant.EPOCH, Instant.MAX))
                .isEqualTo(Money.of("0.40"));
        assertThat(book.reserve(BudgetBook.Spender.of(HALF_A_DOLLAR), "m", Money.of("0.11")).exhausted())
                .as("0.40 spent + 0.11 is over 0.50").isPresent();
        assertThat(book.reserve(BudgetBook.Spender.of(HALF_A_DOLLAR), "m", Money.of("0.10")).reservation())
                .isPresent();
    }

    @Test
    void givenLocalCounters_whenABudgetIsSetWhileACallRuns_thenItsCostCountsInTheNewWindow() {
        setMidCall(book(Optional.empty()), false);
    }

    @Test
    void givenLocalCounters_whenTheNewWindowIsReadBeforeTheCallEnds_thenItsCostStillCountsThere() {
        setMidCall(book(Optional.empty()), true);
    }

    @Test
    void givenSharedCounters_whenABudgetIsSetWhileACallRuns_thenItsCostCountsInTheNewWindow() {
        setMidCall(sharedBook(), false);
    }

    @Test
    void givenSharedCounters_whenTheNewWindowIsReadBeforeTheCallEnds_thenItsCostStillCountsThere() {
        setMidCall(sharedBook(), true);
    }
}
