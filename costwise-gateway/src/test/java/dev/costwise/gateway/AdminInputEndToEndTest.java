package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Admin input the gateway cannot apply is refused with a 400 naming what is wrong, never dropped without a word: a
 * rotation's body (rotating only replaces the secret) and a query parameter given twice.
 */
class AdminInputEndToEndTest {
    private static final String MASTER = "sk-master-admin";
    private static final String[] AUTH = {"Authorization", "Bearer " + MASTER};

    private static TestGateway gateway() {
        return TestGateway.of("""
                master_key: %s
                models: [{name: m, provider: sim}]
                """.formatted(MASTER));
    }

    @Test
    void givenARotationWithABody_whenSent_thenItIsRefusedNamingTheFieldAndTheSecretIsKept() {
        try (TestGateway gw = gateway()) {
            JsonNode key = TestGateway.json(gw.post("/v1/keys", "{\"name\":\"app\"}", AUTH).body());
            String rotate = "/v1/keys/" + key.get("id").asText() + "/rotate";

            HttpResponse<String> withFields = gw.post(rotate, "{\"expires_in\":\"1h\",\"bogus\":true}", AUTH);
            HttpResponse<String> notJson = gw.post(rotate, "not json", AUTH);
            HttpResponse<String> notAnObject = gw.post(rotate, "[]", AUTH);

            assertThat(withFields.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(withFields.body()).get("error");
            assertThat(error.get("param").asText()).isEqualTo("expires_in");
            assertThat(error.get("message").asText()).isEqualTo("expires_in: rotate takes no fields: it only replaces "
                    + "the key's secret; change its expiry and other settings with PATCH /v1/keys/{id}");
            assertThat(notJson.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(notJson.body()).at("/error/code").asText()).isEqualTo("invalid_json");
            assertThat(notAnObject.statusCode()).isEqualTo(400);
            assertThat(gw.get("/v1/models", "Authorization", "Bearer " + key.get("key").asText()).statusCode())
                    .as("no refused rotation replaced the secret").isEqualTo(200);

            assertThat(gw.post(rotate, "", AUTH).statusCode()).as("no body").isEqualTo(200);
            assertThat(gw.post(rotate, "{}", AUTH).statusCode()).as("an empty object").isEqualTo(200);
        }
    }

    @Test
    void givenABudgetsParameterGivenTwice_whenListed_thenA400NamesIt() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.get("/v1/budgets?scope=key&scope=user", AUTH);

            assertThat(res.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(error.get("param").asText()).isEqualTo("scope");
            assertThat(error.get("message").asText()).isEqualTo("scope: given 2 times; give it once");
            assertThat(gw.get("/v1/budgets?scope=key", AUTH).statusCode()).isEqualTo(200);
        }
    }
}
