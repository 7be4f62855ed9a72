package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.PriceStatus;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * How many Redis round trips a request costs through {@code RedisChatCache(BudgetedChatModel(model))}: the
 * behaviour behind the added latency, counted by the connection's round-trip counter.
 */
class RoundTripTest {

    private static final Clock CLOCK = Clock.fixed(SharedRedis.TODAY_AT_TEN, ZoneOffset.UTC);

    private String prefix;
    private Replica replica;

    @BeforeEach
    void start() {
        SharedRedis.requireRunning();
        prefix = SharedRedis.randomPrefix();
        replica = new Replica(RedisOptions.builder().url(SharedRedis.URL).keyPrefix(prefix).clock(CLOCK).build(),
                Money.of("10"), 1);
        replica.model.execute(Replica.question("warm-up: load every script"), replica.context());
        replica.model.execute(Replica.question("warm-up: load every script"), replica.context());
    }

    @AfterEach
    void stop() {
        if (replica != null) {
            replica.close();
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
    }

    @Test
    void givenAMissWithABudget_whenServed_thenTwoRoundTripsPrecedeTheUpstreamCallAndTwoFollowIt() {
        RedisConnection redis = replica.redis.connection();
        AtomicLong atUpstream = new AtomicLong();
        replica.upstream.onCall = atUpstream::set;
        long before = redis.roundTrips();

        replica.model.execute(Replica.question("What is the boiling point of water?"), replica.context());

        // before: cache lookup + fill lock (one script), budget reservation (one script)
        assertThat(atUpstream.get() - before).isEqualTo(2);
        // after: budget settlement, cache store + unlock
        assertThat(redis.roundTrips() - before).isEqualTo(4);
    }

    @Test
    void givenAHit_whenServed_thenItIsOneRoundTripAndNoReservation() {
        RedisConnection redis = replica.redis.connection();
        replica.model.execute(Replica.question("Who wrote Hamlet?"), replica.context());
        long before = redis.roundTrips();

        ChatResponse hit = replica.model.execute(Replica.question("Who wrote Hamlet?"), replica.context());

        assertThat(hit.priceStatus()).isEqualTo(PriceStatus.CACHE_HIT);
        assertThat(redis.roundTrips() - before).isEqualTo(1);
    }

    @Test
    void givenRedisForgotItsScripts_whenCalled_thenEachScriptIsReloadedByOneEvalAndTheCallSucceeds()
            throws Exception {
        try (OwnRedisServer own = OwnRedisServer.start();
                Replica fresh = new Replica(RedisOptions.builder().url(own.url()).keyPrefix("costwise")
                        .clock(CLOCK).build(), Money.of("10"), 3)) {
            WorkflowContext ctx = fresh.context();
            long before = fresh.redis.connection().roundTrips();
            fresh.model.execute(Replica.question("Is this the first call?"), ctx);
            long cold = fresh.redis.connection().roundTrips() - before;

            try (RedisClient client = RedisClient.create(own.url())) {
                client.scriptFlush();
            }
            before = fresh.redis.connection().roundTrips();
            ChatResponse hit = fresh.model.execute(Replica.question("Is this the first call?"), fresh.context());

            assertThat(cold).isEqualTo(8); // four scripts, each NOSCRIPT then EVAL
            assertThat(hit.priceStatus()).isEqualTo(PriceStatus.CACHE_HIT);
            assertThat(fresh.redis.connection().roundTrips() - before).isEqualTo(2);
        }
    }
}
