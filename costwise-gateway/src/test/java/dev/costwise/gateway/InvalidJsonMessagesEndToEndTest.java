package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A body that is not valid JSON is a 400 {@code invalid_json} whose message says what is wrong and where, by line and
 * column, in plain words: nothing of the parser's own settings (its description of the source it read).
 */
class InvalidJsonMessagesEndToEndTest {
    private static final String MASTER = "sk-master-json";

    @Test
    void givenAnObjectNeverClosed_whenSent_thenTheMessageGivesTheLineAndColumnAndNoParserInternals() {
        try (TestGateway gw = TestGateway.of("""
                master_key: %s
                models: [{name: m, provider: sim}]
                """.formatted(MASTER))) {
            HttpResponse<String> patch = gw.patch("/v1/keys/x", "{\"rpm\":5", "Authorization", "Bearer " + MASTER);
            HttpResponse<String> chat = gw.post("/v1/chat/completions", "{\"model\":\"m\",\n\"messages\":[",
                    "Authorization", "Bearer " + MASTER);

            assertThat(patch.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(patch.body()).at("/error/message").asText()).isEqualTo("the request body is "
                    + "not valid JSON: Unexpected end-of-input: expected close marker for Object (start marker at "
                    + "line 1, column 1) (at line 1, column 9)");
            assertThat(chat.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(chat.body()).at("/error/message").asText())
                    .contains("line 2, column").doesNotContain("Source", "REDACTED", "StreamReadFeature");
        }
    }
    @Test
    void givenTextAfterTheJsonValue_whenSent_then400NamingTheTrailingContentWhereverTheBodyIsRead() {
        try (TestGateway gw = TestGateway.of("""
                master_key: %s
                models: [{name: m, provider: sim}]
                """.formatted(MASTER))) {
            String chat = TestGateway.chat("m", "hi");
            HttpResponse<String> garbage = gw.post("/v1/chat/completions", chat + " xyz", "Authorization",
                    "Bearer " + MASTER);
            HttpResponse<String> twoValues = gw.post("/v1/chat/completions", chat + "{\"model\":\"other\"}",
                    "Authorization", "Bearer " + MASTER);
            HttpResponse<String> admin = gw.post("/v1/keys", "{\"name\":\"a\"}]", "Authorization", "Bearer " + MASTER);
            HttpResponse<String> spaces = gw.post("/v1/chat/completions", chat + " \n", "Authorization",
                    "Bearer " + MASTER);

            assertThat(garbage.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(garbage.body()).at("/error/message").asText()).isEqualTo("the request body is "
                    + "not valid JSON: the body has more after its JSON value (from line 1, column "
                    + (chat.length() + 1) + "): send one JSON object");
            assertThat(TestGateway.json(garbage.body()).at("/error/code").asText()).isEqualTo("invalid_json");
            assertThat(twoValues.statusCode()).isEqualTo(400);
            assertThat(admin.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(admin.body()).at("/error/message").asText())
                    .contains("the body has more after its JSON value");
            assertThat(gw.keys.list()).isEmpty();
            assertThat(spaces.statusCode()).as("white space after the value is no value").isEqualTo(200);
            assertThat(gw.request("POST", "/v1/chat/completions", HttpRequest.BodyPublishers.ofByteArray(
                    ("\uFEFF" + chat).getBytes(StandardCharsets.UTF_16BE)), "Authorization", "Bearer " + MASTER)
                    .statusCode()).as("a UTF-16 body, which the parser reads by characters").isEqualTo(200);
        }
    }
}
