package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.BucketState;
import dev.costwise.llm.spi.BudgetStore.Claim;
import dev.costwise.llm.spi.BudgetStore.Grant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The Lua-scripted budget store against the real shared Redis, under a random key prefix. */
class RedisBudgetStoreTest {

    private static final Instant NOW = SharedRedis.TODAY_AT_TEN;
    private static final long A_DAY_ON = NOW.plus(Duration.ofDays(1)).toEpochMilli();
    private static final Bucket DAILY = new Bucket("daily", NOW.truncatedTo(ChronoUnit.DAYS));
    private static final Bucket TEAM = new Bucket("team-a", DAILY.windowStart().minus(Duration.ofDays(26)));

    private String prefix;
    private RedisConnection connection;
    private RedisBudgetStore store;
    /** The daily bucket's key and lease set, for scripts sent by hand. */
    private BudgetWrite.BucketKeys dailyKeys;

    @BeforeEach
    void open() {
        SharedRedis.requireRunning();
        prefix = SharedRedis.randomPrefix();
        // A generous command timeout: these tests are about the counters, and a slow reply on a loaded machine must
        // not send a reservation into the local outage store (the likely cause of one failure under load 20).
        connection = RedisConnection.open(RedisOptions.builder().url(SharedRedis.URL).keyPrefix(prefix)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).socketTimeout(Duration.ofSeconds(5)).build());
        store = RedisBudgetStore.on(connection);
        String window = Long.toString(DAILY.windowStart().toEpochMilli());
        dailyKeys = new BudgetWrite.BucketKeys(List.of(prefix + ":budget:daily:" + window),
                List.of(prefix + ":leases:daily:" + window));
    }

    @AfterEach
    void close() {
        if (connection != null) {
            connection.close();
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
    }

    @Test
    void givenTwoBuckets_whenOneHasNoRoom_thenNothingIsReservedInEither() {
        Claim daily = new Claim(DAILY, Money.of("1.00"));
        Claim team = new Claim(TEAM, Money.of("0.10"));
        assertThat(store.reserve(List.of(daily, team), Money.of("0.08"), Money.of("0.08")))
                .map(Grant::amount).contains(Money.of("0.08"));

        Optional<Grant> second = store.reserve(List.of(daily, team), Money.of("0.05"), Money.of("0.05"));

        assertThat(second).isEmpty();
        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.08")));
        assertThat(store.state(TEAM)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.08")));
    }

    /** Runs both combined scripts once on other keys, so a Redis that never saw them has loaded them. */
    private void loadCombinedScripts() {
        Bucket warm = new Bucket("warm-up", DAILY.windowStart());
        RedisBudgetStore.Lookup locked = store.lookupOrReserve(prefix + ":w", prefix + ":w:lock", "w".getBytes(),
                Duration.ofSeconds(1), List.of(new Claim(warm, Money.of("1.00"))), Money.of("0.01"));
        store.settleAndStore(grantOf(locked), Money.ZERO, prefix + ":w", prefix + ":w:lock", "w".getBytes(),
                Duration.ofSeconds(1), "w".getBytes());
    }

    private static Grant grantOf(RedisBudgetStore.Lookup lookup) {
        return ((RedisBudgetStore.Lookup.Locked) lookup).grant().orElseThrow();
    }

    @Test
    void givenAnAbsentEntry_whenLookingUpOrReserving_thenTheLockIsTakenAndEveryBucketReservedInOneRoundTrip() {
        String entry = prefix + ":entry";
        String lock = prefix + ":entry:lock";
        List<Claim> claims = List.of(new Claim(DAILY, Money.of("1.00")), new Claim(TEAM, Money.of("0.10")));
        loadCombinedScripts();
        long before = connection.roundTrips();

        RedisBudgetStore.Lookup first = store.lookupOrReserve(entry, lock, "t1".getBytes(), Duration.ofSeconds(30),
                claims, Money.of("0.06"));
        RedisBudgetStore.Lookup second = store.lookupOrReserve(entry, lock, "t2".getBytes(), Duration.ofSeconds(30),
                claims, Money.of("0.06"));

        assertThat(connection.roundTrips() - before).isEqualTo(2);
        assertThat(grantOf(first)).extracting(Grant::buckets, Grant::amount)
                .containsExactly(List.of(DAILY, TEAM), Money.of("0.06"));
        assertThat(second).isInstanceOf(RedisBudgetStore.Lookup.LockedElsewhere.class);
        assertThat(store.state(TEAM)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.06"))); // once, not twice
    }

    @Test
    void givenALockedReservation_whenSettledAndStored_thenTheEntryIsAHitTheLockGoneAndNothingReservedByTheHit() {
        String entry = prefix + ":entry";
        String lock = prefix + ":entry:lock";
        List<Claim> claims = List.of(new Claim(DAILY, Money.of("1.00")));
        loadCombinedScripts();
        Grant grant = grantOf(store.lookupOrReserve(entry, lock, "t1".getBytes(), Duration.ofSeconds(30), claims,
                Money.of("0.06")));
        long before = connection.roundTrips();

        boolean done = store.settleAndStore(grant, Money.of("0.02"), entry, lock, "answer".getBytes(),
                Duration.ofMinutes(5), "t1".getBytes());
        BucketState settled = store.state(DAILY); // answered from the settle's reply
        RedisBudgetStore.Lookup hit = store.lookupOrReserve(entry, lock, "t2".getBytes(), Duration.ofSeconds(30),
                claims, Money.of("0.06"));

        assertThat(done).isTrue();
        assertThat(connection.roundTrips() - before).isEqualTo(2);
        assertThat(settled).isEqualTo(new BucketState(Money.of("0.02"), Money.ZERO));
        assertThat(hit).isInstanceOfSatisfying(RedisBudgetStore.Lookup.Hit.class,
                h -> assertThat(new String(h.value())).isEqualTo("answer"));
        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.02"), Money.ZERO));
        try (RedisClient client = RedisClient.create(SharedRedis.URL)) {
            assertThat(client.exists(lock)).isFalse();
        }
    }

    @Test
    void givenNoRoom_whenLookingUpOrReserving_thenTheLockIsTakenButNothingReserved() {
        List<Claim> claims = List.of(new Claim(DAILY, Money.of("0.05")));

        RedisBudgetStore.Lookup got = store.lookupOrReserve(prefix + ":e", prefix + ":e:lock", "t".getBytes(),
                Duration.ofSeconds(30), claims, Money.of("0.06"));

        assertThat(got).isEqualTo(new RedisBudgetStore.Lookup.Locked(Optional.empty()));
        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.ZERO, Money.ZERO));
    }

    @Test
    void givenARange_whenReserving_thenTheLargestAmountEveryBucketHasRoomForIsTaken() {
        store.restore(DAILY, Money.of("0.70"));

        Optional<Grant> got = store.reserve(List.of(new Claim(DAILY, Money.of("1.00")), new Claim(TEAM,
                Money.of("0.50"))), Money.of("0.01"), Money.of("0.40"));

        assertThat(got).map(Grant::amount).contains(Money.of("0.30"));
    }

    @Test
    void givenAReservation_whenSettledForMoreThanReserved_thenSpendIsTheActualCostAndNothingStaysReserved() {
        Grant grant = store.reserve(List.of(new Claim(DAILY, Money.of("1")), new Claim(TEAM, Money.of("1"))),
                Money.of("0.002"), Money.of("0.002")).orElseThrow();

        store.settle(grant, Money.of("0.0021375"));

        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.0021375"), Money.ZERO));
        assertThat(store.state(TEAM)).isEqualTo(new BucketState(Money.of("0.0021375"), Money.ZERO));
    }

    @Test
    void givenAReservation_whenReleased_thenTheRoomIsBack() {
        Grant grant = store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.of("1"), Money.of("1"))
                .orElseThrow();

        Grant left = store.release(grant, Money.of("1"));

        assertThat(left.amount()).isEqualTo(Money.ZERO);
        assertThat(store.state(DAILY)).isEqualTo(BucketState.EMPTY);
        assertThat(store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.of("1"), Money.of("1")))
                .map(Grant::amount).contains(Money.of("1"));
    }

    @Test
    void givenASettleSentAgain_whenItArrivesTwice_thenItCountsOnce() {
        Grant grant = store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.of("0.30"), Money.of("0.30"))
                .orElseThrow();

        store.settle(grant, Money.of("0.25"));
        store.settle(grant, Money.of("0.25")); // as a replay after a timeout would

        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.25"), Money.ZERO));
    }

    @Test
    void givenAReleaseSentAgain_whenItArrivesTwice_thenItGivesBackOnce() {
        Grant grant = store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.of("0.30"), Money.of("0.30"))
                .orElseThrow();

        store.release(grant, Money.of("0.10"));
        Grant left = store.release(grant, Money.of("0.10"));

        assertThat(left.amount()).isEqualTo(Money.of("0.20"));
        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.20")));
        store.settle(left, Money.of("0.15"));
        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.15"), Money.ZERO));
    }

    @Test
    void givenAVoidedReservation_whenItArrivesLate_thenNothingIsReserved() {
        String hold = prefix + ":hold:late";
        new BudgetWrite.VoidReservation(hold, dailyKeys, A_DAY_ON).sendTo(connection);

        Object late = connection.eval(BudgetScripts.RESERVE, dailyKeys.after(hold), reserveArgs(100, A_DAY_ON));

        assertThat(late).isEqualTo(List.of(-2L));
        assertThat(store.state(DAILY)).isEqualTo(BucketState.EMPTY);
    }

    @Test
    void givenAReservationMadeBeforeItsVoid_whenVoided_thenItIsUndone() {
        String hold = prefix + ":hold:early";
        connection.eval(BudgetScripts.RESERVE, dailyKeys.after(hold), reserveArgs(100, A_DAY_ON));
        assertThat(store.state(DAILY).reserved()).isEqualTo(Money.ofNanos(100));

        new BudgetWrite.VoidReservation(hold, dailyKeys, A_DAY_ON).sendTo(connection);
        new BudgetWrite.VoidReservation(hold, dailyKeys, A_DAY_ON).sendTo(connection);

        assertThat(store.state(DAILY)).isEqualTo(BucketState.EMPTY);
    }

    /**
     * RESERVE's arguments for {@code nanos} in the daily bucket (limit $1), made now, its lease ending at
     * {@code leaseEnd} (epoch ms); bucket and hold expire a day on.
     */
    private static List<String> reserveArgs(long nanos, long leaseEnd) {
        return List.of(Long.toString(nanos), Long.toString(nanos), "1000000000", Long.toString(A_DAY_ON),
                Long.toString(A_DAY_ON), Long.toString(NOW.toEpochMilli()), Long.toString(leaseEnd));
    }

    @Test
    void givenAReplicaThatDiedMidCall_whenItsLeaseHasEnded_thenTheNextReservationGetsItsRoomBack() {
        List<Claim> claims = List.of(new Claim(DAILY, Money.of("1")), new Claim(TEAM, Money.of("1")));
        store.reserve(claims, Money.of("0.80"), Money.of("0.80")).orElseThrow(); // and never settled: it died
        Duration lease = connection.options().reservationLease();

        try (RedisConnection justBefore = replicaAt(NOW.plus(lease).minusSeconds(1));
                RedisConnection justAfter = replicaAt(NOW.plus(lease).plusSeconds(1))) {
            assertThat(RedisBudgetStore.on(justBefore).reserve(claims, Money.of("0.50"), Money.of("0.50")))
                    .as("the lease still runs").isEmpty();
            assertThat(RedisBudgetStore.on(justAfter).reserve(claims, Money.of("0.50"), Money.of("0.50")))
                    .map(Grant::amount).contains(Money.of("0.50"));
        }

        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.50")));
        assertThat(store.state(TEAM)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.50")));
    }

    @Test
    void givenADeadReplicasReservation_whenItsLeaseHasEnded_thenAStateReadShowsItsRoomFree() {
        store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.of("0.80"), Money.of("0.80")).orElseThrow();
        Duration lease = connection.options().reservationLease();

        try (RedisConnection justBefore = replicaAt(NOW.plus(lease).minusSeconds(1));
                RedisConnection justAfter = replicaAt(NOW.plus(lease).plusSeconds(1))) {
            assertThat(RedisBudgetStore.on(justBefore).state(DAILY))
                    .isEqualTo(new BucketState(Money.ZERO, Money.of("0.80")));
            assertThat(RedisBudgetStore.on(justAfter).state(DAILY)).isEqualTo(BucketState.EMPTY);
        }
    }

    @Test
    void givenADeadReplicasPartlyReleasedReservation_whenItsLeaseEnds_thenOnlyWhatItStillHeldIsGivenBack() {
        List<Claim> claims = List.of(new Claim(DAILY, Money.of("1")));
        Grant dead = store.reserve(claims, Money.of("0.80"), Money.of("0.80")).orElseThrow();
        store.release(dead, Money.of("0.50")); // a fallback's prices: 0.30 stays held, then the replica died
        Duration lease = connection.options().reservationLease();

        try (RedisConnection live = replicaAt(NOW.plus(lease).minusSeconds(1));
                RedisConnection later = replicaAt(NOW.plus(lease).plusSeconds(1))) {
            RedisBudgetStore.on(live).reserve(claims, Money.of("0.20"), Money.of("0.20")).orElseThrow();
            RedisBudgetStore.on(later).reserve(claims, Money.of("0.10"), Money.of("0.10")).orElseThrow();
        }

        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.30")));
    }

    @Test
    void givenACallThatOutlivedItsLease_whenItSettlesLate_thenItsSpendCountsOnceAndNothingIsGivenBackTwice() {
        List<Claim> claims = List.of(new Claim(DAILY, Money.of("1")));
        Grant slow = store.reserve(claims, Money.of("0.30"), Money.of("0.30")).orElseThrow();
        try (RedisConnection later = replicaAt(NOW.plus(connection.options().reservationLease()).plusSeconds(1))) {
            RedisBudgetStore.on(later).reserve(claims, Money.of("0.50"), Money.of("0.50")).orElseThrow();
        }

        Grant left = store.release(slow, Money.of("0.10"));
        assertThat(store.state(DAILY)).as("a release after the lease ended gives back nothing")
                .isEqualTo(new BucketState(Money.ZERO, Money.of("0.50")));
        store.settle(left, Money.of("0.25"));
        store.settle(left, Money.of("0.25"));

        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.25"), Money.of("0.50")));
    }

    @Test
    void givenAVoidAfterTheLeaseEnded_whenSent_thenNothingIsGivenBackTwice() {
        String hold = prefix + ":hold:slow";
        connection.eval(BudgetScripts.RESERVE, dailyKeys.after(hold),
                reserveArgs(300_000_000, NOW.plusSeconds(60).toEpochMilli()));
        try (RedisConnection later = replicaAt(NOW.plusSeconds(61))) {
            RedisBudgetStore.on(later).reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.of("0.50"),
                    Money.of("0.50")).orElseThrow();
        }

        new BudgetWrite.VoidReservation(hold, dailyKeys, A_DAY_ON).sendTo(connection);

        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.50")));
    }

    /** @return a connection to the same Redis and prefix for another replica whose clock reads {@code at} */
    private RedisConnection replicaAt(Instant at) {
        return RedisConnection.open(connection.options().toBuilder().clock(Clock.fixed(at, ZoneOffset.UTC)).build());
    }

    @Test
    void givenLocalSpendPushedAgain_whenItArrivesTwice_thenItCountsOnceToThePicoDollar() {
        String bucket = dailyKeys.keys().getFirst();
        BudgetWrite push = new BudgetWrite.PushSpend(prefix + ":pushed:1", bucket, new NanosAndPicos(70, 600),
                A_DAY_ON, A_DAY_ON);
        BudgetWrite another = new BudgetWrite.PushSpend(prefix + ":pushed:2", bucket, new NanosAndPicos(0, 401),
                A_DAY_ON, A_DAY_ON);

        push.sendTo(connection);
        push.sendTo(connection);
        another.sendTo(connection);

        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.000000071001"), Money.ZERO));
    }

    @Test
    void givenManySettlesOfFractionsOfANanoDollar_whenSummed_thenRedisSpendIsTheLedgerSumToThePicoDollar() {
        List<Claim> claims = List.of(new Claim(DAILY, Money.of("1")), new Claim(TEAM, Money.of("1")));
        List<Money> costs = List.of(Money.of("0.0000004321"), Money.of("0.000000000777"), Money.of("0.000000001999"));
        Money ledgerSum = Money.ZERO; // the ledger keeps each cost to the pico-dollar and sums them exactly
        for (int i = 0; i < 300; i++) {
            Money cost = costs.get(i % costs.size());
            store.settle(store.reserve(claims, cost, cost).orElseThrow(), cost);
            ledgerSum = ledgerSum.plus(cost);
        }

        assertThat(ledgerSum).isEqualTo(Money.of("0.0000434876")); // 100 of each
        assertThat(store.state(DAILY)).isEqualTo(new BucketState(ledgerSum, Money.ZERO));
        assertThat(store.state(TEAM)).isEqualTo(new BucketState(ledgerSum, Money.ZERO));
    }

    @Test
    void givenSpendInFractionsOfANanoDollar_whenReservingAtTheLimit_thenItHoldsExactlyThere() {
        List<Claim> claims = List.of(new Claim(DAILY, Money.of("0.000001"))); // 1,000 nano-dollars
        Money oneNano = Money.ofNanos(1);
        for (String cost : List.of("0.0000003333", "0.0000003333", "0.0000003324")) { // 999 nano-dollars in all
            store.settle(store.reserve(claims, oneNano, oneNano).orElseThrow(), Money.of(cost));
        }

        Grant last = store.reserve(claims, oneNano, oneNano).orElseThrow(); // exactly the last nano-dollar
        assertThat(store.reserve(claims, oneNano, oneNano)).isEmpty();
        store.settle(last, Money.of("0.0000000005"));

        // 999.5 nano-dollars spent: the half left is not a whole nano-dollar of room
        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.0000009995"), Money.ZERO));
        assertThat(store.reserve(claims, oneNano, oneNano)).isEmpty();
        assertThat(store.reserve(claims, Money.ZERO, oneNano)).map(Grant::amount).contains(Money.ZERO);
    }

    @Test
    void givenABucketWrittenWithoutPicoDollars_whenSpendInFractionsIsAdded_thenItsMissingRemainderCountsAsZero() {
        try (RedisClient client = RedisClient.create(SharedRedis.URL)) {
            client.hset(dailyKeys.keys().getFirst(), Map.of("spent", "100", "reserved", "0"));
        }
        Grant grant = store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.ofNanos(1), Money.ofNanos(1))
                .orElseThrow();

        store.settle(grant, Money.of("0.0000000005"));

        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.0000001005"), Money.ZERO));
    }

    @Test
    void givenSpendFromTheLedger_whenRestored_thenItIsKeptToThePicoDollarRoundedUpAsTheLedgerStoresIt() {
        store.restore(DAILY, Money.of("0.4000000001234"));
        store.restore(DAILY, Money.of("0.50")); // Redis has spend already: left as it is

        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.400000000124"), Money.ZERO));
    }

    @Test
    void givenASettleThatFoundNoFreeConnection_whenTheNextSettleSucceeds_thenItIsSentAlong() throws Exception {
        RedisOptions narrowOptions = connection.options().toBuilder().poolSize(1).poolWait(Duration.ofMillis(50))
                .socketTimeout(Duration.ofSeconds(10)).build();
        try (RedisConnection narrow = RedisConnection.open(narrowOptions);
                RedisClient client = RedisClient.create(SharedRedis.URL)) {
            RedisBudgetStore one = RedisBudgetStore.on(narrow);
            List<Claim> claims = List.of(new Claim(DAILY, Money.of("1")));
            Grant first = one.reserve(claims, Money.of("0.10"), Money.of("0.10")).orElseThrow();
            Grant second = one.reserve(claims, Money.of("0.20"), Money.of("0.20")).orElseThrow();
            String list = prefix + ":blocker";
            long blockedBefore = blockedClients(client);
            Thread blocker = Thread.ofPlatform().start(() -> narrow.call(c -> c.blpop(5, list)));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (blockedClients(client) == blockedBefore) { // until the pool's only connection waits in BLPOP
                assertThat(System.nanoTime()).as("BLPOP never blocked").isLessThan(deadline);
            }

            one.settle(first, Money.of("0.05")); // no connection free while Redis answers: kept for later
            assertThat(narrow.isAvailable()).isTrue();
            assertThat(one.pendingWrites()).isEqualTo(1);
            client.lpush(list, "go");
            blocker.join();
            one.settle(second, Money.of("0.15"));

            assertThat(one.pendingWrites()).isZero();
            assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.20"), Money.ZERO));
        }
    }

    private static long blockedClients(RedisClient client) {
        return client.info("clients").lines().filter(l -> l.startsWith("blocked_clients:"))
                .mapToLong(l -> Long.parseLong(l.substring("blocked_clients:".length()).trim())).sum();
    }

    @Test
    void givenTwoReplicasStartingTogether_whenBothRestoreFromTheLedger_thenSpendIsCountedOnce() {
        try (RedisConnection other = RedisConnection.open(connection.options())) {
            RedisBudgetStore replica2 = RedisBudgetStore.on(other);

            store.restore(DAILY, Money.of("0.40"));
            replica2.restore(DAILY, Money.of("0.40"));

            assertThat(store.state(DAILY).spent()).isEqualTo(Money.of("0.40"));
            assertThat(replica2.state(DAILY).spent()).isEqualTo(Money.of("0.40"));
        }
    }

    @Test
    void givenABucket_whenWritten_thenItsKeyExpiresAfterTheRetentionFromItsWindowStart() {
        store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.ZERO, Money.of("0.5"));

        try (RedisClient client = RedisClient.create(SharedRedis.URL)) {
            String key = prefix + ":budget:daily:" + DAILY.windowStart().toEpochMilli();
            long expiresAt = client.pexpireTime(key);
            assertThat(expiresAt).isEqualTo(DAILY.windowStart().plus(connection.options().bucketRetention())
                    .toEpochMilli());
        }
    }

    @Test
    void givenEachOperation_whenRun_thenItIsOneRoundTrip() {
        List<Claim> claims = List.of(new Claim(DAILY, Money.of("1")), new Claim(TEAM, Money.of("1")));
        long before = connection.roundTrips();
        Grant grant = store.reserve(claims, Money.of("0.1"), Money.of("0.1")).orElseThrow();
        long afterReserve = connection.roundTrips();
        store.settle(grant, Money.of("0.05"));
        long afterSettle = connection.roundTrips();

        assertThat(afterReserve - before).isEqualTo(1);
        assertThat(afterSettle - afterReserve).isEqualTo(1);
    }

    @Test
    void givenSubNanoAmounts_whenReserving_thenTheLimitIsRoundedDownAndTheAmountUp() {
        Claim claim = new Claim(DAILY, Money.of("0.0000000109")); // 10.9 nano-dollars: room for 10
        assertThat(store.reserve(List.of(claim), Money.of("0.0000000101"), Money.of("0.0000000101"))).isEmpty();
        assertThat(store.reserve(List.of(claim), Money.of("0.00000001"), Money.of("0.00000001")))
                .map(Grant::amount).contains(Money.ofNanos(10));
    }

    @Test
    void givenANegativeMinimum_whenReserving_thenItFailsNamingTheValue() {
        assertThatThrownBy(() -> store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.of("-1"),
                Money.of("1"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimum")
                .hasMessageContaining("-1");
    }
}
