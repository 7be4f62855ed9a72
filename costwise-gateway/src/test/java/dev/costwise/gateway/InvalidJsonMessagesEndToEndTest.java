package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
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
}
