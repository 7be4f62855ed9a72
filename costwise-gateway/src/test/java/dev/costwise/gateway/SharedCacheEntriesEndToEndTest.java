package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.redis.SharedRedis;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * What the shared (Redis) response cache stores and reads back: an answer up to {@code redis.max_entry_size}, a large
 * one included, is a hit on every replica; a larger one is served but never stored; an entry that cannot be read is a
 * miss, not an error. Two real gateways share one Redis; the provider is faked by MockWebServer in OpenAI's
 * embeddings wire format (https://platform.openai.com/docs/api-reference/embeddings/object). Needs Redis on
 * 127.0.0.1:6379 (skipped without it, failed under CI=true).
 */
class SharedCacheEntriesEndToEndTest {
    private static final String MASTER = "master-secret-123";
    private static final String AUTH = "Bearer " + MASTER;
    private static final String REQUEST = "{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"b\"],"
            + "\"encoding_format\":\"base64\"}";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final String prefix = SharedRedis.randomPrefix();

    @AfterEach
    void deleteKeys() {
        SharedRedis.deleteAll(SharedRedis.URL, prefix);
    }

    private TestGateway gateway(String maxEntrySize) {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: text-embedding-3-small, provider: openai, base_url: %s}
                redis: {url: "%s", key_prefix: "%s", timeout: 2s, max_entry_size: %s}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1", SharedRedis.URL, prefix, maxEntrySize),
                Map.of("MASTER", MASTER));
    }

    /** Every call is answered with embeddings taking {@code bytes} bytes of base64, the OpenAI SDKs' default form. */
    private void answerEmbeddingsOf(int bytes) {
        String vector = "A".repeat(bytes / 2);
        String body = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":\"" + vector
                + "\"},{\"object\":\"embedding\",\"index\":1,\"embedding\":\"" + vector + "\"}],"
                + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}";
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body)
                        .build();
            }
        });
    }

    /** @return the answers to the same request sent through each gateway in turn, all of them 200s */
    private static List<HttpResponse<String>> askThrough(TestGateway... gateways) {
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (TestGateway gw : gateways) {
            HttpResponse<String> res = gw.post("/v1/embeddings", REQUEST, "Authorization", AUTH);
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            answers.add(res);
        }
        return answers;
    }

    /** @return each answer's {@code x-costwise-cache} */
    private static List<String> cache(List<HttpResponse<String>> answers) {
        return answers.stream().map(r -> r.headers().firstValue("x-costwise-cache").orElse("(none)")).toList();
    }

    @Test
    void givenAnAnswerNearTheAnswerLimit_whenAskedAgainThroughTheOtherReplica_thenAHitOfTheSameBytes() {
        SharedRedis.requireRunning();
        // 15.5 MB: under max_answer_size (16 MB), but over 20 M characters once in base64 inside JSON, which is
        // more than Jackson reads as one string, so an entry that kept it so was stored and never read back.
        answerEmbeddingsOf(15_500_000);
        try (TestGateway a = gateway("16MB"); TestGateway b = gateway("16MB")) {
            List<HttpResponse<String>> answers = askThrough(a, b);

            assertThat(cache(answers)).containsExactly("miss", "hit");
            assertThat(answers.get(1).body()).isEqualTo(answers.get(0).body());
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void givenAnAnswerOverMaxEntrySize_whenAskedTwice_thenServedEachTimeButNeitherStoredNorLeftLocked() {
        SharedRedis.requireRunning();
        answerEmbeddingsOf(10_000);
        try (TestGateway a = gateway("4KB"); TestGateway b = gateway("4KB")) {
            List<HttpResponse<String>> answers = askThrough(a, b);

            assertThat(cache(answers)).containsExactly("miss", "miss");
            assertThat(answers.get(1).body()).isEqualTo(answers.get(0).body());
            assertThat(upstream.getRequestCount()).isEqualTo(2);
            // only the marks a fill leaves its waiters, which expire within the 10 s a waiter waits
            assertThat(SharedRedis.keys(SharedRedis.URL, prefix + ":gwcache:*")).as("no entry, no fill lock")
                    .allSatisfy(k -> assertThat(k).contains(":ended:"));
            assertThat(a.get("/metrics").body())
                    .contains("costwise_cache_not_stored_total{reason=\"too_large\"} 1.0\n");
        }
    }

    @Test
    void givenAnEntryThatCannotBeRead_whenAskedThroughTheOtherReplica_thenAMissThatRefillsIt() {
        SharedRedis.requireRunning();
        answerEmbeddingsOf(1_000);
        try (TestGateway a = gateway("8MB"); TestGateway b = gateway("8MB")) {
            List<HttpResponse<String>> filled = askThrough(a);
            List<String> entries = SharedRedis.keys(SharedRedis.URL, prefix + ":gwcache:*");
            try (RedisClient redis = RedisClient.create(SharedRedis.URL)) {
                entries.forEach(k -> redis.set(k, "not an entry"));
            }

            List<HttpResponse<String>> later = askThrough(b, a);

            assertThat(entries).hasSize(1);
            assertThat(cache(filled)).containsExactly("miss");
            assertThat(cache(later)).as("unreadable, then refilled").containsExactly("miss", "hit");
            assertThat(later.get(1).body()).isEqualTo(filled.get(0).body());
            assertThat(upstream.getRequestCount()).isEqualTo(2);
        }
    }
}
