package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** {@code PATCH /v1/keys/{id}}: a key's limits, budget and models change in place, and its holder keeps its secret. */
class KeyUpdateEndToEndTest {
    private static final String MASTER = "sk-master-update";
    private static final String ADMIN = "Bearer " + MASTER;

    @StartStop
    final MockWebServer upstream = new MockWebServer();

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

    /** Each call costs (10 + 90) tokens at $10 per 1M = $0.001; its worst case is (8 + 90) of them = $0.00098. */
    private static final String PRICED_CALL = "{\"model\":\"priced\",\"max_tokens\":90,\"messages\":[{\"role\":"
            + "\"user\",\"content\":\"q\"}]}";

    /** A gateway whose model {@code priced} is answered by {@link #upstream}, without a response cache. */
    private TestGateway pricedGateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - name: priced
                    provider: openai
                    base_url: %s
                    price: {input: "10.00", output: "10.00"}
                defaults:
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1"), java.util.Map.of("MASTER", MASTER));
    }

    @Test
    void givenKeyBudgetChangedAwayAndBack_whenCalled_thenAllTheKeysSpendInTheWindowCountsAgainstIt() {
        try (TestGateway gw = pricedGateway()) {
            JsonNode key = TestGateway.json(gw.post("/v1/keys", "{\"name\":\"flip\",\"budget\":\"0.003\","
                    + "\"budget_window\":\"day\"}", "Authorization", ADMIN).body());
            String id = key.get("id").asText();
            String bearer = "Bearer " + key.get("key").asText();
            String body = PRICED_CALL;
            for (int i = 0; i < 4; i++) { // one more than should be sent
                upstream.enqueue(OpenAiFake.completion("gpt-4o", "ok", 10, 90));
            }
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                statuses.add(gw.post("/v1/chat/completions", body, "Authorization", bearer).statusCode());
            }
            assertThat(gw.patch("/v1/keys/" + id, "{\"budget\":\"1\"}", "Authorization", ADMIN).statusCode())
                    .isEqualTo(200);
            statuses.add(gw.post("/v1/chat/completions", body, "Authorization", bearer).statusCode());
            assertThat(gw.patch("/v1/keys/" + id, "{\"budget\":\"0.003\"}", "Authorization", ADMIN)
                    .statusCode()).isEqualTo(200);

            HttpResponse<String> refused = gw.post("/v1/chat/completions", body, "Authorization", bearer);

            assertThat(statuses).containsExactly(200, 200, 200);
            assertThat(refused.statusCode()).as("$0.003 spent of $0.003").isEqualTo(429);
            assertThat(TestGateway.json(refused.body()).at("/error/code").asText()).isEqualTo("budget_exceeded");
            assertThat(upstream.getRequestCount()).isEqualTo(3);
            JsonNode budgets = TestGateway.json(gw.get("/v1/budgets?scope_value=" + id, "Authorization", ADMIN)
                    .body()).get("data");
            assertThat(budgets).as("one entry for the key, at its current limit").hasSize(1);
            assertThat(budgets.at("/0/name").asText()).isEqualTo("key:" + id);
            assertThat(budgets.at("/0/limit").asText()).isEqualTo("0.003");
            assertThat(budgets.at("/0/spent").asText()).isEqualTo("0.003");
        }
    }

    @Test
    void givenKeyBudgetRemovedAndAddedBack_whenCalled_thenTheSpendMadeWithoutItCountsAndTheLimitHoldsExactly() {
        assertWindowSpendCountsAcross("{\"budget\":null}", "{\"budget\":\"0.003\"}");
    }

    @Test
    void givenKeyBudgetWindowMovedToMonthAndBack_whenCalled_thenTheSpendMadeMeanwhileCountsInTheDay() {
        assertWindowSpendCountsAcross("{\"budget_window\":\"month\"}", "{\"budget_window\":\"day\"}");
    }

    /**
     * A key with $0.003 a day spends $0.001, is PATCHed {@code away}, spends $0.001, is PATCHed {@code back}: its
     * day's spend is then $0.002 (all the ledger has for it today), and one more call is all it may make.
     */
    private void assertWindowSpendCountsAcross(String away, String back) {
        try (TestGateway gw = pricedGateway()) {
            JsonNode key = TestGateway.json(createKey(gw, "{\"name\":\"rebudget\",\"budget\":\"0.003\","
                    + "\"budget_window\":\"day\"}").body());
            String id = key.get("id").asText();
            String bearer = "Bearer " + key.get("key").asText();
            for (int i = 0; i < 4; i++) { // one more than should be sent
                upstream.enqueue(OpenAiFake.completion("gpt-4o", "ok", 10, 90));
            }
            List<Integer> statuses = new ArrayList<>();
            statuses.add(gw.post("/v1/chat/completions", PRICED_CALL, "Authorization", bearer).statusCode());
            assertThat(gw.patch("/v1/keys/" + id, away, "Authorization", ADMIN).statusCode()).isEqualTo(200);
            statuses.add(gw.post("/v1/chat/completions", PRICED_CALL, "Authorization", bearer).statusCode());
            assertThat(gw.patch("/v1/keys/" + id, back, "Authorization", ADMIN).statusCode()).isEqualTo(200);

            JsonNode own = TestGateway.json(gw.get("/v1/key", "Authorization", bearer).body()).at("/budgets/0");
            statuses.add(gw.post("/v1/chat/completions", PRICED_CALL, "Authorization", bearer).statusCode());
            HttpResponse<String> refused = gw.post("/v1/chat/completions", PRICED_CALL, "Authorization", bearer);

            assertThat(own.get("window").asText()).isEqualTo("day");
            assertThat(own.get("spent").asText()).as("all the key spent today").isEqualTo("0.002");
            assertThat(own.get("remaining").asText()).isEqualTo("0.001");
            assertThat(statuses).containsExactly(200, 200, 200);
            assertThat(refused.statusCode()).as("$0.003 spent of $0.003").isEqualTo(429);
            assertThat(upstream.getRequestCount()).isEqualTo(3);
            assertThat(gw.ledger.records().stream().map(dev.costwise.llm.cost.CostRecord::cost)
                    .reduce(dev.costwise.core.Money.ZERO, dev.costwise.core.Money::plus))
                    .isEqualTo(dev.costwise.core.Money.of("0.003"));
        }
    }

    @Test
    void givenKeyBudgetWindowChangedThenRemoved_whenBudgetsAreListed_thenOnlyTheCurrentOneShows() {
        try (TestGateway gw = gateway()) {
            String id = TestGateway.json(createKey(gw, "{\"name\":\"app\",\"budget\":\"1\","
                    + "\"budget_window\":\"day\"}").body()).get("id").asText();
            List<String> daily = keyBudgets(gw, id);
            gw.patch("/v1/keys/" + id, "{\"budget_window\":\"month\"}", "Authorization", ADMIN);
            List<String> monthly = keyBudgets(gw, id);
            gw.patch("/v1/keys/" + id, "{\"budget\":null}", "Authorization", ADMIN);

            List<String> none = keyBudgets(gw, id);

            assertThat(daily).containsExactly("key:" + id + " day 1");
            assertThat(monthly).containsExactly("key:" + id + " month 1");
            assertThat(none).isEmpty();
        }
    }

    /** @return the key's budgets in {@code /v1/budgets}, as name, window and limit */
    private static List<String> keyBudgets(TestGateway gw, String id) {
        List<String> out = new ArrayList<>();
        TestGateway.json(gw.get("/v1/budgets?scope_value=" + id, "Authorization", ADMIN).body()).get("data")
                .forEach(b -> out.add(b.get("name").asText() + " " + b.get("window").asText() + " "
                        + b.get("limit").asText()));
        return out;
    }

    @Test
    void givenBadPatches_whenSent_thenClearErrorsAndTheKeyIsUnchanged() {
        try (TestGateway gw = gateway()) {
            JsonNode key = TestGateway.json(gw.post("/v1/keys", "{\"name\":\"app\",\"rpm\":5}", "Authorization",
                    ADMIN).body());
            String id = key.get("id").asText();

            assertError(gw.patch("/v1/keys/" + id, "{\"rmp\":10}", "Authorization", ADMIN), 400, "rmp");
            assertError(gw.patch("/v1/keys/" + id, "{\"budget_window\":\"day\"}", "Authorization", ADMIN), 400,
                    "budget_window");
            HttpResponse<String> twice = gw.patch("/v1/keys/" + id, "{\"rpm\":6,\"rpm\":7}", "Authorization", ADMIN);
            assertThat(twice.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(twice.body()).at("/error/message").asText()).contains("Duplicate field 'rpm'");
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

    @Test
    void givenLimitsBeyondAnInt_whenPostedOrPatched_then400NamingTheFieldAndTheRange() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> wrapsTo1 = createKey(gw, "{\"name\":\"wrap\",\"rpm\":8589934593}");
            HttpResponse<String> wrapsNegative = createKey(gw, "{\"name\":\"wrap\",\"tpm\":2147483648}");
            JsonNode key = TestGateway.json(createKey(gw, "{\"name\":\"app\",\"rpm\":2147483647}").body());
            HttpResponse<String> patched = gw.patch("/v1/keys/" + key.get("id").asText(), "{\"tpm\":4294967396}",
                    "Authorization", ADMIN);

            assertError(wrapsTo1, 400, "rpm");
            assertThat(TestGateway.json(wrapsTo1.body()).at("/error/message").asText())
                    .isEqualTo("rpm: expected a whole number from 1 to 2147483647, was 8589934593");
            assertError(wrapsNegative, 400, "tpm");
            assertError(patched, 400, "tpm");
            assertThat(key.get("rpm").asLong()).as("the largest limit is taken as it is").isEqualTo(2147483647L);
            JsonNode listed = TestGateway.json(gw.get("/v1/keys", "Authorization", ADMIN).body()).get("data");
            assertThat(listed).hasSize(1);
            assertThat(listed.at("/0/tpm").isMissingNode() || listed.at("/0/tpm").isNull()).isTrue();
        }
    }

    @Test
    void givenBudgetAsAJsonNumber_whenPostedOrPatched_thenEveryDigitIsKept() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> created = createKey(gw, "{\"name\":\"exact\",\"budget\":5.123456789123456789}");
            String id = TestGateway.json(created.body()).get("id").asText();
            HttpResponse<String> patched = gw.patch("/v1/keys/" + id, "{\"budget\":0.300000000000000001}",
                    "Authorization", ADMIN);
            HttpResponse<String> huge = gw.patch("/v1/keys/" + id, "{\"budget\":1e999999999}", "Authorization",
                    ADMIN);

            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(TestGateway.json(created.body()).get("budget").asText()).isEqualTo("5.123456789123456789");
            assertThat(patched.statusCode()).isEqualTo(200);
            assertThat(TestGateway.json(patched.body()).get("budget").asText()).isEqualTo("0.300000000000000001");
            assertError(huge, 400, "budget");
            JsonNode listed = TestGateway.json(gw.get("/v1/keys", "Authorization", ADMIN).body());
            assertThat(listed.at("/data/0/budget").asText()).isEqualTo("0.300000000000000001");
        }
    }

    @Test
    void givenKeyTagsTheHeaderWouldRefuse_whenPostedOrPatched_then400NamingTheTag() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> badName = createKey(gw, "{\"name\":\"a\",\"tags\":{\"Bad Name\":\"x\"}}");
            HttpResponse<String> key = createKey(gw, "{\"name\":\"a\",\"tags\":{\"key\":\"other\"}}");
            HttpResponse<String> user = createKey(gw, "{\"name\":\"a\",\"tags\":{\"user\":\"alice\"}}");
            String id = TestGateway.json(gw.post("/v1/keys", "{\"name\":\"a\",\"tags\":{\"team\":\"t\","
                    + "\"feature\":\"search\"}}", "Authorization", ADMIN).body()).get("id").asText();
            HttpResponse<String> longValue = gw.patch("/v1/keys/" + id, "{\"tags\":{\"env\":\"" + "x".repeat(129)
                    + "\"}}", "Authorization", ADMIN);

            assertError(badName, 400, "tags.Bad Name");
            assertThat(TestGateway.json(badName.body()).at("/error/message").asText())
                    .contains("must start with a lowercase letter");
            assertError(key, 400, "tags.key");
            assertError(user, 400, "tags.user");
            assertError(longValue, 400, "tags.env");
            JsonNode listed = TestGateway.json(gw.get("/v1/keys", "Authorization", ADMIN).body()).get("data");
            assertThat(listed).as("only the valid key was created").hasSize(1);
            assertThat(listed.at("/0/tags/team").asText()).as("unchanged by the refused patch").isEqualTo("t");
        }
    }

    @Test
    void givenKey_whenRotated_thenCreatedAtStaysAndRotatedAtIsShown() {
        try (TestGateway gw = gateway()) {
            JsonNode created = TestGateway.json(createKey(gw, "{\"name\":\"app\"}").body());
            String id = created.get("id").asText();

            JsonNode rotated = TestGateway.json(gw.post("/v1/keys/" + id + "/rotate", "", "Authorization", ADMIN)
                    .body());

            assertThat(rotated.get("created_at").asText()).isEqualTo(created.get("created_at").asText());
            assertThat(created.has("rotated_at")).isFalse();
            assertThat(java.time.Instant.parse(rotated.get("rotated_at").asText()))
                    .isAfterOrEqualTo(java.time.Instant.parse(created.get("created_at").asText()));
            JsonNode listed = TestGateway.json(gw.get("/v1/keys", "Authorization", ADMIN).body()).at("/data/0");
            assertThat(listed.get("created_at")).isEqualTo(created.get("created_at"));
            assertThat(listed.get("rotated_at")).isEqualTo(rotated.get("rotated_at"));
        }
    }

    private static HttpResponse<String> createKey(TestGateway gw, String body) {
        return gw.post("/v1/keys", body, "Authorization", ADMIN);
    }

    private static void assertError(HttpResponse<String> res, int status, String param) {
        assertThat(res.statusCode()).isEqualTo(status);
        assertThat(TestGateway.json(res.body()).at("/error/param").asText()).isEqualTo(param);
    }

    private static int chat(TestGateway gw, String model, String bearer) {
        return gw.post("/v1/chat/completions", TestGateway.chat(model, "hi"), "Authorization", bearer).statusCode();
    }
}
