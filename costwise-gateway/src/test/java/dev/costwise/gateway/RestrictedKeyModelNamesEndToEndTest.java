package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.config.ConfigLoader;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A key limited to some models sees only those in {@code /v1/models}, and error messages that list models tell it of
 * no other either; the master key still sees every name. Nothing is sent upstream.
 */
class RestrictedKeyModelNamesEndToEndTest {
    private static final String MASTER = "mk-master-secret";
    private static final String TEAM = "sk-team-a-secret";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: mini, provider: openai, model: gpt-4o-mini, api_key: sk-test, base_url: %1$s/v1}
                  - {name: secret-big, provider: openai, model: gpt-4o, api_key: sk-test, base_url: %1$s/v1}
                  - {name: secret-embed, provider: openai, model: text-embedding-3-small, api_key: sk-test,
                     base_url: %1$s/v1}
                  - {name: team-embed, provider: openai, model: text-embedding-3-large, api_key: sk-test,
                     base_url: %1$s/v1}
                aliases: {secret-alias: secret-big}
                keys:
                  - {id: team-a, key_sha256: %2$s, models: [mini, team-embed]}
                """.formatted(TestGateway.baseUrl(upstream), ConfigLoader.sha256Hex(TEAM)), Map.of("MASTER", MASTER));
    }

    private static String message(HttpResponse<String> res) {
        return TestGateway.json(res.body()).at("/error/message").asText();
    }

    @Test
    void givenARestrictedKey_whenItsRequestsFail_thenTheMessagesListOnlyTheModelsItMayUse() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> unknown = gw.post("/v1/chat/completions", TestGateway.chat("nope", "hi"),
                    "Authorization", "Bearer " + TEAM);
            HttpResponse<String> chatOnEmbedding = gw.post("/v1/chat/completions",
                    TestGateway.chat("team-embed", "hi"), "Authorization", "Bearer " + TEAM);
            HttpResponse<String> embeddingOnChat = gw.post("/v1/embeddings", "{\"model\":\"mini\",\"input\":\"hi\"}",
                    "Authorization", "Bearer " + TEAM);
            HttpResponse<String> models = gw.get("/v1/models", "Authorization", "Bearer " + TEAM);

            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(message(unknown)).isEqualTo("the model 'nope' does not exist (known: mini, team-embed)");
            assertThat(chatOnEmbedding.statusCode()).isEqualTo(400);
            assertThat(message(chatOnEmbedding)).endsWith("or name a chat model (configured: mini)");
            assertThat(embeddingOnChat.statusCode()).isEqualTo(400);
            assertThat(message(embeddingOnChat)).endsWith("name an embedding model (configured: team-embed)");
            for (HttpResponse<String> res : List.of(unknown, chatOnEmbedding, embeddingOnChat, models)) {
                assertThat(res.body()).doesNotContain("secret-");
            }
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenTheMasterKey_whenItNamesAnUnknownModel_thenEveryNameIsListed() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> unknown = gw.post("/v1/chat/completions", TestGateway.chat("nope", "hi"),
                    "Authorization", "Bearer " + MASTER);

            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(message(unknown)).contains("mini", "secret-big", "secret-embed", "team-embed", "secret-alias");
        }
    }
}
