package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.BucketState;
import dev.costwise.llm.spi.BudgetStore.Claim;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The Lua-scripted budget store against the real shared Redis, under a random key prefix. */
class RedisBudgetStoreTest {

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    private static final Bucket DAILY = new Bucket("daily", Instant.parse("2026-11-27T00:00:00Z"));
    private static final Bucket TEAM = new Bucket("team-a", Instant.parse("2026-11-01T00:00:00Z"));

    private String prefix;
    private RedisConnection connection;
    private RedisBudgetStore store;

    @BeforeEach
    void open() {
        SharedRedis.requireRunning();
        prefix = SharedRedis.randomPrefix();
        connection = RedisConnection.open(RedisOptions.builder().url(SharedRedis.URL).keyPrefix(prefix)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build());
        store = RedisBudgetStore.on(connection);
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
                .contains(Money.of("0.08"));

        Optional<Money> second = store.reserve(List.of(daily, team), Money.of("0.05"), Money.of("0.05"));

        assertThat(second).isEmpty();
        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.08")));
        assertThat(store.state(TEAM)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.08")));
    }

    /** Runs both combined scripts once on other keys, so a Redis that never saw them has loaded them. */
    private void loadCombinedScripts() {
        Bucket warm = new Bucket("warm-up", DAILY.windowStart());
        store.lookupOrReserve(prefix + ":w", prefix + ":w:lock", "w".getBytes(), Duration.ofSeconds(1),
                List.of(new Claim(warm, Money.of("1.00"))), Money.of("0.01"));
        store.settleAndStore(List.of(warm), Money.of("0.01"), Money.ZERO, prefix + ":w", prefix + ":w:lock",
                "w".getBytes(), Duration.ofSeconds(1), "w".getBytes());
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
        assertThat(first).isEqualTo(new RedisBudgetStore.Lookup.Locked(Optional.of(Money.of("0.06"))));
        assertThat(second).isInstanceOf(RedisBudgetStore.Lookup.LockedElsewhere.class);
        assertThat(store.state(TEAM)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.06"))); // once, not twice
    }

    @Test
    void givenALockedReservation_whenSettledAndStored_thenTheEntryIsAHitTheLockGoneAndNothingReservedByTheHit() {
        String entry = prefix + ":entry";
        String lock = prefix + ":entry:lock";
        List<Claim> claims = List.of(new Claim(DAILY, Money.of("1.00")));
        loadCombinedScripts();
        store.lookupOrReserve(entry, lock, "t1".getBytes(), Duration.ofSeconds(30), claims, Money.of("0.06"));
        long before = connection.roundTrips();

        boolean done = store.settleAndStore(List.of(DAILY), Money.of("0.06"), Money.of("0.02"), entry, lock,
                "answer".getBytes(), Duration.ofMinutes(5), "t1".getBytes());
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

        Optional<Money> got = store.reserve(List.of(new Claim(DAILY, Money.of("1.00")), new Claim(TEAM,
                Money.of("0.50"))), Money.of("0.01"), Money.of("0.40"));

        assertThat(got).contains(Money.of("0.30"));
    }

    @Test
    void givenAReservation_whenSettledForMoreThanReserved_thenSpendIsTheActualCostAndNothingStaysReserved() {
        List<Bucket> buckets = List.of(DAILY, TEAM);
        store.reserve(List.of(new Claim(DAILY, Money.of("1")), new Claim(TEAM, Money.of("1"))), Money.of("0.002"),
                Money.of("0.002"));

        store.settle(buckets, Money.of("0.002"), Money.of("0.0021375"));

        assertThat(store.state(DAILY)).isEqualTo(new BucketState(Money.of("0.0021375"), Money.ZERO));
        assertThat(store.state(TEAM)).isEqualTo(new BucketState(Money.of("0.0021375"), Money.ZERO));
    }

    @Test
    void givenAReservation_whenReleased_thenTheRoomIsBack() {
        store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.of("1"), Money.of("1"));

        store.release(List.of(DAILY), Money.of("1"));

        assertThat(store.state(DAILY)).isEqualTo(BucketState.EMPTY);
        assertThat(store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.of("1"), Money.of("1")))
                .contains(Money.of("1"));
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
        store.reserve(claims, Money.of("0.1"), Money.of("0.1"));
        long afterReserve = connection.roundTrips();
        store.settle(List.of(DAILY, TEAM), Money.of("0.1"), Money.of("0.05"));
        long afterSettle = connection.roundTrips();

        assertThat(afterReserve - before).isEqualTo(1);
        assertThat(afterSettle - afterReserve).isEqualTo(1);
    }

    @Test
    void givenSubNanoAmounts_whenReserving_thenTheLimitIsRoundedDownAndTheAmountUp() {
        Claim claim = new Claim(DAILY, Money.of("0.0000000109")); // 10.9 nano-dollars: room for 10
        assertThat(store.reserve(List.of(claim), Money.of("0.0000000101"), Money.of("0.0000000101"))).isEmpty();
        assertThat(store.reserve(List.of(claim), Money.of("0.00000001"), Money.of("0.00000001")))
                .contains(Money.ofNanos(10));
    }

    @Test
    void givenANegativeMinimum_whenReserving_thenItFailsNamingTheValue() {
        assertThatThrownBy(() -> store.reserve(List.of(new Claim(DAILY, Money.of("1"))), Money.of("-1"),
                Money.of("1"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimum")
                .hasMessageContaining("-1");
    }
}
