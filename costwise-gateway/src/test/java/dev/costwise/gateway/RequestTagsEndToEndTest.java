package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.cost.CostRecord;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code x-costwise-tags}: a request's own tags on its ledger rows, so spend splits by feature under one key. */
class RequestTagsEndToEndTest {
    private static final String MASTER = "sk-master-tags";
    private static final String ADMIN = "Bearer " + MASTER;

    private static TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models: [{name: m, provider: sim, model: gpt-4o-mini}]
                """, Map.of("MASTER", MASTER));
    }

    @Test
    void givenTagsHeader_whenRequestsAreSent_thenTheLedgerAndSpendSplitByThem() {
        try (TestGateway gw = gateway()) {
            String key = "Bearer " + TestGateway.json(gw.post("/v1/keys",
                    "{\"name\":\"app\",\"tags\":{\"team\":\"a\"}}", "Authorization", ADMIN).body()).get("key").asText();

            assertThat(chat(gw, key, "feature=search, env=prod").statusCode()).isEqualTo(200);
            assertThat(chat(gw, key, "feature=summaries").statusCode()).isEqualTo(200);
            assertThat(chat(gw, key, null).statusCode()).isEqualTo(200);
            HttpResponse<String> streamed = gw.post("/v1/chat/completions", "{\"model\":\"m\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", key,
                    "x-costwise-tags", "feature=search");
            assertThat(streamed.statusCode()).isEqualTo(200);

            assertThat(gw.records()).extracting(CostRecord::tags).satisfiesExactly(
                    t -> assertThat(t).containsEntry("feature", "search").containsEntry("env", "prod")
                            .containsEntry("team", "a"),
                    t -> assertThat(t).containsEntry("feature", "summaries").doesNotContainKey("env"),
                    t -> assertThat(t).doesNotContainKey("feature").containsEntry("team", "a"),
                    t -> assertThat(t).containsEntry("feature", "search"));
            JsonNode spend = TestGateway.json(gw.get("/v1/spend?group_by=feature", "Authorization", ADMIN).body());
            assertThat(spend.get("by_feature").properties()).extracting(Map.Entry::getKey)
                    .containsExactlyInAnyOrder("search", "summaries", "(none)");
            assertThat(spend.at("/by_feature/search/requests").asInt()).isEqualTo(2);
            assertThat(spend.at("/by_feature/summaries/requests").asInt()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "feature                      | expected name=value pairs",
        "feature=                     | expected name=value pairs",
        "Feature=x                    | must start with a lowercase letter",
        "team=b                       | comes from the API key",
        "key=other                    | comes from the API key",
        "user=bob                     | the body's \"user\" field",
        "cost-center=42, cost-center=43 | is given twice",
        "owner=me                     | set to 'platform' by the API key",
        "feature=(none)               | cannot be '(none)': spend reports name the rows without one so"})
    void givenBadTagsHeader_whenSent_then400NamesTheHeaderAndNothingIsBilled(String header, String message) {
        try (TestGateway gw = gateway()) {
            String key = "Bearer " + TestGateway.json(gw.post("/v1/keys", "{\"tags\":{\"owner\":\"platform\"}}",
                    "Authorization", ADMIN).body()).get("key").asText();

            HttpResponse<String> res = chat(gw, key, header);

            assertThat(res.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(error.get("param").asText()).isEqualTo("x-costwise-tags");
            assertThat(error.get("message").asText()).contains(message);
            assertThat(gw.records()).isEmpty();
        }
    }

    @Test
    void givenTheKeysOwnValueRepeated_whenSent_thenAcceptedButNotMoreThan16Tags() {
        try (TestGateway gw = gateway()) {
            String key = "Bearer " + TestGateway.json(gw.post("/v1/keys", "{\"tags\":{\"owner\":\"platform\"}}",
                    "Authorization", ADMIN).body()).get("key").asText();

            assertThat(chat(gw, key, "owner=platform,feature=x").statusCode()).isEqualTo(200);
            String seventeen = String.join(",", java.util.stream.IntStream.range(0, 17).mapToObj(i -> "t" + i + "=v")
                    .toList());
            HttpResponse<String> tooMany = chat(gw, key, seventeen);
            assertThat(tooMany.statusCode()).isEqualTo(400);
            assertThat(tooMany.body()).contains("at most 16 tags");
        }
    }

    @Test
    void givenAUserOrKeyTagNamedAsReportsNameNoValue_whenSent_then400AndNothingIsBilled() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> user = gw.post("/v1/chat/completions", "{\"model\":\"m\",\"user\":\"(none)\","
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", ADMIN);
            HttpResponse<String> keyTag = gw.post("/v1/keys", "{\"tags\":{\"team\":\"(none)\"}}",
                    "Authorization", ADMIN);

            assertThat(user.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(user.body()).at("/error/param").asText()).isEqualTo("user");
            assertThat(TestGateway.json(user.body()).at("/error/message").asText())
                    .contains("the end user cannot be '(none)': spend reports name the rows without one so");
            assertThat(keyTag.statusCode()).isEqualTo(400);
            assertThat(keyTag.body()).contains("the value of tag 'team' cannot be '(none)'");
            assertThat(gw.records()).isEmpty();
        }
    }

    private static HttpResponse<String> chat(TestGateway gw, String key, String tags) {
        return tags == null
                ? gw.post("/v1/chat/completions", TestGateway.chat("m", "hi"), "Authorization", key)
                : gw.post("/v1/chat/completions", TestGateway.chat("m", "hi"), "Authorization", key,
                        "x-costwise-tags", tags);
    }

    @Test
    void givenATagValueInUtf8_whenSentAsRawHeaderBytes_then400SaysTagsMustBeAsciiAndNothingIsBilled()
            throws IOException {
        try (TestGateway gw = gateway()) {
            String key = "Bearer " + TestGateway.json(gw.post("/v1/keys", "{\"name\":\"app\"}", "Authorization",
                    ADMIN).body()).get("key").asText();
            byte[] body = TestGateway.chat("m", "hi").getBytes(StandardCharsets.UTF_8);
            // the header's octets as a client in UTF-8 sends them: the server reads header values as US-ASCII, so
            // they would reach the ledger as U+FFFD
            byte[] head = ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\nx-costwise-tags: feature=r\u00e9sum\u00e9\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            String answer;
            try (Socket socket = new Socket("127.0.0.1", gw.port())) {
                socket.getOutputStream().write(head);
                socket.getOutputStream().write(body);
                socket.getOutputStream().flush();
                answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }

            assertThat(answer).startsWith("HTTP/1.1 400");
            JsonNode error = TestGateway.json(answer.substring(answer.indexOf("\r\n\r\n") + 4)).get("error");
            assertThat(error.get("param").asText()).isEqualTo("x-costwise-tags");
            assertThat(error.get("message").asText()).contains("tags must be ASCII").contains("percent-encode");
            assertThat(gw.records()).isEmpty();
            JsonNode spend = TestGateway.json(gw.get("/v1/spend?group_by=feature", "Authorization", ADMIN).body());
            assertThat(spend.get("by_feature").properties()).isEmpty();
        }
    }
}
