package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.alert.Alert;
import dev.costwise.llm.alert.AlertSeverity;
import dev.costwise.llm.budget.InMemorySpendLedger;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.BucketState;
import dev.costwise.llm.spi.BudgetStore.Claim;
import dev.costwise.llm.spi.BudgetStore.Grant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis going away under two replicas: each test runs its OWN redis-server child process on a free port and stops,
 * freezes or restarts it; the shared server is never touched.
 */
class RedisOutageTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);
    private static final Money LIMIT = Money.of("1.00");

    private OwnRedisServer server;
    private final List<Alert> alerts = new CopyOnWriteArrayList<>();
    private final CountDownLatch bothDown = new CountDownLatch(2);
    private final CountDownLatch bothBack = new CountDownLatch(2);
    private final InMemorySpendLedger ledger = new InMemorySpendLedger();
    private Replica a;
    private Replica b;
    private int asked;

    @BeforeEach
    void start() {
        server = OwnRedisServer.start();
        a = replica(1);
        b = replica(2);
    }

    private Replica replica(long seed) {
        RedisHealthListener alerting = RedisHealthListener.alerting(alerts::add, CLOCK);
        RedisHealthListener listener = new RedisHealthListener() {
            @Override
            public void onUnavailable(String redis, Throwable cause) {
                alerting.onUnavailable(redis, cause);
                bothDown.countDown();
            }

            @Override
            public void onRecovered(String redis, Duration downFor) {
                alerting.onRecovered(redis, downFor);
                bothBack.countDown();
            }
        };
        RedisOptions options = RedisOptions.builder().url(server.url()).keyPrefix("costwise").clock(CLOCK)
                .localShare(0.5).probeInitialBackoff(Duration.ofMillis(20)).probeMaxBackoff(Duration.ofMillis(200))
                .listener(listener).build();
        Replica r = new Replica(options, LIMIT, seed);
        r.redis.budgetStore().rebuildOnDataLoss(() -> r.budgets.rebuildFrom(ledger));
        return r;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (a != null) {
            a.close();
            b.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Asks {@code replica} a new question, writing its cost records to the ledger as the gateway does. */
    private ChatResponse ask(Replica replica) {
        return ask(replica, "Question " + (asked++) + ": name a prime number above " + asked * 7);
    }

    private ChatResponse ask(Replica replica, String text) {
        WorkflowContext ctx = replica.context();
        ChatResponse response = replica.model.execute(Replica.question(text), ctx);
        CostRecords.of(ctx).forEach(ledger::append);
        return response;
    }

    private Money ledgerTotal() {
        return ledger.totalCost(Map.of(), Instant.EPOCH, Instant.MAX);
    }

    @Test
    void givenRedisKilled_whenRequestsArrive_thenTheyAreServedLocallyAndAfterARestartSharingResumesFromTheLedger()
            throws Exception {
        for (int i = 0; i < 4; i++) {
            ask(i % 2 == 0 ? a : b);
        }
        Money beforeOutage = ledgerTotal();
        assertThat(a.budgets.status("daily").spent()).isEqualTo(beforeOutage);

        server.stop();
        for (int i = 0; i < 6; i++) {
            assertThat(ask(i % 2 == 0 ? a : b).priceStatus()).isEqualTo(PriceStatus.PRICED);
        }

        assertThat(bothDown.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(a.redis.connection().isAvailable()).isFalse();
        assertThat(a.model.stats().bypasses()).isEqualTo(3);
        assertThat(b.model.stats().bypasses()).isEqualTo(3);
        assertThat(a.redis.budgetStore().localReservations()).isEqualTo(3);
        assertThat(alerts).filteredOn(x -> x.rule().equals("redis-unavailable")).hasSize(2)
                .allSatisfy(x -> assertThat(x.severity()).isEqualTo(AlertSeverity.CRITICAL));

        server.restart(); // empty: no persistence
        assertThat(bothBack.await(20, TimeUnit.SECONDS)).isTrue();

        // Redis lost its counters; both replicas rebuilt them from the ledger, which holds the outage spend once
        assertThat(a.budgets.status("daily").spent()).isEqualTo(ledgerTotal());
        assertThat(ledgerTotal()).isGreaterThan(beforeOutage);
        assertThat(alerts).filteredOn(x -> x.rule().equals("redis-recovered")).hasSize(2);
        ChatResponse viaA = ask(a, "After the outage: what is 6 times 7?");
        ChatResponse viaB = ask(b, "After the outage: what is 6 times 7?");
        assertThat(viaB.priceStatus()).isEqualTo(PriceStatus.CACHE_HIT);
        assertThat(viaB.text()).isEqualTo(viaA.text());
        assertThat(a.budgets.status("daily").spent()).isEqualTo(ledgerTotal());
        assertThat(b.budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenRedisFrozen_whenRequestsAreServedLocally_thenTheirSpendIsPushedBackOnceWhenItAnswersAgain()
            throws Exception {
        for (int i = 0; i < 4; i++) {
            ask(i % 2 == 0 ? a : b);
        }

        server.freeze(); // connections hang until the 200 ms socket timeout; the data stays
        try {
            for (int i = 0; i < 6; i++) {
                ask(i % 2 == 0 ? a : b);
            }
            assertThat(bothDown.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(a.redis.budgetStore().localReservations() + b.redis.budgetStore().localReservations())
                    .isEqualTo(6);
        } finally {
            server.thaw();
        }
        assertThat(bothBack.await(20, TimeUnit.SECONDS)).isTrue();

        assertThat(a.budgets.status("daily").spent()).isEqualTo(ledgerTotal());
        assertThat(a.budgets.status("daily").reserved()).isEqualTo(Money.ZERO);
        assertThat(a.redis.budgetStore().pendingWrites()).isZero();
        assertThat(b.redis.budgetStore().pendingWrites()).isZero();
    }

    @Test
    void givenReservationsMadeBeforeAndDuringAnOutage_whenSettled_thenEachIsSettledWhereItWasMade()
            throws Exception {
        RedisBudgetStore store = a.redis.budgetStore();
        Bucket team = new Bucket("team", Instant.parse("2026-11-27T00:00:00Z"));
        List<Claim> claims = List.of(new Claim(team, LIMIT));
        Grant early = store.reserve(claims, Money.of("0.10"), Money.of("0.10")).orElseThrow();
        Grant stillRunning = store.reserve(claims, Money.of("0.15"), Money.of("0.15")).orElseThrow();

        server.freeze();
        try {
            Grant during = store.reserve(claims, Money.of("0.20"), Money.of("0.20")).orElseThrow();
            b.redis.budgetStore().state(team); // so that b notices the outage too
            assertThat(bothDown.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(store.localReservations()).isEqualTo(1);
            // The local store holds 0.20, enough to cover the early 0.10: only the grant says it was made in Redis.
            store.settle(early, Money.of("0.08"));
            store.settle(during, Money.of("0.05"));
        } finally {
            server.thaw();
        }
        assertThat(bothBack.await(20, TimeUnit.SECONDS)).isTrue();

        assertThat(store.pendingWrites()).isZero();
        assertThat(store.state(team)).isEqualTo(new BucketState(Money.of("0.13"), Money.of("0.15")));
        store.settle(stillRunning, Money.of("0.12"));
        assertThat(b.redis.budgetStore().state(team)).isEqualTo(new BucketState(Money.of("0.25"), Money.ZERO));
    }

    @Test
    void givenFractionsOfANanoDollarSpentLocally_whenRedisAnswersAgain_thenThePushedSpendIsExact() throws Exception {
        RedisBudgetStore store = a.redis.budgetStore();
        Bucket team = new Bucket("team", Instant.parse("2026-11-27T00:00:00Z"));
        List<Claim> claims = List.of(new Claim(team, LIMIT));

        server.freeze();
        try {
            Grant first = store.reserve(claims, Money.of("0.01"), Money.of("0.01")).orElseThrow();
            Grant second = store.reserve(claims, Money.of("0.01"), Money.of("0.01")).orElseThrow();
            b.redis.budgetStore().state(team); // so that b notices the outage too
            assertThat(bothDown.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(store.localReservations()).isEqualTo(2);
            store.settle(first, Money.of("0.0000000006"));
            store.settle(second, Money.of("0.0100000007")); // summed locally: 1.3 nano-dollars past a cent
        } finally {
            server.thaw();
        }
        assertThat(bothBack.await(20, TimeUnit.SECONDS)).isTrue();

        assertThat(store.pendingWrites()).isZero();
        assertThat(b.redis.budgetStore().state(team))
                .isEqualTo(new BucketState(Money.of("0.0100000013"), Money.ZERO));
    }

    @Test
    void givenASettleWhoseReplyNeverCame_whenRedisAnswersAgain_thenItIsCountedOnce() throws Exception {
        RedisBudgetStore store = a.redis.budgetStore();
        Bucket team = new Bucket("team", Instant.parse("2026-11-27T00:00:00Z"));
        Grant grant = store.reserve(List.of(new Claim(team, LIMIT)), Money.of("0.10"), Money.of("0.10"))
                .orElseThrow();
        Grant earlier = store.reserve(List.of(new Claim(team, LIMIT)), Money.of("0.01"), Money.of("0.01"))
                .orElseThrow();
        store.settle(earlier, Money.of("0.01")); // Redis has the settle script loaded, so a late EVALSHA runs

        server.freeze();
        try {
            store.settle(grant, Money.of("0.08")); // sent, then timed out: Redis runs it when it thaws
            b.redis.budgetStore().state(team);
            assertThat(bothDown.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(store.pendingWrites()).isEqualTo(1);
        } finally {
            server.thaw();
        }
        assertThat(bothBack.await(20, TimeUnit.SECONDS)).isTrue();

        assertThat(store.pendingWrites()).isZero();
        assertThat(store.state(team)).isEqualTo(new BucketState(Money.of("0.09"), Money.ZERO));
    }

    @Test
    void givenACallRunningWhenRedisLostItsData_whenSettled_thenItsSpendIsCountedThoughItsHoldIsGone()
            throws Exception {
        RedisBudgetStore store = a.redis.budgetStore();
        Bucket team = new Bucket("team", Instant.parse("2026-11-27T00:00:00Z"));
        Grant running = store.reserve(List.of(new Claim(team, LIMIT)), Money.of("0.10"), Money.of("0.10"))
                .orElseThrow();

        server.stop();
        store.state(team);
        b.redis.budgetStore().state(team);
        assertThat(bothDown.await(5, TimeUnit.SECONDS)).isTrue();
        server.restart(); // empty: the hold and the counters are gone
        assertThat(bothBack.await(20, TimeUnit.SECONDS)).isTrue();
        store.settle(running, Money.of("0.08"));

        assertThat(b.redis.budgetStore().state(team)).isEqualTo(new BucketState(Money.of("0.08"), Money.ZERO));
    }

    @Test
    void givenRedisDown_whenAReplicaSpendsItsShare_thenItStopsAtHalfTheLimit() throws Exception {
        server.stop();
        ask(a); // notices the outage
        assertThat(bothDown.getCount()).isEqualTo(1);

        int served = 1;
        try {
            while (served < 1000) {
                ask(a);
                served++;
            }
        } catch (dev.costwise.llm.budget.BudgetExceededException expected) {
            // the local share is used up
        }

        Money spentLocally = ledgerTotal();
        assertThat(spentLocally).isLessThanOrEqualTo(LIMIT.times(new java.math.BigDecimal("0.5")));
        assertThat(spentLocally).isGreaterThan(Money.of("0.45"));
        assertThat(a.budgets.status("daily").spent()).isEqualTo(spentLocally);
    }

    @Test
    void givenSpendBeforeTheOutage_whenAReplicaFallsBack_thenItMayAddItsShareOfWhatIsLeftAndNoMore() throws Exception {
        RedisBudgetStore store = a.redis.budgetStore();
        Bucket bucket = new Bucket("team-red", Instant.parse("2026-11-27T00:00:00Z"));
        store.fallbackSpendFrom(b -> b.equals(bucket) ? java.util.Optional.of(Money.of("0.40"))
                : java.util.Optional.empty());
        server.stop();
        List<Claim> claims = List.of(new Claim(bucket, LIMIT));

        // $0.60 left of $1.00: half of it, $0.30, is this replica's while Redis is down
        Grant first = store.reserve(claims, Money.of("0.25"), Money.of("0.25")).orElseThrow();
        assertThat(store.reserve(claims, Money.of("0.06"), Money.of("0.06"))).isEmpty();
        Grant rest = store.reserve(claims, Money.of("0.05"), Money.of("0.05")).orElseThrow();

        assertThat(store.localReservations()).isEqualTo(3);
        assertThat(store.state(bucket)).isEqualTo(new BucketState(Money.of("0.40"), Money.of("0.30")));
        store.settle(first, Money.of("0.25"));
        store.release(rest, Money.of("0.05"));
        assertThat(store.state(bucket)).isEqualTo(new BucketState(Money.of("0.65"), Money.ZERO));
    }

    @Test
    void givenReservationsInFlightWhenRedisDrops_whenAReplicaFallsBack_thenItsShareIsOfWhatTheyLeft() throws Exception {
        RedisBudgetStore store = a.redis.budgetStore();
        RedisBudgetStore other = b.redis.budgetStore();
        Bucket bucket = new Bucket("team-red", Instant.parse("2026-11-27T00:00:00Z"));
        List<Claim> claims = List.of(new Claim(bucket, LIMIT));
        store.fallbackSpendFrom(b -> b.equals(bucket) ? java.util.Optional.of(Money.of("0.10"))
                : java.util.Optional.empty()); // the ledger has the one call settled
        other.settle(other.reserve(claims, Money.of("0.10"), Money.of("0.10")).orElseThrow(), Money.of("0.10"));
        other.reserve(claims, Money.of("0.30"), Money.of("0.30")).orElseThrow(); // in flight on the other replica
        store.reserve(claims, Money.of("0.05"), Money.of("0.05")).orElseThrow(); // its reply: $0.45 held or spent

        server.stop();
        other.state(new Bucket("elsewhere", bucket.windowStart())); // b notices the outage (its settle's reply
        // would answer a read of the team's bucket)

        // $0.45 counted at fallback, $0.55 left of $1.00: half of it, $0.275, is this replica's while Redis is down
        assertThat(store.reserve(claims, Money.of("0.28"), Money.of("0.28"))).isEmpty();
        Grant during = store.reserve(claims, Money.of("0.275"), Money.of("0.275")).orElseThrow();
        assertThat(store.localReservations()).isEqualTo(2);
        assertThat(store.state(bucket)).isEqualTo(new BucketState(Money.of("0.10"), Money.of("0.625")));
        store.release(during, during.amount());

        assertThat(bothDown.await(5, TimeUnit.SECONDS)).isTrue();
        server.restart();
        assertThat(bothBack.await(20, TimeUnit.SECONDS)).isTrue();
        server.stop(); // a second outage, with nothing read from Redis in between
        assertThat(store.state(bucket)).as("what was in flight at the first outage is held no more")
                .isEqualTo(new BucketState(Money.of("0.10"), Money.ZERO));
    }
}
