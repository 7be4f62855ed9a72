package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.gateway.MovableClock;
import dev.costwise.gateway.config.GatewayConfig.BudgetDef;
import dev.costwise.gateway.config.GatewayConfig.BudgetScope;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.gateway.config.GatewayConfig.OnExhausted;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BudgetBookTest {
    private static final Instant NOON = Instant.parse("2026-11-27T12:00:00Z");
    private static final BudgetDef DAILY = new BudgetDef("daily", BudgetScope.GLOBAL, BudgetWindow.DAY,
            Money.of("1.00"), OnExhausted.REJECT, Optional.empty(), List.of());

    @Test
    void givenManyConcurrentReservations_whenTheyRace_thenNoMoreThanTheLimitIsEverHeld() throws Exception {
        BudgetBook book = new BudgetBook(List.of(DAILY), new MemorySpendLedger(), Clock.fixed(NOON, ZoneOffset.UTC));
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 500; i++) {
                pool.submit(() -> {
                    go.await();
                    if (book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.01")).reservation()
                            .isPresent()) {
                        admitted.incrementAndGet();
                    }
                    return null;
                });
            }
            go.countDown();
        }

        assertThat(admitted.get()).isEqualTo(100);
        assertThat(book.statuses().getFirst().reserved()).isEqualTo(Money.of("1.00"));
    }

    @Test
    void givenRequestStartedBeforeMidnight_whenItSettlesAfter_thenTheNewDaysReservationsStayHeld() {
        MovableClock now = new MovableClock(Instant.parse("2026-11-27T23:59:59Z"));
        BudgetBook book = new BudgetBook(List.of(DAILY), new MemorySpendLedger(), now);
        BudgetBook.Reservation lateNight = book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.60"))
                .reservation().orElseThrow();
        now.set(Instant.parse("2026-11-28T00:00:01Z"));
        book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.60")).reservation().orElseThrow();

        lateNight.settle(Money.of("0.10"));

        BudgetBook.Status today = book.statuses().getFirst();
        assertThat(today.reserved()).as("the new day's own reservation").isEqualTo(Money.of("0.60"));
        assertThat(today.spent()).as("counted where its ledger row lands").isEqualTo(Money.of("0.10"));
        assertThat(book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.40")).exhausted())
                .as("0.10 spent + 0.60 held + 0.40 is over the 1.00 limit").isPresent();
    }

    @Test
    void givenAModelBudgetUsedYesterday_whenStatesAreAskedToday_thenYesterdaysSpendIsNotShownAsCurrent() {
        MovableClock now = new MovableClock(Instant.parse("2026-11-27T23:00:00Z"));
        BudgetDef perModel = new BudgetDef("per-model", BudgetScope.MODEL, BudgetWindow.DAY, Money.of("1.00"),
                OnExhausted.REJECT, Optional.empty(), List.of());
        BudgetBook book = new BudgetBook(List.of(DAILY, perModel), new MemorySpendLedger(), now);
        book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.60")).reservation().orElseThrow()
                .settle(Money.of("0.25"));
        assertThat(book.statuses()).extracting(BudgetBook.Status::name).containsExactly("daily", "per-model");

        now.set(Instant.parse("2026-11-28T00:00:01Z"));

        assertThat(book.statuses()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("daily");
            assertThat(s.spent()).isEqualTo(Money.ZERO);
            assertThat(s.resetsAt()).isEqualTo(Instant.parse("2026-11-29T00:00:00Z"));
        });
    }

    @Test
    void givenATeamBudget_whenKeysOfOneTeamSpend_thenTheyShareItAndAnotherTeamAndUntaggedKeysDoNot() {
        BudgetDef perTeam = new BudgetDef("per-team", BudgetScope.TEAM, BudgetWindow.DAY, Money.of("1.00"),
                OnExhausted.REJECT, Optional.empty(), List.of());
        MemorySpendLedger ledger = new MemorySpendLedger();
        ledger.append(new CostRecord("earlier", 1, NOON.minus(Duration.ofHours(1)), "m", "m", "openai",
                Usage.of(1, 1), Money.of("0.30"), Money.of("0.30"), PriceStatus.PRICED, Outcome.SUCCESS,
                Optional.empty(), Optional.empty(), Duration.ZERO, Map.of("key", "a-old", "team", "a")));
        BudgetBook book = new BudgetBook(List.of(perTeam), ledger, Clock.fixed(NOON, ZoneOffset.UTC));
        BudgetBook.Spender a1 = BudgetBook.Spender.of(BudgetBook.BudgetedKey.of("a1", Optional.empty(),
                BudgetWindow.MONTH, Map.of("team", "a")));
        BudgetBook.Spender a2 = BudgetBook.Spender.of(BudgetBook.BudgetedKey.of("a2", Optional.empty(),
                BudgetWindow.MONTH, Map.of("team", "a")));
        BudgetBook.Spender b1 = BudgetBook.Spender.of(BudgetBook.BudgetedKey.of("b1", Optional.empty(),
                BudgetWindow.MONTH, Map.of("team", "b")));
        BudgetBook.Spender untagged = BudgetBook.Spender.of(BudgetBook.BudgetedKey.of("u", Optional.empty(),
                BudgetWindow.MONTH, Map.of()));

        book.reserve(a1, "m", Money.of("0.50")).reservation().orElseThrow().settle(Money.of("0.50"));

        assertThat(book.reserve(a2, "m", Money.of("0.30")).exhausted())
                .as("0.30 in the ledger + 0.50 + 0.30 is over team a's 1.00").hasValueSatisfying(e -> {
                    assertThat(e.def().name()).isEqualTo("per-team");
                    assertThat(e.used()).isEqualTo(Money.of("0.80"));
                });
        assertThat(book.reserve(a2, "m", Money.of("0.20")).reservation()).isPresent();
        assertThat(book.reserve(b1, "m", Money.of("0.90")).reservation()).as("team b has its own").isPresent();
        assertThat(book.reserve(untagged, "m", Money.of("5.00")).reservation()).isPresent();
        assertThat(book.statuses()).extracting(st -> st.scopeValue().orElse("") + " " + st.spent() + " "
                + st.reserved()).containsExactly("a 0.8 0.2", "b 0 0.9");
    }

    @Test
    void givenAUserBudget_whenEndUsersSpend_thenEachHasHisOwnAndRequestsNamingNoUserAreNotHeld() {
        BudgetDef perUser = new BudgetDef("per-user", BudgetScope.USER, BudgetWindow.DAY, Money.of("1.00"),
                OnExhausted.REJECT, Optional.empty(), List.of());
        MemorySpendLedger ledger = new MemorySpendLedger();
        ledger.append(new CostRecord("earlier", 1, NOON.minus(Duration.ofHours(1)), "m", "m", "openai",
                Usage.of(1, 1), Money.of("0.70"), Money.of("0.70"), PriceStatus.PRICED, Outcome.SUCCESS,
                Optional.empty(), Optional.empty(), Duration.ZERO, Map.of("key", "k", "user", "alice")));
        BudgetBook book = new BudgetBook(List.of(perUser), ledger, Clock.fixed(NOON, ZoneOffset.UTC));
        Optional<BudgetBook.BudgetedKey> key = Optional.of(BudgetBook.BudgetedKey.of("k", Optional.empty(),
                BudgetWindow.MONTH, Map.of()));

        assertThat(book.reserve(new BudgetBook.Spender(key, Optional.of("alice")), "m", Money.of("0.40"))
                .exhausted()).as("0.70 in the ledger + 0.40 is over alice's 1.00").hasValueSatisfying(e ->
                        assertThat(e.used()).isEqualTo(Money.of("0.70")));
        assertThat(book.reserve(new BudgetBook.Spender(key, Optional.of("bob")), "m", Money.of("0.90"))
                .reservation()).as("bob has his own").isPresent();
        assertThat(book.reserve(new BudgetBook.Spender(Optional.empty(), Optional.of("carol")), "m",
                Money.of("0.95")).reservation()).as("held without a virtual key too").isPresent();
        assertThat(book.reserve(new BudgetBook.Spender(key, Optional.empty()), "m", Money.of("5.00"))
                .reservation()).as("no user named: no user budget").isPresent();
        assertThat(book.statuses()).extracting(st -> st.scopeValue().orElse("") + " " + st.spent() + " "
                + st.reserved()).containsExactly("alice 0.7 0", "bob 0 0.9", "carol 0 0.95");
    }

    private static final BudgetDef PER_USER = new BudgetDef("per-user", BudgetScope.USER, BudgetWindow.DAY,
            Money.of("1.00"), OnExhausted.REJECT, Optional.empty(), List.of());

    private static BudgetBook.Spender user(String name) {
        return new BudgetBook.Spender(Optional.empty(), Optional.of(name));
    }

    /**
     * New users spend (each request settled) until {@code user}'s idle window has been pushed out of memory; Caffeine
     * decides which window goes, so the test waits for it rather than assuming it.
     */
    private static void otherUsersSpendUntilPushedOut(BudgetBook book, String user, String prefix) {
        for (int i = 0; i < 10_000 && book.userWindowInMemory(PER_USER, user); i++) {
            book.reserve(user(prefix + i), "m", Money.of("0.10")).reservation().orElseThrow()
                    .settle(Money.of("0.05"));
        }
        assertThat(book.userWindowInMemory(PER_USER, user)).as(user + "'s window pushed out").isFalse();
    }

    @Test
    void givenMoreUsersThanWindowsKept_whenOneHasACallInFlight_thenHisWindowIsNotPushedOutAndStillHoldsIt() {
        BudgetBook book = new BudgetBook(List.of(PER_USER), new MemorySpendLedger(), Clock.fixed(NOON, ZoneOffset.UTC),
                BudgetBook.UtilizationListener.NONE, Optional.empty(), 2);
        BudgetBook.Reservation inFlight = book.reserve(user("alice"), "m", Money.of("0.60")).reservation()
                .orElseThrow();

        for (int i = 0; i < 500; i++) {
            book.reserve(user("other-" + i), "m", Money.of("0.10")).reservation().orElseThrow()
                    .settle(Money.of("0.05"));
        }

        assertThat(book.userWindowInMemory(PER_USER, "alice")).isTrue();
        assertThat(book.reserve(user("alice"), "m", Money.of("0.60")).exhausted())
                .as("0.60 still in flight, in no ledger: a window rebuilt without it would admit another 0.60")
                .hasValueSatisfying(e -> assertThat(e.used()).isEqualTo(Money.of("0.60")));
        assertThat(book.budgetWindowsInMemory()).as("idle windows stay bounded; alice's comes on top")
                .isLessThanOrEqualTo(3);
        inFlight.settle(Money.of("0.30"));
        assertThat(book.reserve(user("alice"), "m", Money.of("0.70")).reservation()).isPresent();
        assertThat(book.reserve(user("alice"), "m", Money.of("0.01")).exhausted()).isPresent();
    }

    @Test
    void givenAWindowPushedOutBeforeItsLastRowReachedTheLedger_whenItsUserReturns_thenItsSpendIsStillCounted() {
        MovableClock now = new MovableClock(NOON);
        MemorySpendLedger ledger = new MemorySpendLedger(); // bob's row is still queued: it is not in here yet
        BudgetBook book = new BudgetBook(List.of(PER_USER), ledger, now, BudgetBook.UtilizationListener.NONE,
                Optional.empty(), 2);
        book.reserve(user("bob"), "m", Money.of("0.80")).reservation().orElseThrow().settle(Money.of("0.70"));

        otherUsersSpendUntilPushedOut(book, "bob", "first-");

        assertThat(book.reserve(user("bob"), "m", Money.of("0.60")).exhausted())
                .as("taken back from aside with its 0.70, not rebuilt from a ledger that lacks it")
                .hasValueSatisfying(e -> assertThat(e.used()).isEqualTo(Money.of("0.70")));

        // A minute later the window is read from the ledger again, which by then has bob's row and another
        // replica's.
        ledger.append(new CostRecord("bob-1", 1, NOON, "m", "m", "openai", Usage.of(1, 1), Money.of("0.70"),
                Money.of("0.70"), PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(), Optional.empty(),
                Duration.ZERO, Map.of("user", "bob")));
        ledger.append(new CostRecord("bob-2", 1, NOON, "m", "m", "openai", Usage.of(1, 1), Money.of("0.20"),
                Money.of("0.20"), PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(), Optional.empty(),
                Duration.ZERO, Map.of("user", "bob")));
        otherUsersSpendUntilPushedOut(book, "bob", "second-");
        now.advance(LocalBudgetCounters.PUSHED_OUT_KEPT.plusSeconds(1));

        assertThat(book.reserve(user("bob"), "m", Money.of("0.20")).exhausted())
                .hasValueSatisfying(e -> assertThat(e.used()).isEqualTo(Money.of("0.90")));
    }

    @Test
    void givenReservationSettledBelowItsWorstCase_whenSettled_thenTheDifferenceIsFreedAgain() {
        BudgetBook book = new BudgetBook(List.of(DAILY), new MemorySpendLedger(), Clock.fixed(NOON, ZoneOffset.UTC));
        BudgetBook.Reservation r = book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.90"))
                .reservation().orElseThrow();
        assertThat(book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.20")).exhausted()).isPresent();

        r.settle(Money.of("0.10"));

        assertThat(book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.20")).reservation()).isPresent();
        assertThat(book.statuses().getFirst().spent()).isEqualTo(Money.of("0.10"));
    }

    @Test
    void givenSpendInTheLedger_whenTheBookStarts_thenTheWindowIsRebuiltFromItAndResetsAtMidnight() {
        MemorySpendLedger ledger = new MemorySpendLedger();
        ledger.append(new CostRecord("r1", 1, NOON.minus(Duration.ofHours(1)), "m", "m", "openai", Usage.of(1, 1),
                Money.of("0.95"), Money.of("0.95"), PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(),
                Optional.empty(), Duration.ZERO, Map.of()));
        BudgetBook book = new BudgetBook(List.of(DAILY), ledger, Clock.fixed(NOON, ZoneOffset.UTC));

        BudgetBook.Result result = book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.10"));

        assertThat(result.exhausted()).hasValueSatisfying(e -> {
            assertThat(e.used()).isEqualTo(Money.of("0.95"));
            assertThat(e.resetsAt()).isEqualTo(Instant.parse("2026-11-28T00:00:00Z"));
            assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(12));
        });
        BudgetBook tomorrow = new BudgetBook(List.of(DAILY), ledger,
                Clock.fixed(Instant.parse("2026-11-28T00:00:01Z"), ZoneOffset.UTC));
        assertThat(tomorrow.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.10")).reservation())
                .isPresent();
    }

    @Test
    void givenSpendAndRequestsInFlight_whenOneDoesNotFit_thenTheRefusalTellsSpentFromReserved() {
        for (Optional<dev.costwise.llm.spi.BudgetStore> shared : List.<Optional<dev.costwise.llm.spi.BudgetStore>>of(
                Optional.empty(), Optional.of(new dev.costwise.llm.budget.InMemoryBudgetStore()))) {
            BudgetBook book = new BudgetBook(List.of(DAILY), new MemorySpendLedger(), Clock.fixed(NOON,
                    ZoneOffset.UTC), BudgetBook.UtilizationListener.NONE, shared);
            book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.30")).reservation().orElseThrow()
                    .settle(Money.of("0.20"));
            book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.50")).reservation().orElseThrow();

            assertThat(book.reserve(BudgetBook.Spender.NOBODY, "m", Money.of("0.40")).exhausted())
                    .as(shared.isPresent() ? "shared" : "local").hasValueSatisfying(e -> {
                        assertThat(e.spent()).isEqualTo(Money.of("0.20"));
                        assertThat(e.reserved()).isEqualTo(Money.of("0.50"));
                        assertThat(e.used()).isEqualTo(Money.of("0.70"));
                    });
        }
    }

    @Test
    void givenSharedCounters_whenAKeysBudgetIsChangedOnAnotherReplica_thenStatusesHereShowTheNewLimit() {
        dev.costwise.llm.spi.BudgetStore shared = new dev.costwise.llm.budget.InMemoryBudgetStore();
        MemorySpendLedger ledger = new MemorySpendLedger();
        Clock clock = Clock.fixed(NOON, ZoneOffset.UTC);
        BudgetBook here = new BudgetBook(List.of(), ledger, clock, BudgetBook.UtilizationListener.NONE,
                Optional.of(shared));
        BudgetBook.BudgetedKey before = BudgetBook.BudgetedKey.of("k1", Optional.of(Money.of("0.05")),
                BudgetWindow.DAY, Map.of());
        here.reserve(BudgetBook.Spender.of(before), "m", Money.of("0.03")).reservation().orElseThrow()
                .settle(Money.of("0.03"));
        assertThat(here.statuses(List.of(), List.of(before))).singleElement()
                .satisfies(s -> assertThat(s.limit()).isEqualTo(Money.of("0.05")));

        // PATCHed to $0.04 on another replica; this one reads the key's new budget
        BudgetBook.BudgetedKey after = BudgetBook.BudgetedKey.of("k1", Optional.of(Money.of("0.04")),
                BudgetWindow.DAY, Map.of());

        assertThat(here.reserve(BudgetBook.Spender.of(after), "m", Money.of("0.02")).exhausted()).isPresent();
        assertThat(here.statuses(List.of(), List.of(after))).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("key:k1");
            assertThat(s.limit()).isEqualTo(Money.of("0.04"));
            assertThat(s.spent()).isEqualTo(Money.of("0.03"));
        });
        assertThat(here.statuses()).singleElement()
                .satisfies(s -> assertThat(s.limit()).isEqualTo(Money.of("0.04")));
    }

    /** A clock that reads {@code now}, so a test can move time on. */
}
