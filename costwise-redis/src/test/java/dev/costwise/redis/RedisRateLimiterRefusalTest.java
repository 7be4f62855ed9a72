package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.llm.ratelimit.RateLimits;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a refusal says: which limit refused and how long until the window admits the request, on a clock the test
 * moves (from {@link SharedRedis#TODAY_AT_TEN}, as Redis expires keys by its own wall clock). Each test runs on the
 * shared window, then with Redis cut off (its own redis-server, stopped) on this replica's window, whose share is the
 * whole limit here so that both say the same.
 */
class RedisRateLimiterRefusalTest {

    private final String prefix = SharedRedis.randomPrefix();
    private final MovingClock clock = new MovingClock(SharedRedis.TODAY_AT_TEN);
    private RedisSharedState redis;
    private OwnRedisServer stopped;

    /** Connects to the shared Redis, or to one that is stopped: every admission is then this replica's alone. */
    private void connect(boolean redisDown) throws InterruptedException {
        SharedRedis.requireRunning();
        String url = SharedRedis.URL;
        if (redisDown) {
            stopped = OwnRedisServer.start();
            stopped.stop();
            url = stopped.url();
        }
        redis = RedisSharedState.connect(RedisOptions.builder().url(url).keyPrefix(prefix).clock(clock)
                .localShare(1.0).build());
    }

    @AfterEach
    void clean() throws InterruptedException {
        if (redis != null) {
            redis.close();
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
        if (stopped != null) {
            stopped.close();
        }
    }

    @ParameterizedTest(name = "redis down: {0}")
    @ValueSource(booleans = {false, true})
    void givenRpmUsedUp_whenRefused_thenItSaysRequestsAndWaitsUntilTheOldestRequestLeavesTheMinute(boolean redisDown)
            throws InterruptedException {
        connect(redisDown);
        RedisRateLimiter limiter = redis.rateLimiter()
                .modelLimits("m", RateLimits.NONE.withRequestsPerMinute(2).withTokensPerMinute(1_000)).build();
        assertThat(limiter.tryAcquire("m", 100)).isPresent();
        clock.advance(Duration.ofMillis(20_500));
        assertThat(limiter.tryAcquire("m", 100)).isPresent();
        clock.advance(Duration.ofSeconds(10));
        AtomicReference<RedisRateLimiter.Refusal> refusal = new AtomicReference<>();

        assertThat(limiter.tryAcquireExplained("m", 100, refusal::set)).isEmpty();

        // the first request's second leaves the minute 60 s after it began, 30.5 s from now
        assertThat(refusal.get().limit()).isEqualTo(RedisRateLimiter.Limit.REQUESTS);
        assertThat(refusal.get().retryAfter()).isEqualTo(Duration.ofMillis(29_500));
        assertThat(refusal.get().counted().requestsLastMinute()).isEqualTo(2);
        assertThat(refusal.get().local()).isEqualTo(redisDown);
        clock.advance(Duration.ofMillis(29_499));
        assertThat(limiter.tryAcquire("m", 100)).as("a millisecond early").isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(limiter.tryAcquire("m", 100)).isPresent();
        assertThat(limiter.localAdmissions()).isEqualTo(redisDown ? 5 : 0);
    }

    @ParameterizedTest(name = "redis down: {0}")
    @ValueSource(booleans = {false, true})
    void givenTpmUsedUp_whenRefused_thenItSaysTokensAndWaitsUntilEnoughTokensLeaveTheMinute(boolean redisDown)
            throws InterruptedException {
        connect(redisDown);
        RedisRateLimiter limiter = redis.rateLimiter()
                .modelLimits("m", RateLimits.NONE.withTokensPerMinute(1_000)).build();
        assertThat(limiter.tryAcquire("m", 200)).isPresent();
        clock.advance(Duration.ofSeconds(10));
        assertThat(limiter.tryAcquire("m", 500)).isPresent();
        clock.advance(Duration.ofSeconds(10));
        AtomicReference<RedisRateLimiter.Refusal> refusal = new AtomicReference<>();

        assertThat(limiter.tryAcquireExplained("m", 600, refusal::set)).isEmpty();
        RedisRateLimiter.Refusal needsBoth = refusal.get();
        assertThat(limiter.tryAcquireExplained("m", 1_001, refusal::set)).isEmpty();

        // 600 fits once both earlier requests have left: 60 s after the second, 50 s from now
        assertThat(needsBoth.limit()).isEqualTo(RedisRateLimiter.Limit.TOKENS);
        assertThat(needsBoth.retryAfter()).isEqualTo(Duration.ofSeconds(50));
        assertThat(needsBoth.counted().tokensLastMinute()).isEqualTo(700);
        assertThat(refusal.get().retryAfter()).as("never fits: a whole minute").isEqualTo(Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(40));
        assertThat(limiter.tryAcquire("m", 600)).as("the first request left: 500 + 600 is over").isEmpty();
        clock.advance(Duration.ofSeconds(10));
        assertThat(limiter.tryAcquire("m", 600)).isPresent();
    }

    @Test
    void givenRedisDownAndAPermitReconciledBelowItsEstimate_whenAsked_thenTheTokensFreedAreAdmitted()
            throws InterruptedException {
        connect(true);
        RedisRateLimiter limiter = redis.rateLimiter()
                .modelLimits("m", RateLimits.NONE.withTokensPerMinute(1_000)).build();
        limiter.tryAcquire("m", 900).orElseThrow().reconcile(300);

        assertThat(limiter.tryAcquire("m", 700)).isPresent();
        assertThat(limiter.tryAcquire("m", 1)).isEmpty();
    }
}
