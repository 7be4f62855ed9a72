package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.RedisSettings;
import dev.costwise.llm.spi.BudgetStore;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.Claim;
import dev.costwise.redis.SharedRedis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lease of a gateway's shared budget reservations against the real Redis: a replica that died mid-call holds its
 * room until the lease ends, and the lease outlasts the gateway's request deadline.
 */
class RedisSharingLeaseTest {
    private static final Instant DIED_AT = SharedRedis.TODAY_AT_TEN;
    private static final List<Claim> ONE_DOLLAR_A_DAY = List.of(
            new Claim(new Bucket("daily", DIED_AT.truncatedTo(ChronoUnit.DAYS)), Money.of("1.00")));

    private final String prefix = SharedRedis.randomPrefix();

    @AfterEach
    void deleteKeys() {
        SharedRedis.deleteAll(SharedRedis.URL, prefix);
    }

    /** What a replica whose clock reads {@code at} and whose requests time out after {@code timeout} may reserve. */
    private Optional<BudgetStore.Grant> reserve(Instant at, Duration timeout, Money amount) {
        RedisSettings settings = new RedisSettings(SharedRedis.URL, prefix, 0.5, Duration.ofMillis(500));
        try (RedisSharing replica = RedisSharing.connect(settings, alert -> { },
                Clock.fixed(at, ZoneOffset.UTC), timeout, new UpstreamCutoff())) {
            return replica.budgetStore().reserve(ONE_DOLLAR_A_DAY, amount, amount);
        }
    }

    @Test
    void givenTheDefaultRequestTimeout_whenAReplicaDiedHoldingAReservation_thenItsRoomIsBackAfterFifteenMinutes() {
        SharedRedis.requireRunning();
        Duration timeout = Duration.ofSeconds(120);
        assertThat(reserve(DIED_AT, timeout, Money.of("0.80"))).isPresent(); // never settled: the replica died

        assertThat(reserve(DIED_AT.plus(Duration.ofMinutes(14)), timeout, Money.of("0.50"))).isEmpty();
        assertThat(reserve(DIED_AT.plus(Duration.ofMinutes(16)), timeout, Money.of("0.50"))).isPresent();
    }

    @Test
    void givenRequestsThatMayRunHalfAnHour_whenAReplicaDiedHoldingAReservation_thenItsRoomIsHeldUntilTheyCouldEnd() {
        SharedRedis.requireRunning();
        Duration timeout = Duration.ofMinutes(30);
        assertThat(reserve(DIED_AT, timeout, Money.of("0.80"))).isPresent();

        assertThat(reserve(DIED_AT.plus(Duration.ofMinutes(30)), timeout, Money.of("0.50"))).isEmpty();
        assertThat(reserve(DIED_AT.plus(Duration.ofMinutes(32)), timeout, Money.of("0.50"))).isPresent();
    }
}
