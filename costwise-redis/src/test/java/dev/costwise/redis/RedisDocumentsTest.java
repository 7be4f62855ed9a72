package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Documents shared through the real Redis on 127.0.0.1:6379 by two connections, as two replicas would. */
class RedisDocumentsTest {
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
    void givenADocumentPutByOneReplica_whenReadOrDeletedByAnother_thenItIsSharedUnderItsPrefixAndKind() {
        RedisDocuments a = RedisDocuments.on(onA, "response");
        RedisDocuments b = RedisDocuments.on(onB, "response");

        a.put("resp_1", "{\"x\":1}", Duration.ofHours(1));

        assertThat(b.get("resp_1")).contains("{\"x\":1}");
        assertThat(RedisDocuments.on(onB, "other").get("resp_1")).isEmpty();
        assertThat(SharedRedis.keys(SharedRedis.URL, prefix + ":doc:*"))
                .containsExactly(prefix + ":doc:response:resp_1");
        assertThat(b.delete("resp_1")).isTrue();
        assertThat(a.get("resp_1")).isEmpty();
        assertThat(a.delete("resp_1")).isFalse();
    }

    @Test
    void givenAStoredDocument_whenKeptLonger_thenItsTtlGrowsAndItsTextStays() {
        RedisDocuments a = RedisDocuments.on(onA, "response");
        a.put("resp_3", "doc", Duration.ofMinutes(1));

        a.keep("resp_3", Duration.ofHours(1));
        a.keep("never_stored", Duration.ofHours(1));

        assertThat(SharedRedis.pttl(SharedRedis.URL, prefix + ":doc:response:resp_3"))
                .isGreaterThan(Duration.ofMinutes(59).toMillis());
        assertThat(a.get("resp_3")).contains("doc");
        assertThat(a.get("never_stored")).as("keeping creates nothing").isEmpty();
    }

    @Test
    void givenATtl_whenPut_thenRedisExpiresTheDocument() {
        RedisDocuments a = RedisDocuments.on(onA, "response");

        a.put("resp_2", "doc", Duration.ofMillis(1));

        // Redis expires keys by its own clock: poll its answer instead of sleeping a fixed time
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (a.get("resp_2").isPresent() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(a.get("resp_2")).isEmpty();
        assertThatThrownBy(() -> RedisDocuments.on(onA, "a:b")).hasMessageContaining("without ':'");
    }
}
