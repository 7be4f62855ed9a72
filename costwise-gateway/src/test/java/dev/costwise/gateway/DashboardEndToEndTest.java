package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.http.DashboardScript;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** {@code GET /dashboard}: a page that holds no data, allows only its own script, and reads what the API answers. */
class DashboardEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: fast, provider: openai, base_url: %s, price: {input: "10", output: "10"}}
                budgets:
                  - {name: monthly, limit: "100"}
                """.formatted(upstream.url("/v1").toString().replaceAll("/$", "")), Map.of("MASTER", MASTER));
    }

    @Test
    void givenNoKey_whenThePageIsLoaded_thenItIsServedWithoutDataOrSecretsAndOnlyItsOwnScriptMayRun()
            throws Exception {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.get("/dashboard");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(res.headers().firstValue("Cache-Control")).hasValue("no-store");
            String html = res.body();
            assertThat(html).doesNotContain(MASTER).doesNotContain("innerHTML");
            String csp = res.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).contains("default-src 'none'").contains("connect-src 'self'")
                    .contains("script-src " + sha256Of(html, "script") + ";")
                    .endsWith("style-src " + sha256Of(html, "style"))
                    .doesNotContain("unsafe-inline");
        }
    }

    @Test
    void givenSpend_whenTheEndpointsThePageCallsAreAsked_thenTheyAnswerEveryFieldThePageReads() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 1000, 1000));
        try (TestGateway gw = gateway()) {
            String auth = "Bearer " + MASTER;
            gw.post("/v1/chat/completions", TestGateway.chat("fast", "hi"), "Authorization", auth);
            String html = gw.get("/dashboard").body();
            assertThat(html).contains("call(\"/v1/spend?\"").contains("{group_by: \"team,service_tier\"}")
                    .contains("call(\"/v1/budgets\"").contains("call(\"/v1/keys\"");
            gw.post("/v1/keys", "{\"name\":\"team-a\"}", "Authorization", auth);

            JsonNode spend = TestGateway.json(gw.get("/v1/spend?group_by=team,service_tier", "Authorization", auth)
                    .body());
            assertThat(spend.at("/by_service_tier/default/requests").asLong()).isEqualTo(1);
            JsonNode budgets = TestGateway.json(gw.get("/v1/budgets", "Authorization", auth).body());
            JsonNode keys = TestGateway.json(gw.get("/v1/keys", "Authorization", auth).body());
            for (String field : fieldsRead(html, "k")) {
                assertThat(keys.at("/data/0").has(field)).as("key field " + field).isTrue();
            }

            for (String field : fieldsRead(html, "g")) {
                assertThat(spend.at("/by_model/fast").has(field)).as("by_model group field " + field).isTrue();
            }
            for (String field : fieldsRead(html, "total")) {
                assertThat(spend.path("total").has(field)).as("total field " + field).isTrue();
            }
            for (String field : fieldsRead(html, "d")) {
                assertThat(spend.at("/by_day/0").has(field)).as("by_day field " + field).isTrue();
            }
            for (String field : fieldsRead(html, "b")) {
                assertThat(field.equals("scope_value") || budgets.at("/data/0").has(field))
                        .as("budget field " + field).isTrue();
            }
            for (String field : fieldsRead(html, "spend")) {
                assertThat(spend.has(field)).as("spend field " + field).isTrue();
            }
            assertThat(spend.at("/by_day/0/cost").asText()).isEqualTo("0.02");
        }
    }

    @Test
    void givenSpendWithAndWithoutATeam_whenThePageListsTeams_thenItShowsOneNoTeamRowHoldingAllOfIt() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 1000, 1000));
        try (TestGateway gw = gateway()) {
            // a key's team cannot be called "(none)" now; a ledger written before, or by the library, may hold it
            gw.ledger.append(new CostRecord("legacy", 1, Instant.now(), "fast", "fast", "openai", Usage.of(10, 10),
                    Money.of("0.5"), Money.of("0.5"), PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(),
                    Optional.empty(), Duration.ofMillis(300), Map.of("key", "k", "team", "(none)")));
            gw.post("/v1/chat/completions", TestGateway.chat("fast", "hi"), "Authorization", "Bearer " + MASTER);
            String spend = gw.get("/v1/spend?group_by=team,service_tier", "Authorization", "Bearer " + MASTER)
                    .body();

            String script = DashboardScript.definitions("const money = ", "const count = ", "function groupRows(")
                    + "const spend = JSON.parse(process.argv[1]);"
                    + "for (const row of groupRows(spend.by_team)) console.log(row[0] + ' ' + row[1] + ' ' + row[3]);";
            assertThat(DashboardScript.run(script, List.of(spend))).containsExactly("(none) $0.52 2");
        }
    }

    /** @return the fields the page's script reads off a variable, such as {@code cost} in {@code total.cost} */
    private static java.util.Set<String> fieldsRead(String html, String variable) {
        java.util.Set<String> fields = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("\\b" + variable + "\\.([a-z_]+)\\b").matcher(html);
        while (m.find()) {
            fields.add(m.group(1));
        }
        assertThat(fields).as("the page reads " + variable).isNotEmpty();
        return fields;
    }

    private static String sha256Of(String html, String tag) throws Exception {
        String text = html.substring(html.indexOf("<" + tag + ">") + tag.length() + 2, html.indexOf("</" + tag + ">"));
        return "'sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8))) + "'";
    }
}
