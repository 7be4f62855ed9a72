package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code PATCH /v1/keys/{id}}: a key's limits, budget and models change in place, and its holder keeps its secret. */
class KeyUpdateEndToEndTest {
    private static final String MASTER = "sk-master-update";
    private static final String ADMIN = "Bearer " + MASTER;

    private static TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: m, provider: sim}
                  - {name: other, provider: sim, model: gpt-4o}   # priced, so a budget can refuse it
                """, java.util.Map.of("MASTER", MASTER));
    }

    @Test
    void givenKeyWithLimits_whenPatched_thenTheNewLimitsApplyAtOnceAndTheSecretStays() {
        try (TestGateway gw = gateway()) {
            JsonNode key = TestGateway.json(gw.post("/v1/keys", "{\"name\":\"app\",\"rpm\":1,\"models\":[\"m\"],"
                    + "\"tags\":{\"team\":\"a\"}}", "Authorization", ADMIN).body());
            String id = key.get("id").asText();
            String bearer = "Bearer " + key.get("key").asText();
            assertThat(chat(gw, "m", bearer)).isEqualTo(200);
            assertThat(chat(gw, "m", bearer)).as("rpm 1").isEqualTo(429);
            assertThat(chat(gw, "other", bearer)).as("not among its models").isEqualTo(403);

            HttpResponse<String> patched = gw.patch("/v1/keys/" + id, "{\"rpm\":3,\"models\":null}",
                    "Authorization", ADMIN);

            assertThat(patched.statusCode()).isEqualTo(200);
            JsonNode view = TestGateway.json(patched.body());
            assertThat(view.get("rpm").asInt()).isEqualTo(3);
            assertThat(view.get("models")).isEmpty();
            assertThat(view.get("name").asText()).as("fields not sent keep their value").isEqualTo("app");
            assertThat(view.at("/tags/team").asText()).isEqualTo("a");
            assertThat(view.has("key")).as("no secret in the answer").isFalse();
            assertThat(chat(gw, "other", bearer)).as("every model now, same secret").isEqualTo(200);
            assertThat(chat(gw, "m", bearer)).as("third request of the minute under rpm 3").isEqualTo(200);
            assertThat(chat(gw, "m", bearer)).isEqualTo(429);
        }
    }

    @Test
    void givenKeyWithoutBudget_whenABudgetIsSetAndCleared_thenItHoldsAndThenNoLonger() {
        try (TestGateway gw = gateway()) {
            JsonNode key = TestGateway.json(gw.post("/v1/keys", "{\"name\":\"app\"}", "Authorization", ADMIN).body());
            String id = key.get("id").asText();
            String bearer = "Bearer " + key.get("key").asText();

            assertThat(gw.patch("/v1/keys/" + id, "{\"budget\":\"0.00\",\"budget_window\":\"day\"}",
                    "Authorization", ADMIN).statusCode()).isEqualTo(200);
            HttpResponse<String> refused = gw.post("/v1/chat/completions", TestGateway.chat("other", "hi"),
                    "Authorization", bearer);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(TestGateway.json(refused.body()).at("/error/code").asText()).isEqualTo("budget_exceeded");

            assertThat(gw.patch("/v1/keys/" + id, "{\"budget\":null}", "Authorization", ADMIN).statusCode())
                    .isEqualTo(200);
            assertThat(chat(gw, "other", bearer)).isEqualTo(200);
        }
    }

    @Test
    void givenBadPatches_whenSent_thenClearErrorsAndTheKeyIsUnchanged() {
        try (TestGateway gw = gateway()) {
            JsonNode key = TestGateway.json(gw.post("/v1/keys", "{\"name\":\"app\",\"rpm\":5}", "Authorization",
                    ADMIN).body());
            String id = key.get("id").asText();

            assertError(gw.patch("/v1/keys/" + id, "{\"rmp\":10}", "Authorization", ADMIN), 400, "rmp");
            assertError(gw.patch("/v1/keys/" + id, "{\"rpm\":0}", "Authorization", ADMIN), 400, "rpm");
            assertError(gw.patch("/v1/keys/" + id, "{\"name\":null}", "Authorization", ADMIN), 400, "name");
            assertError(gw.patch("/v1/keys/" + id, "{\"models\":[\"nope\"]}", "Authorization", ADMIN), 400,
                    "models[0]");
            assertError(gw.patch("/v1/keys/" + id, "[]", "Authorization", ADMIN), 400, "(body)");
            assertError(gw.patch("/v1/keys/" + id, "{\"tags\":{\"team\":\"a\\u0000b\"}}", "Authorization", ADMIN),
                    400, "tags.team");
            assertThat(gw.patch("/v1/keys/nope", "{\"rpm\":1}", "Authorization", ADMIN).statusCode()).isEqualTo(404);
            assertThat(gw.patch("/v1/keys/" + id, "{\"rpm\":1}", "Authorization", "Bearer " + key.get("key")
                    .asText()).statusCode()).as("a virtual key cannot change itself").isEqualTo(403);

            JsonNode listed = TestGateway.json(gw.get("/v1/keys", "Authorization", ADMIN).body());
            assertThat(listed.at("/data/0/rpm").asInt()).isEqualTo(5);
            assertThat(listed.at("/data/0/name").asText()).isEqualTo("app");

            assertThat(gw.delete("/v1/keys/" + id, "Authorization", ADMIN).statusCode()).isEqualTo(200);
            assertThat(gw.patch("/v1/keys/" + id, "{\"rpm\":1}", "Authorization", ADMIN).statusCode())
                    .as("a revoked key stays as it was").isEqualTo(404);
        }
    }

    private static void assertError(HttpResponse<String> res, int status, String param) {
        assertThat(res.statusCode()).isEqualTo(status);
        assertThat(TestGateway.json(res.body()).at("/error/param").asText()).isEqualTo(param);
    }

    private static int chat(TestGateway gw, String model, String bearer) {
        return gw.post("/v1/chat/completions", TestGateway.chat(model, "hi"), "Authorization", bearer).statusCode();
    }
}
