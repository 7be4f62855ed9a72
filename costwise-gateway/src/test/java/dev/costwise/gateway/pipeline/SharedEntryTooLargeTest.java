package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import dev.costwise.redis.RedisOptions;
import dev.costwise.redis.RedisSharedState;
import dev.costwise.redis.SharedRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Replicas may differ in {@code redis.max_entry_size}: an entry one of them wrote that is over another's limit is a
 * miss on that other, but stays for the replicas that read it; only a corrupt entry is dropped. Needs the Redis at
 * {@link SharedRedis#URL}.
 */
class SharedEntryTooLargeTest {
    private static final Duration TTL = Duration.ofMinutes(5);

    private final String prefix = SharedRedis.randomPrefix();

    @AfterEach
    void deleteKeys() {
        SharedRedis.deleteAll(SharedRedis.URL, prefix);
    }

    private static ResponseCacheStore.Entry answer(int bytes) {
        byte[] body = new byte[bytes];
        Arrays.fill(body, (byte) 'a');
        return new ResponseCacheStore.Entry(body, Usage.ZERO, "fast", Money.ZERO, "default");
    }

    @Test
    void givenAnEntryOverThisReplicasLimit_whenRead_thenAMissThatKeepsTheEntryForTheReplicaThatWroteIt() {
        SharedRedis.requireRunning();
        RedisOptions options = RedisOptions.ofDefaults().toBuilder().url(SharedRedis.URL).keyPrefix(prefix).build();
        try (RedisSharedState state = RedisSharedState.connect(options);
                SharedResponseEntries large = new SharedResponseEntries(options, () -> true, () -> { },
                        state.budgetStore(), 10_000, new UpstreamCutoff());
                SharedResponseEntries small = new SharedResponseEntries(options, () -> true, () -> { },
                        state.budgetStore(), 1_000, new UpstreamCutoff())) {
            large.put("k", answer(5_000), TTL);

            assertThat(small.getOrLock("k", Duration.ZERO)).as("over this replica's limit").isEmpty();
            small.abandon("k");

            assertThat(small.tooLargeReads()).isEqualTo(1);
            assertThat(large.getOrLock("k", Duration.ZERO)).as("still there for the replica that wrote it")
                    .hasValueSatisfying(e -> assertThat(e.body()).hasSize(5_000));
        }
    }

    @Test
    void givenACorruptEntry_whenRead_thenAMissAndTheEntryIsDropped() {
        SharedRedis.requireRunning();
        RedisOptions options = RedisOptions.ofDefaults().toBuilder().url(SharedRedis.URL).keyPrefix(prefix).build();
        byte[] key = (prefix + ":gwcache:k").getBytes(StandardCharsets.UTF_8);
        try (RedisClient client = RedisClient.create(SharedRedis.URL);
                RedisSharedState state = RedisSharedState.connect(options);
                SharedResponseEntries entries = new SharedResponseEntries(options, () -> true, () -> { },
                        state.budgetStore(), 10_000, new UpstreamCutoff())) {
            client.set(key, new byte[] {1, 2, 3});

            assertThat(entries.read("k", new byte[] {1, 2, 3})).isEqualTo(Optional.empty());

            assertThat(client.exists(key)).as("dropped, so the next request refills it").isFalse();
            assertThat(entries.tooLargeReads()).isZero();
        }
    }
}
