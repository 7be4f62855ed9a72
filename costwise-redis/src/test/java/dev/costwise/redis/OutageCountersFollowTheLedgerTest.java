package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.BucketState;
import dev.costwise.llm.spi.BudgetStore.Claim;
import dev.costwise.llm.spi.BudgetStore.Grant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replica's local counters while Redis is down keep up with the shared ledger: the spend other replicas and the
 * calls in flight when Redis went away write there is counted as spent, what was held for those calls shrinks as they
 * settle and ends once they must have ended, and this replica's own spend is never counted twice. Runs its own
 * redis-server child process; the ledger is a figure the test sets.
 */
class OutageCountersFollowTheLedgerTest {
    private static final Instant START = Instant.parse("2026-11-27T10:00:00Z");
    private static final Bucket BUCKET = new Bucket("daily", Instant.parse("2026-11-27T00:00:00Z"));
    private static final List<Claim> CLAIMS = List.of(new Claim(BUCKET, Money.of("1.00")));

    private final MovingClock clock = new MovingClock(START);
    private final AtomicReference<Money> ledger = new AtomicReference<>(Money.ZERO);
    private OwnRedisServer server;
    private RedisSharedState redis;
    private RedisBudgetStore store;

    @BeforeEach
    void start() {
        server = OwnRedisServer.start();
        redis = RedisSharedState.connect(RedisOptions.builder().url(server.url()).keyPrefix("costwise").clock(clock)
                .localShare(0.5).probeInitialBackoff(Duration.ofMillis(20)).probeMaxBackoff(Duration.ofMillis(200))
                .build());
        store = redis.budgetStore();
        store.fallbackSpendFrom(b -> b.equals(BUCKET) ? Optional.of(ledger.get()) : Optional.empty());
        store.callsEndWithin(Duration.ofSeconds(90));
    }

    @AfterEach
    void stop() throws InterruptedException {
        redis.close();
        server.close();
    }

    @Test
    void givenACallInFlightWhenRedisDies_whenTheLedgerGrows_thenTheCounterShowsItsSpendAndHoldsOnlyWhatMayRunStill()
            throws Exception {
        store.settle(store.reserve(CLAIMS, Money.of("0.10"), Money.of("0.10")).orElseThrow(), Money.of("0.10"));
        ledger.set(Money.of("0.10"));
        store.reserve(CLAIMS, Money.of("0.30"), Money.of("0.30")).orElseThrow(); // another replica's call
        server.stop();

        assertThat(store.state(BUCKET)).isEqualTo(new BucketState(Money.of("0.10"), Money.of("0.30")));
        // $0.40 counted when Redis died: this replica's share is half the $0.60 it left
        assertThat(store.outageLimit(CLAIMS.getFirst())).hasValue(Money.of("0.70"));
        Grant own = store.reserve(CLAIMS, Money.of("0.05"), Money.of("0.05")).orElseThrow();
        store.settle(own, Money.of("0.05"));
        // the call in flight settled for $0.20, another replica spent $0.05, and this replica's own $0.05 is there
        ledger.set(Money.of("0.40"));
        clock.advance(OutageSeeds.REFRESH);

        assertThat(store.state(BUCKET)).as("the others' $0.25 spent; $0.05 of the hold may still run")
                .isEqualTo(new BucketState(Money.of("0.40"), Money.of("0.05")));
        assertThat(store.reserve(CLAIMS, Money.of("0.26"), Money.of("0.26"))).as("never less counted than before")
                .isEmpty();

        clock.advance(Duration.ofSeconds(90).minus(OutageSeeds.REFRESH));
        assertThat(store.state(BUCKET)).as("every call in flight when Redis died has ended")
                .isEqualTo(new BucketState(Money.of("0.40"), Money.ZERO));
    }
}
