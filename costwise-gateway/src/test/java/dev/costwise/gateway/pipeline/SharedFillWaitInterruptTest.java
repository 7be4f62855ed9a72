package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.Sleeper;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.redis.RedisOptions;
import dev.costwise.redis.RedisSharedState;
import dev.costwise.redis.SharedRedis;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A replica waiting for another's fill of the same cache key (polling Redis) tells the gateway's stop from anyone
 * else's interrupt, as the attempt loop's waits do: only the stop's cut is a shutdown. Needs the Redis at
 * {@link SharedRedis#URL}.
 */
class SharedFillWaitInterruptTest {
    private final String prefix = SharedRedis.randomPrefix();
    private final UpstreamCutoff cutoff = new UpstreamCutoff();

    @AfterEach
    void deleteKeys() {
        SharedRedis.deleteAll(SharedRedis.URL, prefix);
    }

    /** What a waiter for a key another request holds ends with, its wait ended by {@code pause}. */
    private Throwable waitEndedBy(Sleeper pause, AtomicBoolean flagAfter) throws InterruptedException {
        SharedRedis.requireRunning();
        RedisOptions options = RedisOptions.ofDefaults().toBuilder().url(SharedRedis.URL).keyPrefix(prefix)
                .sleeper(pause).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (RedisSharedState state = RedisSharedState.connect(options);
                SharedResponseEntries entries = new SharedResponseEntries(options, () -> true, () -> { },
                        state.budgetStore(), 1 << 20, cutoff)) {
            assertThat(entries.getOrLock("k", Duration.ofSeconds(5))).as("the holder takes the fill lock").isEmpty();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    entries.getOrLock("k", Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
                flagAfter.set(Thread.currentThread().isInterrupted());
            });
            waiter.join();
        }
        return thrown.get();
    }

    @Test
    void givenAFillWaitInterruptedByAnotherThanTheStop_whenWaiting_thenItEndsInterruptedWithItsFlagClear()
            throws InterruptedException {
        AtomicBoolean flag = new AtomicBoolean();

        Throwable thrown = waitEndedBy(d -> {
            throw new InterruptedException("sleep interrupted");
        }, flag);

        assertThat(thrown).isInstanceOf(GatewayException.Interrupted.class)
                .hasMessageContaining("(another replica's cache fill)")
                .cause().isInstanceOf(CallInterruptedException.class);
        assertThat(flag).as("the request ended: its sockets stay open").isFalse();
    }

    @Test
    void givenAFillWaitInterruptedAfterTheStopsCut_whenWaiting_thenTheRequestIsShuttingDown()
            throws InterruptedException {
        Throwable thrown = waitEndedBy(d -> {
            cutoff.cut();
            throw new InterruptedException("sleep interrupted");
        }, new AtomicBoolean());

        assertThat(thrown).isInstanceOf(GatewayException.ShuttingDown.class);
    }
}
