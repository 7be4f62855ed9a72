package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisConfigTest {
    private static final String MODELS = """
            models:
              - name: fast
                provider: openai-compatible
                base_url: http://127.0.0.1:1/v1
                price: {input: "1", output: "2"}
            """;

    private static GatewayConfig parse(String yaml, Map<String, String> env) {
        return new ConfigLoader(env::get).parse(MODELS + yaml, "test.yaml");
    }

    @Test
    void givenNoRedisSection_whenLoaded_thenNothingIsShared() {
        assertThat(parse("", Map.of()).redis()).isEmpty();
    }

    @Test
    void givenRedisUrlFromEnvWithPassword_whenLoaded_thenSettingsHoldItAndToStringMasksIt() {
        GatewayConfig config = parse("""
                redis:
                  url: ${REDIS_URL}
                  key_prefix: prod-eu
                  local_share: 0.25
                  timeout: 150ms
                """, Map.of("REDIS_URL", "redis://app:s3cret-pw@redis.internal:6380/2"));

        GatewayConfig.RedisSettings redis = config.redis().orElseThrow();
        assertThat(redis.url()).isEqualTo("redis://app:s3cret-pw@redis.internal:6380/2");
        assertThat(redis.keyPrefix()).isEqualTo("prod-eu");
        assertThat(redis.localShare()).isEqualTo(0.25);
        assertThat(redis.timeout()).isEqualTo(Duration.ofMillis(150));
        assertThat(redis.toString()).doesNotContain("s3cret-pw").contains("redis://***@redis.internal:6380/2");
        assertThat(config.toString()).doesNotContain("s3cret-pw");
    }

    @Test
    void givenOnlyAUrl_whenLoaded_thenDefaultsApply() {
        GatewayConfig.RedisSettings redis = parse("redis: {url: redis://127.0.0.1:6379}\n", Map.of()).redis()
                .orElseThrow();

        assertThat(redis.keyPrefix()).isEqualTo("costwise");
        assertThat(redis.localShare()).isEqualTo(0.5);
        assertThat(redis.timeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(redis.maxEntryBytes()).isEqualTo(8L * 1024 * 1024);
    }

    @Test
    void givenMaxEntrySize_whenLoaded_thenTheSharedCacheStoresAnswersUpToIt() {
        assertThat(parse("redis: {url: \"redis://127.0.0.1:6379\", max_entry_size: 2MB}\n", Map.of()).redis()
                .orElseThrow().maxEntryBytes()).isEqualTo(2L * 1024 * 1024);
        assertThatThrownBy(() -> parse("redis: {url: \"redis://127.0.0.1:6379\", max_entry_size: 3GB}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly("redis.max_entry_size: "
                        + "must be below 2GB (an entry's answer is read into one array), was '3GB'"));
    }

    @Test
    void givenEmptyUrlFromUnsetEnvDefault_whenLoaded_thenSharingIsOff() {
        assertThat(parse("redis: {url: \"${REDIS_URL:-}\"}\n", Map.of()).redis()).isEmpty();
    }

    @Test
    void givenBadRedisSection_whenLoaded_thenEveryProblemIsNamedByPathWithoutThePassword() {
        assertThatThrownBy(() -> parse("""
                redis:
                  url: http://user:hunter2@redis:6379
                  key_prefix: "has space"
                  local_share: 1.5
                  timeout: soon
                  max_entry_size: big
                  pasword: x
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "redis.pasword: unknown field (known: key_prefix, local_share, max_entry_size, timeout, url)",
                        "redis.max_entry_size: expected a size such as 512KB or 10MB, was 'big'",
                        "redis.url: expected redis://host:port or rediss://host:port, was 'http://***@redis:6379'",
                        "redis.key_prefix: expected letters, digits, '-', '_', '.' or ':' (at most one ':' at the end),"
                                + " was 'has space'",
                        "redis.local_share: expected a share in (0, 1] (1 / replicas), was '1.5'",
                        "redis.timeout: expected a duration such as 250ms, 30s, 5m, 1h or 1d, was 'soon'"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void givenPrefixEndingInColon_whenLoaded_thenAcceptedAsRedisConventionHasIt() {
        GatewayConfig config = parse("redis: {url: \"redis://127.0.0.1:6379\", key_prefix: \"prod:eu:\"}\n",
                Map.of());
        assertThat(config.redis().orElseThrow().keyPrefix()).isEqualTo("prod:eu:");
    }

    @Test
    void givenPrefixEndingInTwoColons_whenLoaded_thenItIsNamedAsAProblem() {
        assertThatThrownBy(() -> parse("redis: {url: \"redis://127.0.0.1:6379\", key_prefix: \"prod::\"}\n",
                Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "redis.key_prefix: expected letters, digits, '-', '_', '.' or ':' (at most one ':' at the end),"
                                + " was 'prod::'"));
    }

    @Test
    void givenRedisSectionWithoutUrl_whenLoaded_thenUrlIsRequired() {
        assertThatThrownBy(() -> parse("redis: {key_prefix: costwise}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "redis.url: is required (redis://host:port), or remove the redis section"));
    }
}
