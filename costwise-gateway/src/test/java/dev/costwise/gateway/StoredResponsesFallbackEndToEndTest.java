package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.redis.OwnRedisServer;
import dev.costwise.redis.SharedRedis;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Stored responses of OpenAI's Responses API when the store behind them fails to take one: Redis refusing the write,
 * a turn larger than {@code redis.max_entry_size}, or one too large for memory as well. A turn answered (and billed)
 * is never lost without a word: it is kept in the replica's memory, where reading and continuing it find it, or it is
 * answered with {@code store: false} and asking for it says it was never stored. Each Redis test runs its own
 * redis-server child process; the provider is OpenAI, faked in its chat completions format, streamed or not.
 */
class StoredResponsesFallbackEndToEndTest {
    private static final String MASTER = "master-secret-fallback";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway(String redisUrl, String maxEntrySize) {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s/v1,
                     price: {input: "1", output: "2"}}
                defaults:
                  cache: {enabled: false}
                redis: {url: "%s", key_prefix: fallback, timeout: 2s, max_entry_size: %s}
                """.formatted(TestGateway.baseUrl(upstream), redisUrl, maxEntrySize), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> respond(TestGateway gw, String body) {
        return gw.post("/v1/responses", body, "Authorization", "Bearer " + MASTER);
    }

    private static HttpResponse<String> continueFrom(TestGateway gw, String id) {
        return respond(gw, "{\"model\": \"fast\", \"previous_response_id\": \"" + id + "\", \"input\": \"next\"}");
    }

    private static HttpResponse<String> read(TestGateway gw, String id) {
        return gw.get("/v1/responses/" + id, "Authorization", "Bearer " + MASTER);
    }

    @Test
    void givenATurnOverRedisMaxEntrySize_whenRedisCannotBeReachedAfterwards_thenItIsStillReadAndContinued()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Read it.", 900, 3));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Next.", 950, 2));
        try (OwnRedisServer redis = OwnRedisServer.start(); TestGateway gw = gateway(redis.url(), "4KB")) {
            // a tool's output of 6,000 characters: a document Redis would have to hand back whole to every read
            HttpResponse<String> big = respond(gw, "{\"model\": \"fast\", \"input\": \"" + "log line ".repeat(666)
                    + "\"}");
            assertThat(big.statusCode()).as(big.body()).isEqualTo(200);
            String id = TestGateway.json(big.body()).path("id").asText();
            assertThat(TestGateway.json(big.body()).path("store").asBoolean()).isTrue();
            assertThat(SharedRedis.keys(redis.url(), "fallback:doc:response:*")).isEmpty();

            redis.stop();
            HttpResponse<String> readBack = read(gw, id);
            HttpResponse<String> continued = continueFrom(gw, id);

            assertThat(readBack.statusCode()).as(readBack.body()).isEqualTo(200);
            assertThat(TestGateway.json(readBack.body()).at("/output/0/content/0/text").asText())
                    .isEqualTo("Read it.");
            assertThat(continued.statusCode()).as(continued.body()).isEqualTo(200);
        }
    }

    @Test
    void givenRedisRefusingWrites_whenTurnsAreAnsweredStreamedOrNot_thenTheyAreKeptInMemoryAndContinued()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "One.", 10, 2));
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", "Two", "."));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Three.", 30, 2));
        try (OwnRedisServer redis = OwnRedisServer.start(); TestGateway gw = gateway(redis.url(), "8MB")) {
            try (RedisClient admin = RedisClient.create(redis.url())) {
                admin.configSet("maxmemory", "1"); // every write now answers -OOM, a Redis error, not an outage
            }
            HttpResponse<String> first = respond(gw, "{\"model\": \"fast\", \"input\": \"Count\"}");
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            String firstId = TestGateway.json(first.body()).path("id").asText();
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(respond(gw, "{\"model\": \"fast\", "
                    + "\"previous_response_id\": \"" + firstId + "\", \"input\": \"more\", \"stream\": true}").body());
            assertThat(events.getLast().getKey()).isEqualTo("response.completed");
            String secondId = events.getLast().getValue().at("/response/id").asText();

            HttpResponse<String> readBack = read(gw, firstId);
            HttpResponse<String> third = continueFrom(gw, secondId);

            assertThat(readBack.statusCode()).as(readBack.body()).isEqualTo(200);
            assertThat(third.statusCode()).as(third.body()).isEqualTo(200);
            upstream.takeRequest();
            upstream.takeRequest();
            assertThat(TestGateway.json(upstream.takeRequest().getBody().utf8()).path("messages"))
                    .extracting(m -> m.path("role").asText())
                    .containsExactly("user", "assistant", "user", "assistant", "user");
        }
    }

    @Test
    void givenATurnLargerThanMemoryKeepsStoredResponses_whenAnswered_thenItSaysStoreFalseAndItsIdSaysNeverStored() {
        // 8.5 MB of answer, which the stored entry holds twice (its turn's output and the response): over 16 MB
        String text = "word ".repeat((17 << 20) / 10);
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", text, 9, 2_000_000));
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s/v1,
                     price: {input: "1", output: "2"}}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER))) {
            HttpResponse<String> huge = respond(gw, "{\"model\": \"fast\", \"input\": \"Write it all\"}");
            assertThat(huge.statusCode()).isEqualTo(200);
            JsonNode answer = TestGateway.json(huge.body());
            String id = answer.path("id").asText();

            HttpResponse<String> readBack = read(gw, id);
            HttpResponse<String> continued = continueFrom(gw, id);

            assertThat(answer.path("store").asBoolean()).isFalse();
            assertThat(answer.at("/output/0/content/0/text").asText()).isEqualTo(text);
            assertThat(readBack.statusCode()).isEqualTo(404);
            assertThat(TestGateway.json(readBack.body()).at("/error/message").asText())
                    .startsWith("response '" + id + "' was answered but never stored (its ");
            assertThat(continued.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(continued.body()).at("/error/message").asText())
                    .contains("was answered but never stored").doesNotContain("expire", "store: false");
        }
    }
}
