package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisOptionsTest {

    @Test
    void givenAnHttpUrl_whenSet_thenItFailsNamingTheUrl() {
        assertThatThrownBy(() -> RedisOptions.builder().url("http://localhost:6379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("redis url must start with redis:// or rediss://, was http://localhost:6379");
    }

    @Test
    void givenAUrlWithAPassword_whenRejectedOrPrinted_thenThePasswordNeverShows() {
        assertThatThrownBy(() -> RedisOptions.builder().url("redis://:s3cret@"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
        RedisOptions options = RedisOptions.builder().url("redis://app:s3cret@redis.internal:6379/2").build();

        assertThat(options.toString()).doesNotContain("s3cret").contains("redis.internal:6379");
        assertThat(options.safeUri()).isEqualTo("redis://***@redis.internal:6379/2");
    }

    @Test
    void givenAShareOutsideZeroToOne_whenSet_thenItFailsNamingTheValue() {
        assertThatThrownBy(() -> RedisOptions.builder().localShare(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("localShare must be in (0, 1], was 1.5");
        assertThatThrownBy(() -> RedisOptions.builder().localShare(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0.0");
    }

    @Test
    void givenBadTimeoutsAndPrefix_whenSet_thenEachFailsNamingTheSetting() {
        assertThatThrownBy(() -> RedisOptions.builder().socketTimeout(Duration.ZERO))
                .hasMessage("socketTimeout must be positive, was PT0S");
        assertThatThrownBy(() -> RedisOptions.builder().keyPrefix("a b"))
                .hasMessage("keyPrefix must be letters, digits, '-', '_', '.' or ':', was 'a b'");
        assertThatThrownBy(() -> RedisOptions.builder().poolSize(0)).hasMessage("poolSize must be >= 1, was 0");
        assertThatThrownBy(() -> RedisOptions.builder().probeInitialBackoff(Duration.ofSeconds(5))
                .probeMaxBackoff(Duration.ofSeconds(1)).build())
                .hasMessageContaining("probeMaxBackoff (PT1S) cannot be shorter than probeInitialBackoff (PT5S)");
    }

    @Test
    void givenAPrefixWithColons_whenSet_thenItIsKeptAndATrailingColonIsNotDoubled() {
        assertThat(RedisOptions.builder().keyPrefix("app:costwise").build().keyPrefix()).isEqualTo("app:costwise");
        assertThat(RedisOptions.builder().keyPrefix("app:costwise:").build())
                .isEqualTo(RedisOptions.builder().keyPrefix("app:costwise").build());
        assertThatThrownBy(() -> RedisOptions.builder().keyPrefix(":"))
                .hasMessage("keyPrefix must hold more than ':' and end with at most one ':', was ':'");
        assertThatThrownBy(() -> RedisOptions.builder().keyPrefix("costwise::"))
                .hasMessage("keyPrefix must hold more than ':' and end with at most one ':', was 'costwise::'");
        assertThatThrownBy(() -> RedisOptions.builder().keyPrefix("")).hasMessageContaining("was ''");
    }

    @Test
    void givenAPrefixEndingWithAColon_whenKeysAreWritten_thenEachHasOneColonAfterThePrefix() {
        SharedRedis.requireRunning();
        String prefix = SharedRedis.randomPrefix();
        RedisOptions options = RedisOptions.builder().url(SharedRedis.URL).keyPrefix(prefix + ":").build();
        try (RedisConnection redis = RedisConnection.open(options)) {
            RedisDocuments.on(redis, "response").put("resp_1", "{}", Duration.ofMinutes(1));

            assertThat(SharedRedis.keys(SharedRedis.URL, prefix + "*"))
                    .containsExactlyInAnyOrder(prefix + ":epoch", prefix + ":doc:response:resp_1");
        } finally {
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
    }

    @Test
    void givenNothingSet_whenBuilt_thenDefaultsAreLocalRedisWithShortTimeouts() {
        RedisOptions d = RedisOptions.ofDefaults();

        assertThat(d.uri().toString()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(d.connectTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(d.socketTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(d.toBuilder().build()).isEqualTo(d);
    }
}
