package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.gateway.http.JdbcResponseDocuments;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stored responses of OpenAI's Responses API (https://platform.openai.com/docs/api-reference/responses: {@code store},
 * {@code previous_response_id}, {@code GET} and {@code DELETE /v1/responses/{id}}) in front of an OpenAI-format
 * upstream (MockWebServer speaking https://platform.openai.com/docs/api-reference/chat). Time is a ticker the test
 * moves.
 */
class StoredResponsesEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();
    private final AtomicLong nanos = new AtomicLong();
    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-28T10:00:00Z"));

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                server: {responses_ttl: 1h}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s, price: {input: "1", output: "2"}}
                """.formatted(upstream.url("/v1").toString().replaceAll("/$", "")), Map.of("MASTER", MASTER),
                nanos::get);
    }

    private static HttpResponse<String> respond(TestGateway gw, String body, String key) {
        return gw.post("/v1/responses", body, "Authorization", "Bearer " + key);
    }

    private JsonNode sentUpstream() throws InterruptedException {
        RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent).isNotNull();
        return TestGateway.json(sent.getBody().utf8());
    }

    private static MockResponse toolCall() {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "chatcmpl-t", "object": "chat.completion", "created": 1741569952, "model": "gpt-4o-mini",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": [
                   {"id": "call_1", "type": "function", "function": {"name": "get_weather",
                    "arguments": "{\\"city\\":\\"Paris\\"}"}}]}, "finish_reason": "tool_calls"}],
                 "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60}}""").build();
    }

    @Test
    void givenAStoredToolCall_whenContinuedWithItsResult_thenTheUpstreamGetsTheWholeConversation() throws Exception {
        upstream.enqueue(toolCall());
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "18 degrees in Paris.", 70, 6));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Yes, take a coat.", 90, 5));
        String tools = "\"tools\": [{\"type\": \"function\", \"name\": \"get_weather\", \"parameters\": {\"type\": "
                + "\"object\"}}]";
        try (TestGateway gw = gateway()) {
            JsonNode first = TestGateway.json(respond(gw, "{\"model\": \"fast\", \"instructions\": \"Be brief.\", "
                    + "\"input\": \"Weather in Paris?\", " + tools + "}", MASTER).body());
            String firstId = first.path("id").asText();
            JsonNode second = TestGateway.json(respond(gw, "{\"model\": \"fast\", \"previous_response_id\": \""
                    + firstId + "\", \"input\": [{\"type\": \"function_call_output\", \"call_id\": \"call_1\", "
                    + "\"output\": \"18C\"}], " + tools + "}", MASTER).body());
            JsonNode third = TestGateway.json(respond(gw, "{\"model\": \"fast\", \"previous_response_id\": \""
                    + second.path("id").asText() + "\", \"input\": \"Coat?\"}", MASTER).body());

            assertThat(first.path("store").asBoolean()).isTrue();
            assertThat(second.path("previous_response_id").asText()).isEqualTo(firstId);
            assertThat(third.at("/output/0/content/0/text").asText()).isEqualTo("Yes, take a coat.");
            sentUpstream();
            JsonNode continued = sentUpstream();
            // instructions belong to the request that gave them: the continuation carries its own (none here)
            assertThat(continued.path("messages")).isEqualTo(TestGateway.json("""
                    [{"role": "user", "content": "Weather in Paris?"},
                     {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                      "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}}]},
                     {"role": "tool", "tool_call_id": "call_1", "content": "18C"}]"""));
            assertThat(sentUpstream().path("messages")).extracting(m -> m.path("role").asText() + ":"
                    + m.path("content").toString()).containsExactly("user:\"Weather in Paris?\"",
                    "assistant:null", "tool:\"18C\"",
                    "assistant:[{\"type\":\"text\",\"text\":\"18 degrees in Paris.\"}]", "user:\"Coat?\"");
        }
    }

    @Test
    void givenAStoredResponse_whenReadDeletedOrAskedForByAnotherKey_thenOnlyItsOwnKeySeesItUntilDeleted()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Bonjour", 30, 4));
        try (TestGateway gw = gateway()) {
            String other = TestGateway.json(gw.post("/v1/keys", "{\"name\": \"other\"}", "Authorization",
                    "Bearer " + MASTER).body()).path("key").asText();
            JsonNode answer = TestGateway.json(respond(gw, "{\"model\": \"fast\", \"input\": \"Say hello\"}", MASTER)
                    .body());
            String id = answer.path("id").asText();

            HttpResponse<String> read = gw.get("/v1/responses/" + id, "Authorization", "Bearer " + MASTER);
            HttpResponse<String> byOther = gw.get("/v1/responses/" + id, "Authorization", "Bearer " + other);
            HttpResponse<String> continuedByOther = respond(gw, "{\"model\": \"fast\", \"previous_response_id\": \""
                    + id + "\", \"input\": \"again\"}", other);
            HttpResponse<String> deleted = gw.delete("/v1/responses/" + id, "Authorization", "Bearer " + MASTER);
            HttpResponse<String> afterDelete = gw.get("/v1/responses/" + id, "Authorization", "Bearer " + MASTER);

            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(TestGateway.json(read.body())).isEqualTo(answer);
            assertThat(byOther.statusCode()).isEqualTo(404);
            assertThat(continuedByOther.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(continuedByOther.body()).at("/error/param").asText())
                    .isEqualTo("previous_response_id");
            assertThat(TestGateway.json(deleted.body())).isEqualTo(TestGateway.json(
                    "{\"id\": \"" + id + "\", \"object\": \"response.deleted\", \"deleted\": true}"));
            assertThat(afterDelete.statusCode()).isEqualTo(404);
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void givenStoreFalseOrAnHourGone_whenContinued_thenA400NamesPreviousResponseId() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "one", 30, 4));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "two", 30, 4));
        try (TestGateway gw = gateway()) {
            JsonNode unstored = TestGateway.json(respond(gw, "{\"model\": \"fast\", \"input\": \"a\", \"store\": "
                    + "false}", MASTER).body());
            String stored = TestGateway.json(respond(gw, "{\"model\": \"fast\", \"input\": \"b\"}", MASTER).body())
                    .path("id").asText();
            HttpResponse<String> continueUnstored = respond(gw, "{\"model\": \"fast\", \"previous_response_id\": \""
                    + unstored.path("id").asText() + "\", \"input\": \"c\"}", MASTER);
            nanos.addAndGet(Duration.ofHours(1).toNanos());
            HttpResponse<String> continueExpired = respond(gw, "{\"model\": \"fast\", \"previous_response_id\": \""
                    + stored + "\", \"input\": \"c\"}", MASTER);

            assertThat(unstored.path("store").asBoolean(true)).isFalse();
            for (HttpResponse<String> res : List.of(continueUnstored, continueExpired)) {
                assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
                assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                        .contains("previous_response_id: no stored response").contains("1 h");
            }
            assertThat(upstream.getRequestCount()).isEqualTo(2);
        }
    }

    /** A gateway keeping responses in memory, or in a database ({@code dir}'s SQLite file); either reads the time. */
    private TestGateway gateway(String store, Path dir) {
        if (store.equals("memory")) {
            return gateway();
        }
        return new TestGateway("""
                master_key: ${MASTER}
                server: {responses_ttl: 1h}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s, price: {input: "1", output: "2"}}
                """.formatted(upstream.url("/v1").toString().replaceAll("/$", "")), Map.of("MASTER", MASTER),
                database(dir));
    }

    private JdbcResponseDocuments database(Path dir) {
        return new JdbcResponseDocuments("jdbc:sqlite:" + dir.resolve("ledger.db"), clock);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        clock.advance(d);
    }

    private static HttpResponse<String> continueFrom(TestGateway gw, String id, String input) {
        return respond(gw, "{\"model\": \"fast\", \"previous_response_id\": \"" + id + "\", \"input\": \""
                + input + "\"}", MASTER);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "database"})
    void givenAConversationWhoseFirstTurnIsOlderThanTheTtl_whenItsLastTurnIsContinued_thenItIsWhole(String store,
            @TempDir Path dir) throws Exception {
        for (String text : List.of("one", "two", "three")) {
            upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", text, 30, 4));
        }
        try (TestGateway gw = gateway(store, dir)) {
            String a = TestGateway.json(respond(gw, "{\"model\": \"fast\", \"input\": \"a\"}", MASTER).body())
                    .path("id").asText();
            advance(Duration.ofMinutes(40));
            String b = TestGateway.json(continueFrom(gw, a, "b").body()).path("id").asText();
            advance(Duration.ofMinutes(30)); // a written 70 min ago, b 30 min ago, with a TTL of 1 h

            HttpResponse<String> readB = gw.get("/v1/responses/" + b, "Authorization", "Bearer " + MASTER);
            HttpResponse<String> readA = gw.get("/v1/responses/" + a, "Authorization", "Bearer " + MASTER);
            HttpResponse<String> c = continueFrom(gw, b, "c");
            advance(Duration.ofMinutes(61)); // c, the newest turn, has expired: so has the whole conversation
            HttpResponse<String> afterAll = continueFrom(gw, b, "d");

            assertThat(readB.statusCode()).isEqualTo(200);
            assertThat(readA.statusCode()).as("kept as long as the turn continuing it").isEqualTo(200);
            assertThat(c.statusCode()).as(c.body()).isEqualTo(200);
            sentUpstream();
            sentUpstream();
            assertThat(sentUpstream().path("messages")).extracting(m -> m.path("content").toString())
                    .containsExactly("\"a\"", "[{\"type\":\"text\",\"text\":\"one\"}]", "\"b\"",
                            "[{\"type\":\"text\",\"text\":\"two\"}]", "\"c\"");
            assertThat(afterAll.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(afterAll.body()).at("/error/message").asText())
                    .contains("no stored response '" + b + "'");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "database"})
    void givenTheFirstTurnDeleted_whenTheSecondIsReadOrContinued_thenItIsReadButA400NamesTheDeletedTurn(String store,
            @TempDir Path dir) throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "one", 30, 4));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "two", 30, 4));
        try (TestGateway gw = gateway(store, dir)) {
            String a = TestGateway.json(respond(gw, "{\"model\": \"fast\", \"input\": \"a\"}", MASTER).body())
                    .path("id").asText();
            String b = TestGateway.json(continueFrom(gw, a, "b").body()).path("id").asText();

            HttpResponse<String> deleted = gw.delete("/v1/responses/" + a, "Authorization", "Bearer " + MASTER);
            HttpResponse<String> readA = gw.get("/v1/responses/" + a, "Authorization", "Bearer " + MASTER);
            HttpResponse<String> readB = gw.get("/v1/responses/" + b, "Authorization", "Bearer " + MASTER);
            HttpResponse<String> deletedAgain = gw.delete("/v1/responses/" + a, "Authorization", "Bearer " + MASTER);
            advance(Duration.ofMinutes(59));
            HttpResponse<String> c = continueFrom(gw, b, "c");

            assertThat(deleted.statusCode()).isEqualTo(200);
            assertThat(readA.statusCode()).isEqualTo(404);
            assertThat(deletedAgain.statusCode()).isEqualTo(404);
            assertThat(readB.statusCode()).isEqualTo(200);
            assertThat(c.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(c.body()).at("/error/message").asText())
                    .contains("response '" + b + "' continues '" + a + "', which was deleted")
                    .doesNotContain("no stored response");
            assertThat(upstream.getRequestCount()).isEqualTo(2);
        }
    }

    @Test
    void givenAnEarlierTurnGoneFromTheDatabase_whenALaterOneIsContinued_thenA400NamesItAsExpired(@TempDir Path dir) {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "one", 30, 4));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "two", 30, 4));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "three", 30, 4));
        try (TestGateway gw = gateway("database", dir)) {
            String a = TestGateway.json(respond(gw, "{\"model\": \"fast\", \"input\": \"a\"}", MASTER).body())
                    .path("id").asText();
            String b = TestGateway.json(continueFrom(gw, a, "b").body()).path("id").asText();
            String c = TestGateway.json(continueFrom(gw, b, "c").body()).path("id").asText();
            database(dir).delete(a); // as the hourly reaping of a row that expired before turns kept earlier ones

            HttpResponse<String> d = continueFrom(gw, c, "d");

            assertThat(d.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(d.body()).at("/error/message").asText())
                    .contains("response '" + c + "' continues '" + a + "' (through '" + b + "'), which has expired");
        }
    }

    @Test
    void givenAResponseStoredInTheLedgersDatabase_whenTheGatewayRestarts_thenItCanStillBeContinued(@TempDir Path dir)
            throws Exception {
        upstream.enqueue(toolCall());
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Sunny, 21 degrees.", 80, 8));
        String config = """
                master_key: ${MASTER}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s, price: {input: "1", output: "2"}}
                """.formatted(upstream.url("/v1").toString().replaceAll("/$", ""));
        String ledger = "jdbc:sqlite:" + dir.resolve("ledger.db"); // the gateway's own default: the ledger's database
        String id;
        try (TestGateway before = new TestGateway(config, Map.of("MASTER", MASTER),
                new JdbcResponseDocuments(ledger, Clock.systemUTC()))) {
            id = TestGateway.json(respond(before, "{\"model\": \"fast\", \"input\": \"Weather in Paris?\", "
                    + "\"tools\": [{\"type\": \"function\", \"name\": \"get_weather\", \"parameters\": "
                    + "{\"type\": \"object\"}}]}", MASTER).body()).path("id").asText();
        }
        try (TestGateway after = new TestGateway(config, Map.of("MASTER", MASTER),
                new JdbcResponseDocuments(ledger, Clock.systemUTC()))) {
            HttpResponse<String> next = respond(after, "{\"model\": \"fast\", \"previous_response_id\": \"" + id
                    + "\", \"input\": [{\"type\": \"function_call_output\", \"call_id\": \"call_1\", "
                    + "\"output\": \"{\\\"temp\\\": 21}\"}]}", MASTER);

            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(after.get("/v1/responses/" + id, "Authorization", "Bearer " + MASTER).statusCode())
                    .isEqualTo(200);
            sentUpstream();
            assertThat(sentUpstream().path("messages")).extracting(m -> m.path("role").asText())
                    .containsExactly("user", "assistant", "tool");
        }
    }

    @Test
    void givenAClientsOwnRequestId_whenTwoKeysSendTheSameOne_thenEachKeepsItsOwnStoredResponse() {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "one", 30, 4));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "two", 30, 4));
        try (TestGateway gw = gateway()) {
            String other = TestGateway.json(gw.post("/v1/keys", "{\"name\": \"other\"}", "Authorization",
                    "Bearer " + MASTER).body()).path("key").asText();
            HttpResponse<String> mine = gw.post("/v1/responses", "{\"model\": \"fast\", \"input\": \"a\"}",
                    "Authorization", "Bearer " + MASTER, "x-request-id", "req-1");
            HttpResponse<String> theirs = gw.post("/v1/responses", "{\"model\": \"fast\", \"input\": \"b\"}",
                    "Authorization", "Bearer " + other, "x-request-id", "req-1");

            String id = TestGateway.json(mine.body()).path("id").asText();
            assertThat(TestGateway.json(theirs.body()).path("id").asText()).isNotEqualTo(id);
            assertThat(gw.get("/v1/responses/" + id, "Authorization", "Bearer " + MASTER).statusCode())
                    .as("the other key's response did not replace this one").isEqualTo(200);
        }
    }

    @Test
    void givenAStreamedResponse_whenContinued_thenItsAnswerIsPartOfTheConversation() throws Exception {
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", "Hel", "lo"));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Bye", 30, 2));
        try (TestGateway gw = gateway()) {
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(respond(gw, "{\"model\": \"fast\", "
                    + "\"input\": \"Greet me\", \"stream\": true}", MASTER).body());
            String id = events.getLast().getValue().at("/response/id").asText();
            HttpResponse<String> next = respond(gw, "{\"model\": \"fast\", \"previous_response_id\": \"" + id
                    + "\", \"input\": \"Now leave\"}", MASTER);

            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            sentUpstream();
            assertThat(sentUpstream().path("messages")).extracting(m -> m.path("role").asText())
                    .containsExactly("user", "assistant", "user");
        }
    }
}
