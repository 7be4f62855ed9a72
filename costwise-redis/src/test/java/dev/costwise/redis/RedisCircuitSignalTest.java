package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.PrimitiveMetrics;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.CircuitBreakerConfig;
import dev.costwise.core.recovery.CircuitOpenException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A breaker opening on one replica stops the other replica's calls too. */
class RedisCircuitSignalTest {

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private String prefix;
    private RedisConnection onA;
    private RedisConnection onB;

    @BeforeEach
    void open() {
        SharedRedis.requireRunning();
        prefix = SharedRedis.randomPrefix();
        RedisOptions options = RedisOptions.builder().url(SharedRedis.URL).keyPrefix(prefix).build();
        onA = RedisConnection.open(options);
        onB = RedisConnection.open(options);
    }

    @AfterEach
    void close() {
        if (onA != null) {
            onA.close();
            onB.close();
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
    }

    @Test
    void givenABreakerOpenedOnReplicaA_whenReplicaBCalls_thenItIsRefusedWithoutReachingItsUpstreamUntilAClosesIt() {
        Duration wait = Duration.ofSeconds(30);
        RedisCircuitSignal signalA = RedisCircuitSignal.on(onA, Duration.ofMillis(250), ticker);
        RedisCircuitSignal signalB = RedisCircuitSignal.on(onB, Duration.ofMillis(250), ticker);
        AtomicLong breakerNanos = new AtomicLong();
        CircuitBreaker breakerA = CircuitBreaker.of("openai", CircuitBreakerConfig.builder().consecutiveFailures(2)
                .waitDurationInOpenState(wait).ticker(breakerNanos::get)
                .metrics(signalA.publishing(PrimitiveMetrics.NONE, wait)).build());
        AtomicInteger failing = new AtomicInteger();
        Primitive<String, String> upstreamA = breakerA.wrap((in, ctx) -> {
            failing.incrementAndGet();
            throw new IllegalStateException("503 from upstream");
        });
        AtomicInteger healthyCalls = new AtomicInteger();
        Primitive<String, String> upstreamB = signalB.guard("openai", (in, ctx) -> {
            healthyCalls.incrementAndGet();
            return "ok";
        });
        assertThat(upstreamB.execute("q", WorkflowContext.of("b"))).isEqualTo("ok");

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> upstreamA.execute("q", WorkflowContext.of("a")))
                    .isInstanceOf(IllegalStateException.class);
        }
        nanos.addAndGet(Duration.ofMillis(300).toNanos()); // B's last read is stale

        assertThatThrownBy(() -> upstreamB.execute("q", WorkflowContext.of("b")))
                .isInstanceOf(CircuitOpenException.class)
                .hasMessage("circuit breaker 'openai' is OPEN and does not permit further calls");
        assertThat(healthyCalls.get()).isEqualTo(1);
        long roundTrips = onB.roundTrips();
        assertThatThrownBy(() -> upstreamB.execute("q", WorkflowContext.of("b")))
                .isInstanceOf(CircuitOpenException.class);
        assertThat(onB.roundTrips()).isEqualTo(roundTrips); // within refresh: no round trip

        Primitive<String, String> recoveredA = breakerA.wrap((in, ctx) -> "ok");
        breakerNanos.addAndGet(wait.plusSeconds(1).toNanos());
        for (int i = 0; i < breakerA.config().permittedCallsInHalfOpenState(); i++) {
            recoveredA.execute("q", WorkflowContext.of("a"));
        }
        nanos.addAndGet(Duration.ofMillis(300).toNanos());

        assertThat(upstreamB.execute("q", WorkflowContext.of("b"))).isEqualTo("ok");
        assertThat(failing.get()).isEqualTo(2);
    }
}
