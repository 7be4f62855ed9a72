package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorsKeysAndBudgetsEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private String yaml(String extra) {
        return """
                master_key: ${MASTER}
                server:
                  max_body_size: 2KB
                models:
                  - name: fast
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %s
                    price: {input: "10.00", output: "10.00"}
                  - name: other
                    provider: openai
                    base_url: %s
                    price: {input: "10.00", output: "10.00"}
                keys:
                  - id: limited
                    key_sha256: %s
                    models: [fast]
                    rpm: 2
                %s
                """.formatted(base(), base(), ConfigLoader.sha256Hex("sk-limited"), extra);
    }

    private String base() {
        return upstream.url("/v1").toString().replaceAll("/$", "");
    }

    private TestGateway gateway(String extra) {
        return new TestGateway(yaml(extra), Map.of("MASTER", MASTER));
    }

    private static String code(HttpResponse<String> res) {
        return TestGateway.json(res.body()).at("/error/code").asText();
    }

    @Test
    void givenBadBodies_whenPosted_then400NamingTheField() {
        try (TestGateway gw = gateway("")) {
            String auth = "Bearer " + MASTER;
            HttpResponse<String> notJson = gw.post("/v1/chat/completions", "{oops", "Authorization", auth);
            HttpResponse<String> noMessages = gw.post("/v1/chat/completions", "{\"model\":\"fast\"}",
                    "Authorization", auth);
            HttpResponse<String> badTemp = gw.post("/v1/chat/completions", "{\"model\":\"fast\",\"temperature\":3,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "Authorization", auth);

            assertThat(notJson.statusCode()).isEqualTo(400);
            assertThat(code(notJson)).isEqualTo("invalid_json");
            assertThat(noMessages.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(noMessages.body()).at("/error/param").asText()).isEqualTo("messages");
            assertThat(TestGateway.json(badTemp.body()).at("/error/message").asText())
                    .isEqualTo("temperature: expected a number in [0, 2], was 3");
        }
    }

    @Test
    void givenMissingOrUnknownKey_whenCalled_then401() {
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> missing = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));
            HttpResponse<String> unknown = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"),
                    "Authorization", "Bearer sk-nope");

            assertThat(missing.statusCode()).isEqualTo(401);
            assertThat(unknown.statusCode()).isEqualTo(401);
            assertThat(code(unknown)).isEqualTo("invalid_api_key");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenKeyLimitedToOneModel_whenCallingAnother_then403AndARejectedLedgerRow() {
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("other", "q"),
                    "Authorization", "Bearer sk-limited");

            assertThat(res.statusCode()).isEqualTo(403);
            assertThat(code(res)).isEqualTo("model_not_allowed");
            assertThat(gw.records()).extracting(r -> r.outcome()).containsExactly(Outcome.REJECTED);
        }
    }

    @Test
    void givenUnknownModel_whenCalled_then404ListingKnownModels() {
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("gpt-9", "q"),
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(404);
            assertThat(code(res)).isEqualTo("model_not_found");
            assertThat(TestGateway.json(res.body()).at("/error/message").asText()).contains("'gpt-9'").contains(
                    "fast");
        }
    }

    @Test
    void givenAPathOrMethodNoEndpointTakes_whenCalled_then404Or405WithAllow() {
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> unknownPath = gw.get("/v1/nope");
            HttpResponse<String> getChat = gw.get("/v1/chat/completions");
            HttpResponse<String> getRotate = gw.get("/v1/keys/k-1/rotate");
            HttpResponse<String> deleteKeys = gw.delete("/v1/keys");

            assertThat(unknownPath.statusCode()).isEqualTo(404);
            assertThat(code(unknownPath)).isEqualTo("not_found");
            assertThat(getChat.statusCode()).isEqualTo(405);
            assertThat(getChat.headers().firstValue("Allow")).hasValue("POST");
            assertThat(code(getChat)).isEqualTo("method_not_allowed");
            assertThat(TestGateway.json(getChat.body()).at("/error/message").asText())
                    .isEqualTo("GET is not allowed on /v1/chat/completions (allowed: POST)");
            assertThat(getRotate.headers().firstValue("Allow")).as("{id} matches one segment").hasValue("POST");
            assertThat(deleteKeys.headers().firstValue("Allow")).as("HEAD with every GET").hasValue("GET, HEAD, POST");
        }
    }

    @Test
    void givenBodyOverTheLimit_whenPosted_then413() {
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "x".repeat(3000)),
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(413);
            assertThat(code(res)).isEqualTo("body_too_large");
        }
    }

    @Test
    void givenKeyWithRpm2_whenThirdRequestInTheMinute_then429WithRetryAfter() {
        for (int i = 0; i < 2; i++) {
            upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 1, 1));
        }
        try (TestGateway gw = gateway("")) {
            for (int i = 0; i < 2; i++) {
                assertThat(gw.post("/v1/chat/completions", TestGateway.chat("fast", "q" + i), "Authorization",
                        "Bearer sk-limited").statusCode()).isEqualTo(200);
            }
            HttpResponse<String> third = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q3"),
                    "Authorization", "Bearer sk-limited");

            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(code(third)).isEqualTo("rate_limit_exceeded");
            assertThat(third.headers().firstValue("retry-after")).isPresent();
            assertThat(upstream.getRequestCount()).isEqualTo(2);
        }
    }

    @Test
    void givenKeyFromTheConfigFile_whenItAsksForItself_thenCreatedAtIsWhenTheGatewayStarted() {
        java.time.Instant before = java.time.Instant.now();
        try (TestGateway gw = gateway("")) {
            java.time.Instant started = java.time.Instant.now();

            JsonNode self = TestGateway.json(gw.get("/v1/key", "Authorization", "Bearer sk-limited").body());

            assertThat(self.get("id").asText()).isEqualTo("limited");
            assertThat(java.time.Instant.parse(self.get("created_at").asText())).isBetween(before, started);
        }
    }

    @Test
    void givenKeyFromTheConfigFile_whenChangedThroughTheApi_then403SayingToChangeItInTheConfigFile() {
        try (TestGateway gw = gateway("")) {
            String auth = "Bearer " + MASTER;
            List<HttpResponse<String>> refused = List.of(gw.patch("/v1/keys/limited", "{\"rpm\":5}", "Authorization",
                    auth), gw.post("/v1/keys/limited/rotate", "", "Authorization", auth),
                    gw.delete("/v1/keys/limited", "Authorization", auth));

            for (HttpResponse<String> res : refused) {
                assertThat(res.statusCode()).isEqualTo(403);
                assertThat(code(res)).isEqualTo("key_in_config");
                assertThat(TestGateway.json(res.body()).at("/error/message").asText()).isEqualTo("key 'limited' is "
                        + "defined in the gateway's config file: change, rotate or remove it there and restart the "
                        + "gateway");
            }
            assertThat(code(gw.delete("/v1/keys/nope", "Authorization", auth))).isEqualTo("key_not_found");
            upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 1, 1));
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"), "Authorization",
                    "Bearer sk-limited").statusCode()).as("still in force").isEqualTo(200);
        }
    }

    @Test
    void givenBudgetTooSmallForTheWorstCase_whenCalled_then429BudgetExceededWithResetTime() {
        try (TestGateway gw = gateway("""
                budgets:
                  - name: daily
                    scope: global
                    window: day
                    limit: "0.01"
                """)) {
            String body = "{\"model\":\"fast\",\"max_tokens\":5000,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
            HttpResponse<String> res = gw.post("/v1/chat/completions", body, "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(429);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("budget_exceeded");
            assertThat(error.get("budget").asText()).isEqualTo("daily");
            assertThat(error.get("resets_at").asText()).endsWith("T00:00:00Z");
            // 8 input tokens (1 char, 4 per message, 3 to prime) and 5,000 output tokens at $10 per 1M each
            assertThat(error.get("worst_case").asText()).isEqualTo("0.05008");
            assertThat(error.get("message").asText()).isEqualTo("budget 'daily' has $0.01 of $0.01 left, less than"
                    + " this request's worst case of $0.05008 (fast, up to 5,000 output tokens); lower max_tokens,"
                    + " or retry after it resets at " + error.get("resets_at").asText());
            assertThat(res.headers().firstValue("retry-after")).isPresent();
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenBudgetSpentToItsLimit_whenCalled_then429SayingItIsExhausted() {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 10, 990)); // $0.0001 + $0.0099: the whole limit
        try (TestGateway gw = gateway("""
                budgets:
                  - {name: daily, scope: global, window: day, limit: "0.01"}
                """)) {
            String fits = "{\"model\":\"fast\",\"max_tokens\":990,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
            assertThat(gw.post("/v1/chat/completions", fits, "Authorization", "Bearer " + MASTER).statusCode())
                    .isEqualTo(200);

            HttpResponse<String> res = gw.post("/v1/chat/completions", fits.replace("990", "1"), "Authorization",
                    "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(429);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(error.get("message").asText()).isEqualTo("budget 'daily' is exhausted: $0.01 spent of"
                    + " $0.01; it resets at " + error.get("resets_at").asText());
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void givenScopedBudgetsWithSpendBeforeAStart_whenAdminAsksBeforeAnyRequest_thenEveryModelAndKeyWindowIsShown() {
        MemorySpendLedger ledger = new MemorySpendLedger();
        ledger.append(new CostRecord("earlier", 1, java.time.Instant.now(), "fast", "fast", "openai",
                dev.costwise.llm.chat.Usage.of(100, 100), Money.of("0.40"), Money.of("0.40"),
                dev.costwise.llm.cost.PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(), Optional.empty(),
                java.time.Duration.ZERO, Map.of("key", "limited")));
        try (TestGateway gw = new TestGateway(yaml("""
                budgets:
                  - {name: per-model, scope: model, window: month, limit: "5"}
                  - {name: per-key, scope: key, window: month, limit: "2"}
                """).replace("    rpm: 2\n", "    rpm: 2\n    budget: \"1\"\n"), Map.of("MASTER", MASTER), ledger,
                alert -> { })) {
            JsonNode budgets = TestGateway.json(gw.get("/v1/budgets", "Authorization", "Bearer " + MASTER).body());

            List<String> states = new ArrayList<>();
            budgets.get("data").forEach(b -> states.add(b.get("name").asText() + ":" + b.path("scope_value").asText()
                    + " spent " + b.get("spent").asText()));
            assertThat(states).containsExactly("key:limited:limited spent 0.4", "per-key:limited spent 0.4",
                    "per-model:fast spent 0.4", "per-model:other spent 0");
        }
    }

    @Test
    void givenAVirtualKey_whenItAsksAboutItself_thenItsLimitsAndOnlyItsOwnBudgetsWithWhatIsLeft() {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 1000, 1000)); // $0.02
        try (TestGateway gw = new TestGateway(yaml("""
                budgets:
                  - {name: global, window: day, limit: "50"}
                  - {name: per-key, scope: key, window: month, limit: "2"}
                """).replace("    rpm: 2\n", "    rpm: 2\n    budget: \"1\"\n    budget_window: day\n"),
                Map.of("MASTER", MASTER))) {
            String key = "Bearer sk-limited";
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"), "Authorization", key)
                    .statusCode()).isEqualTo(200);

            JsonNode self = TestGateway.json(gw.get("/v1/key", "Authorization", key).body());

            assertThat(self.get("id").asText()).isEqualTo("limited");
            assertThat(self.get("admin").asBoolean()).isFalse();
            assertThat(self.get("models").toString()).isEqualTo("[\"fast\"]");
            assertThat(self.get("rpm").asInt()).isEqualTo(2);
            List<String> budgets = new ArrayList<>();
            self.get("budgets").forEach(b -> budgets.add(b.get("name").asText() + " " + b.get("window").asText()
                    + ": spent " + b.get("spent").asText() + " of " + b.get("limit").asText() + ", "
                    + b.get("remaining").asText() + " left"));
            assertThat(budgets).as("the global budget holds everyone's spend: not shown").containsExactly(
                    "key:limited day: spent 0.02 of 1, 0.98 left", "per-key month: spent 0.02 of 2, 1.98 left");
            JsonNode master = TestGateway.json(gw.get("/v1/key", "Authorization", "Bearer " + MASTER).body());
            assertThat(master.get("id").asText()).isEqualTo("master");
            assertThat(master.get("admin").asBoolean()).isTrue();
            assertThat(master.get("budgets")).isEmpty();
            assertThat(gw.get("/v1/key").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void givenATeamBudget_whenOneKeyOfTheTeamSpendsIt_thenTheTeamsOtherKeyIsRefusedAndTheKeySeesIt() {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 10, 990)); // $0.01: the team's whole limit
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: fast, provider: openai, base_url: %s, price: {input: "10.00", output: "10.00"}}
                keys:
                  - {id: a1, key_sha256: %s, tags: {team: a}}
                  - {id: a2, key_sha256: %s, tags: {team: a}}
                budgets:
                  - {name: per-team, scope: team, window: day, limit: "0.01"}
                """.formatted(base(), ConfigLoader.sha256Hex("sk-a1"), ConfigLoader.sha256Hex("sk-a2")),
                Map.of("MASTER", MASTER))) {
            String body = "{\"model\":\"fast\",\"max_tokens\":990,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"q\"}]}";
            assertThat(gw.post("/v1/chat/completions", body, "Authorization", "Bearer sk-a1").statusCode())
                    .isEqualTo(200);

            HttpResponse<String> second = gw.post("/v1/chat/completions", body, "Authorization", "Bearer sk-a2");

            assertThat(second.statusCode()).isEqualTo(429);
            assertThat(TestGateway.json(second.body()).at("/error/budget").asText()).isEqualTo("per-team");
            JsonNode self = TestGateway.json(gw.get("/v1/key", "Authorization", "Bearer sk-a2").body());
            assertThat(self.at("/budgets/0/name").asText()).isEqualTo("per-team");
            assertThat(self.at("/budgets/0/scope_value").asText()).isEqualTo("a");
            assertThat(self.at("/budgets/0/remaining").asText()).isEqualTo("0");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }

    /** A request to premium whose worst case ($0.10) does not fit its $0.01 budget, which downgrades to free. */
    private static final String PREMIUM_TOO_DEAR = "{\"model\":\"premium\",\"max_tokens\":1000,\"messages\":"
            + "[{\"role\":\"user\",\"content\":\"q\"}]}";

    /** A gateway with premium ($100 per million tokens) under a $0.01 budget that downgrades to free. */
    private TestGateway premiumDowngradingToFree() {
        return new TestGateway("""
                models:
                  - name: premium
                    provider: openai
                    base_url: %s
                    price: {input: "100.00", output: "100.00"}
                  - name: free
                    provider: ollama
                    base_url: %s
                    price: {input: "0", output: "0"}
                budgets:
                  - name: monthly
                    limit: "0.01"
                    on_exhausted: downgrade
                    downgrade_to: free
                """.formatted(base(), base()), Map.of());
    }

    @Test
    void givenBudgetWithDowngrade_whenExhausted_thenCheaperModelAnswers() {
        upstream.enqueue(OpenAiFake.completion("cheap", "cheap answer", 1, 1));
        try (TestGateway gw = premiumDowngradingToFree()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", PREMIUM_TOO_DEAR);

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("free");
            assertThat(res.headers().firstValue("x-costwise-route")).hasValue("downgrade:monthly");
        }
    }

    @Test
    void givenBudgetWithDowngrade_whenExplained_thenThePlanIsTheDowngradeTheRequestGetsAndNothingIsReserved() {
        upstream.enqueue(OpenAiFake.completion("cheap", "cheap answer", 1, 1));
        try (TestGateway gw = premiumDowngradingToFree()) {
            JsonNode plan = TestGateway.json(gw.post("/v1/route/explain", PREMIUM_TOO_DEAR).body());
            JsonNode budget = TestGateway.json(gw.get("/v1/budgets").body()).at("/data/0");
            HttpResponse<String> res = gw.post("/v1/chat/completions", PREMIUM_TOO_DEAR);

            assertThat(plan.path("route").asText()).isEqualTo("downgrade:monthly");
            assertThat(plan.path("model").asText()).isEqualTo("free");
            assertThat(Money.of(plan.path("estimated_max_cost").asText())).isEqualTo(Money.ZERO);
            assertThat(Money.of(budget.path("reserved").asText())).as("explain reserves nothing")
                    .isEqualTo(Money.ZERO);
            assertThat(res.headers().firstValue("x-costwise-route")).hasValue(plan.path("route").asText());
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue(plan.path("model").asText());
        }
    }

    /** A cheap primary with an expensive fallback on the fake upstream, both under {@code budget}. */
    private TestGateway cheapPrimaryExpensiveFallback(String budget) {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - name: cheap
                    provider: openai
                    base_url: %s
                    price: {input: "0.10", output: "0.10"}
                  - name: pricey
                    provider: openai
                    base_url: %s
                    price: {input: "100.00", output: "100.00"}
                pipelines:
                  cheap:
                    fallbacks: [pricey]
                    retry: {max_retries: 0}
                budgets:
                %s
                """.formatted(base(), base(), budget.indent(2)), Map.of("MASTER", MASTER));
    }

    // About 8 prompt tokens and at most 100 out: a worst case of $0.0000108 on cheap, $0.0108 on pricey.
    private static final String HUNDRED_TOKENS_MAX =
            "{\"model\":\"cheap\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";

    @ParameterizedTest
    @ValueSource(strings = {"global", "model"})
    void givenFallbackDearerThanTheBudgetHasRoomFor_whenPrimaryFails_thenFallbackIsNotCalledAndTheErrorSaysWhy(
            String scope) {
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "boom"));
        upstream.enqueue(OpenAiFake.completion("pricey", "must not be asked", 10, 10));
        try (TestGateway gw = cheapPrimaryExpensiveFallback("""
                - name: cap
                  scope: %s
                  window: day
                  limit: "0.01"
                """.formatted(scope))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", HUNDRED_TOKENS_MAX,
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(502);
            assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                    .contains("'pricey' not tried").contains("budget 'cap'");
            assertThat(upstream.getRequestCount()).as("only the primary was called").isEqualTo(1);
            JsonNode budgets = TestGateway.json(gw.get("/v1/budgets", "Authorization", "Bearer " + MASTER).body());
            assertThat(budgets.findValuesAsText("reserved")).as("nothing left held").containsOnly("0");
        }
    }

    @Test
    void givenFallbackTheBudgetsHaveRoomFor_whenPrimaryFails_thenItAnswersAndOnlyItsCostIsCountedWhereItBelongs() {
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "boom"));
        upstream.enqueue(OpenAiFake.completion("pricey", "from the fallback", 10, 10));
        try (TestGateway gw = cheapPrimaryExpensiveFallback("""
                - name: cap
                  scope: global
                  window: day
                  limit: "0.02"
                - name: per-model
                  scope: model
                  window: day
                  limit: "0.02"
                """)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", HUNDRED_TOKENS_MAX,
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("pricey");
            JsonNode budgets = TestGateway.json(gw.get("/v1/budgets", "Authorization", "Bearer " + MASTER).body());
            List<String> states = new java.util.ArrayList<>();
            budgets.get("data").forEach(b -> states.add(b.get("name").asText() + ":"
                    + b.path("scope_value").asText("") + " spent " + b.get("spent").asText() + " reserved "
                    + b.get("reserved").asText()));
            // 20 tokens at $100 per million, counted globally and for the model that answered; the primary's
            // model budget only had its reservation released.
            assertThat(states).containsExactlyInAnyOrder("cap: spent 0.002 reserved 0",
                    "per-model:pricey spent 0.002 reserved 0", "per-model:cheap spent 0 reserved 0");
        }
    }

    @Test
    void givenBadKeyBodies_whenCreating_then400NamingTheFieldAndNoKeyIsCreated() {
        try (TestGateway gw = gateway("")) {
            String auth = "Bearer " + MASTER;
            Map<String, String> cases = new java.util.LinkedHashMap<>();
            cases.put("{\"name\":\"a\",\"rmp\":10}",
                    "rmp: unknown field (known: name, models, budget, budget_window, rpm, tpm, tags, expires_at, "
                            + "expires_in)");
            cases.put("{\"name\":\"\"}", "name: expected a non-empty string, was \"\"");
            cases.put("{\"name\":7}", "name: expected a non-empty string, was 7");
            cases.put("{\"tags\":\"team-a\"}", "tags: expected an object of name to value, was \"team-a\"");
            cases.put("{\"tags\":{\"team\":{\"x\":1}}}", "tags.team: expected a string, was {\"x\":1}");
            cases.put("{\"name\":\"a\",\"tags\":{\"team\":5}}", "tags.team: expected a string, was 5");
            cases.put("{\"name\":\"a\",\"budget_window\":\"day\"}",
                    "budget_window: is the window of a budget, and the key has none: send budget with it");
            cases.put("{\"name\":\"a\",\"budget\":null,\"budget_window\":\"day\"}",
                    "budget_window: is the window of a budget, and the key would have none: send budget with it");
            cases.put("{\"name\":\"a\",\"expires_in\":\"0s\"}",
                    "expires_in: must be positive (a key that expires at once is never usable), was \"0s\"");
            cases.put("{\"name\":\"x\",\"name\":\"y\"}",
                    "the request body is not valid JSON: Duplicate field 'name' (at line 1, column 19)");

            cases.forEach((body, message) -> {
                HttpResponse<String> res = gw.post("/v1/keys", body, "Authorization", auth);
                assertThat(res.statusCode()).as(body).isEqualTo(400);
                assertThat(TestGateway.json(res.body()).at("/error/message").asText()).isEqualTo(message);
            });
            assertThat(gw.keys.list()).isEmpty();
        }
    }

    @Test
    void givenMasterKey_whenManagingKeys_thenCreateShowsSecretOnceListHidesItRotateAndRevokeWork() {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 1, 1));
        try (TestGateway gw = gateway("")) {
            String auth = "Bearer " + MASTER;
            HttpResponse<String> created = gw.post("/v1/keys", "{\"name\":\"team-a\",\"models\":[\"fast\"],"
                    + "\"rpm\":10,\"tags\":{\"team\":\"a\"}}", "Authorization", auth);
            assertThat(created.statusCode()).isEqualTo(201);
            String id = TestGateway.json(created.body()).get("id").asText();
            String secret = TestGateway.json(created.body()).get("key").asText();

            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"), "Authorization",
                    "Bearer " + secret).statusCode()).isEqualTo(200);
            HttpResponse<String> list = gw.get("/v1/keys", "Authorization", auth);
            assertThat(list.body()).contains(id).doesNotContain(secret.substring(secret.lastIndexOf('-') + 1));
            assertThat(gw.get("/v1/keys", "Authorization", "Bearer " + secret).statusCode()).isEqualTo(403);

            HttpResponse<String> rotated = gw.post("/v1/keys/" + id + "/rotate", "", "Authorization", auth);
            String newSecret = TestGateway.json(rotated.body()).get("key").asText();
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"), "Authorization",
                    "Bearer " + secret).statusCode()).isEqualTo(401);
            assertThat(gw.delete("/v1/keys/" + id, "Authorization", auth).statusCode()).isEqualTo(200);
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("fast", "q2"), "Authorization",
                    "Bearer " + newSecret).statusCode()).isEqualTo(401);
            assertThat(gw.records().getFirst().tags()).containsEntry("team", "a").containsEntry("key", id);
        }
    }

    @Test
    void givenSpend_whenAdminAsks_thenSpendAndBudgetsReport() {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 1000, 1000));
        try (TestGateway gw = gateway("""
                budgets:
                  - name: monthly
                    limit: "100"
                """)) {
            String auth = "Bearer " + MASTER;
            gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"), "Authorization", auth);

            JsonNode spend = TestGateway.json(gw.get("/v1/spend", "Authorization", auth).body());
            assertThat(spend.at("/total/cost").asText()).isEqualTo("0.02");
            assertThat(spend.at("/by_model/fast/cost").asText()).isEqualTo("0.02");
            JsonNode budgets = TestGateway.json(gw.get("/v1/budgets", "Authorization", auth).body());
            assertThat(budgets.at("/data/0/name").asText()).isEqualTo("monthly");
            assertThat(budgets.at("/data/0/spent").asText()).isEqualTo("0.02");
            assertThat(gw.get("/v1/spend").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void givenRunningGateway_whenProbed_thenHealthReadyModelsAndMetricsAnswer() {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 1, 1));
        try (TestGateway gw = gateway("aliases:\n  quick: fast\n")) {
            gw.post("/v1/chat/completions", TestGateway.chat("quick", "q"), "Authorization", "Bearer " + MASTER);

            assertThat(gw.get("/health").statusCode()).isEqualTo(200);
            assertThat(gw.get("/ready").statusCode()).isEqualTo(200);
            JsonNode models = TestGateway.json(gw.get("/v1/models", "Authorization", "Bearer " + MASTER).body());
            assertThat(models.get("object").asText()).isEqualTo("list");
            assertThat(models.findValuesAsText("id")).contains("fast", "other", "quick");
            JsonNode limited = TestGateway.json(gw.get("/v1/models", "Authorization", "Bearer sk-limited").body());
            assertThat(limited.findValuesAsText("id")).as("a key sees the models it may use").containsExactly("fast");
            String metrics = gw.get("/metrics").body();
            assertThat(metrics).contains("costwise_requests_total{model=\"quick\",outcome=\"success\"} 1.0");
        }
    }
}
