package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.store.JdbcSpendLedger;
import dev.costwise.store.LedgerOptions;
import dev.costwise.store.SpendLedgers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/spend} over the gateway's SQLite ledger: spend and savings of a period, by day, model and key, with
 * the days retention rolled up still counted.
 */
class SpendReportEndToEndTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    @TempDir
    Path dir;

    private String url;

    @BeforeEach
    void seedEarlierDays() {
        url = "jdbc:sqlite:" + dir.resolve("ledger.db");
        try (JdbcSpendLedger ledger = SpendLedgers.open(url, LedgerOptions.ofDefaults())) {
            // October: a request routed from premium to fast, paid 0.25 where premium would have cost 1.00.
            ledger.append(record("oct", Instant.parse("2026-10-30T09:00:00Z"), "fast", "0.25", "1.00", "team-a"));
            // Two days ago: the same, then a retry of a failed first attempt (one request, two attempts).
            ledger.append(record("r1", Instant.parse("2026-11-25T09:00:00Z"), "fast", "0.25", "1.00", "team-a"));
            ledger.append(record("r2", 1, Instant.parse("2026-11-25T10:00:00Z"), "premium", "0", "0", "team-b",
                    Outcome.FAILED));
            ledger.append(record("r2", 2, Instant.parse("2026-11-25T10:00:01Z"), "premium", "1.00", "1.00", "team-b",
                    Outcome.SUCCESS));
        }
    }

    private Gateway start(String retention) {
        GatewayConfig config = new ConfigLoader(Map.of("MASTER", "sk-master")::get).parse("""
                server: {port: 0}
                master_key: ${MASTER}
                ledger: {url: "%s", retention: %s}
                models:
                  - {name: fast, provider: openai, api_key: sk-up, base_url: %s, price: {input: "10", output: "10"}}
                """.formatted(url, retention, upstream.url("/v1").toString().replaceAll("/$", "")), "spend.yaml");
        return Gateway.builder(config).clock(CLOCK).maintenance(new RunsOnceNow()).build().start();
    }

    @Test
    void givenSpendOverDays_whenAdminAsksForAPeriod_thenCostSavingsAndRequestsAddUpByDayModelAndKey()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 1000, 1000));
        try (Gateway gateway = start("forever")) {
            post(gateway, "sk-master");
            post(gateway, "sk-master"); // the cache answers: cost 0, saved what the first call cost

            JsonNode spend = get(gateway, "/v1/spend?from=2026-11-01&to=2026-11-27");

            assertThat(upstream.getRequestCount()).isEqualTo(1);
            assertThat(spend.path("from").asText()).isEqualTo("2026-11-01");
            assertThat(spend.path("to").asText()).isEqualTo("2026-11-27");
            assertThat(money(spend, "/total/cost")).isEqualTo(Money.of("1.27"));
            assertThat(money(spend, "/total/baseline_cost")).isEqualTo(Money.of("2.04"));
            assertThat(money(spend, "/total/savings")).isEqualTo(Money.of("0.77"));
            assertThat(spend.at("/total/requests").asLong()).isEqualTo(4);
            assertThat(spend.at("/total/attempts").asLong()).isEqualTo(4); // provider calls: not the cache hit

            assertThat(spend.path("by_day")).as("from the first day with spend, every day").hasSize(3);
            assertThat(spend.at("/by_day/0/day").asText()).isEqualTo("2026-11-25");
            assertThat(money(spend, "/by_day/0/savings")).isEqualTo(Money.of("0.75"));
            assertThat(spend.at("/by_day/0/requests").asLong()).as("a retried request counts once").isEqualTo(2);
            assertThat(spend.at("/by_day/1/day").asText()).isEqualTo("2026-11-26");
            assertThat(money(spend, "/by_day/1/cost")).as("a day without spend").isEqualTo(Money.ZERO);
            assertThat(spend.at("/by_day/1/requests").asLong()).isZero();
            assertThat(spend.at("/by_day/2/day").asText()).isEqualTo("2026-11-27");
            assertThat(money(spend, "/by_day/2/cost")).isEqualTo(Money.of("0.02"));
            assertThat(money(spend, "/by_day/2/savings")).as("the cache hit's saving").isEqualTo(Money.of("0.02"));

            assertThat(money(spend, "/by_model/premium/cost")).isEqualTo(Money.of("1.00"));
            assertThat(money(spend, "/by_model/fast/cost")).isEqualTo(Money.of("0.27"));
            assertThat(money(spend, "/by_model/fast/savings")).isEqualTo(Money.of("0.77"));
            assertThat(money(spend, "/by_key/team-b/cost")).isEqualTo(Money.of("1.00"));
            assertThat(money(spend, "/by_key/master/cost")).isEqualTo(Money.of("0.02"));

            JsonNode byTeam = get(gateway, "/v1/spend?from=2026-11-01&to=2026-11-27&group_by=team,%20provider");
            assertThat(money(byTeam, "/by_team/a/cost")).isEqualTo(Money.of("0.25"));
            assertThat(money(byTeam, "/by_team/b/cost")).isEqualTo(Money.of("1.00"));
            assertThat(money(byTeam, "/by_team/(none)/cost")).as("the master key has no team")
                    .isEqualTo(Money.of("0.02"));
            assertThat(money(byTeam, "/by_provider/openai/cost")).isEqualTo(Money.of("1.27"));
            assertThat(byTeam.has("by_user")).isFalse();

            JsonNode october = get(gateway, "/v1/spend?from=2026-10-01&to=2026-10-31");
            assertThat(money(october, "/total/savings")).isEqualTo(Money.of("0.75"));
            assertThat(october.path("by_day")).extracting(d -> d.path("day").asText() + " " + d.path("cost").asText())
                    .as("the 30th, and the 31st at zero").containsExactly("2026-10-30 0.25", "2026-10-31 0");
            JsonNode ahead = get(gateway, "/v1/spend?from=2026-11-27&to=2099-12-31");
            assertThat(ahead.path("by_day")).as("no day that has not begun").hasSize(1);
            assertThat(get(gateway, "/v1/spend?from=2000-01-01&to=2026-10-29").path("by_day")).as("no spend").isEmpty();
        }
    }

    @Test
    void givenALedgerRowWhoseUserIsCalledAsReportsCallNoUser_whenGrouped_thenItCountsWithTheUntaggedAndAllAddUp()
            throws Exception {
        try (JdbcSpendLedger ledger = SpendLedgers.open(url, LedgerOptions.ofDefaults())) {
            // requests refuse this user name now; a ledger written by the library, or before, may still hold it
            ledger.append(new CostRecord("legacy", 1, Instant.parse("2026-11-26T09:00:00Z"), "premium", "fast",
                    "openai", new Usage(100, 0, 0, 20, 0, false), Money.of("0.5"), Money.of("0.5"),
                    PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(), Optional.of("default"),
                    Duration.ofMillis(300), Map.of("key", "team-a", "user", "(none)", "feature", "(none)")));
        }
        try (Gateway gateway = start("forever")) {
            JsonNode spend = get(gateway, "/v1/spend?from=2026-11-01&to=2026-11-27&group_by=user,feature");

            assertThat(spend.at("/total/requests").asLong()).isEqualTo(3);
            for (String group : new String[] {"by_user", "by_feature"}) {
                assertThat(spend.get(group).properties()).extracting(Map.Entry::getKey).containsExactly("(none)");
                assertThat(spend.at("/" + group + "/(none)/requests").asLong()).as(group).isEqualTo(3);
                assertThat(money(spend, "/" + group + "/(none)/cost")).as(group).isEqualTo(Money.of("1.75"));
            }
        }
    }

    @Test
    void givenNoPeriod_whenAdminAsks_thenTheMonthSoFarIncludingDaysRetentionRolledUp() throws Exception {
        try (Gateway gateway = start("1d")) {
            JsonNode spend = get(gateway, "/v1/spend");

            assertThat(ledgerRows()).as("every seeded record is rolled into daily totals").isZero();
            assertThat(spend.path("from").asText()).isEqualTo("2026-11-01");
            assertThat(spend.path("to").asText()).isEqualTo("2026-11-27");
            assertThat(money(spend, "/total/cost")).as("October is outside the month").isEqualTo(Money.of("1.25"));
            assertThat(money(spend, "/total/savings")).isEqualTo(Money.of("0.75"));
            assertThat(money(spend, "/by_key/team-a/savings")).isEqualTo(Money.of("0.75"));
        }
    }

    @Test
    void givenBadPeriods_whenAsked_then400NamingTheParameter() throws Exception {
        try (Gateway gateway = start("forever")) {
            assertBadParameter(gateway, "/v1/spend?from=2026-11-27&to=2026-11-01", "from",
                    "from: is after to (2026-11-27 > 2026-11-01)");
            assertBadParameter(gateway, "/v1/spend?from=2026-11-28", "from", "from: is after to (2026-11-28 >"
                    + " 2026-11-27): to was not given and defaults to today (UTC)");
            assertBadParameter(gateway, "/v1/spend?to=2026-10-31", "to", "to: is before from (2026-10-31 <"
                    + " 2026-11-01): from was not given and defaults to the first day of this month (UTC)");
            assertBadParameter(gateway, "/v1/spend?to=2026-13-01", "to",
                    "to: expected a UTC day as yyyy-MM-dd, was '2026-13-01'");
            assertBadParameter(gateway, "/v1/spend?from=-999999999-01-01", "from",
                    "from: expected a UTC day as yyyy-MM-dd, was '-999999999-01-01'");
            assertBadParameter(gateway, "/v1/spend?from=2026-2-01", "from",
                    "from: expected a UTC day as yyyy-MM-dd, was '2026-2-01'");
            assertBadParameter(gateway, "/v1/spend?from=2026-11-28&from=2026-11-01", "from",
                    "from: given 2 times; give one day");
            assertBadParameter(gateway, "/v1/spend?form=2026-11-01", "form",
                    "form: unknown query parameter (known: from, to, group_by)");
            assertBadParameter(gateway, "/v1/spend?group_by=team,weekday", "group_by", "group_by: unknown group"
                    + " 'weekday' (known: provider, team, user, feature, service_tier; day, model and key are always"
                    + " there)");
            assertThat(send(gateway, "/v1/spend", Optional.empty()).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void givenALedgerThatOnlySums_whenAdminAsksForSpend_then501SayingWhich() throws Exception {
        // its own database: left to the default, the key store would write ./costwise-data in the build's folder
        GatewayConfig config = new ConfigLoader(Map.of("MASTER", "sk-master")::get).parse("""
                server: {port: 0}
                master_key: ${MASTER}
                ledger: {url: "jdbc:sqlite:%s"}
                models: [{name: m, provider: sim}]
                """.formatted(dir.resolve("sums.db")), "sums.yaml");
        SpendLedger sumsOnly = new SpendLedger() {
            @Override
            public void append(CostRecord record) { }

            @Override
            public void flush() { }

            @Override
            public Money totalCost(Map<String, String> match, Instant from, Instant to) {
                return Money.ZERO;
            }

            @Override
            public void close() { }
        };
        try (Gateway gateway = Gateway.builder(config).clock(CLOCK).ledger(sumsOnly).build().start()) {
            HttpResponse<String> res = send(gateway, "/v1/spend", Optional.of("sk-master"));

            assertThat(res.statusCode()).isEqualTo(501);
            assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                    .isEqualTo("this gateway's ledger cannot group spend (a SQLite or PostgreSQL ledger can)");
        }
    }

    private static void assertBadParameter(Gateway gateway, String path, String param, String message)
            throws Exception {
        HttpResponse<String> res = send(gateway, path, Optional.of("sk-master"));
        assertThat(res.statusCode()).isEqualTo(400);
        JsonNode error = TestGateway.json(res.body()).path("error");
        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("message").asText()).isEqualTo(message);
    }

    private long ledgerRows() throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM ledger")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Money money(JsonNode node, String pointer) {
        return Money.of(node.at(pointer).asText());
    }

    private static void post(Gateway gateway, String key) throws Exception {
        HttpResponse<String> res = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                        + "/v1/chat/completions")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat("fast", "hello"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    }

    private static JsonNode get(Gateway gateway, String path) throws Exception {
        HttpResponse<String> res = send(gateway, path, Optional.of("sk-master"));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return TestGateway.json(res.body());
    }

    private static HttpResponse<String> send(Gateway gateway, String path, Optional<String> key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).GET();
        key.ifPresent(k -> b.header("Authorization", "Bearer " + k));
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static CostRecord record(String requestId, Instant at, String model, String cost, String baseline,
            String key) {
        return record(requestId, 1, at, model, cost, baseline, key, Outcome.SUCCESS);
    }

    private static CostRecord record(String requestId, int attempt, Instant at, String model, String cost,
            String baseline, String key, Outcome outcome) {
        return new CostRecord(requestId, attempt, at, "premium", model, "openai", new Usage(100, 0, 0, 20, 0, false),
                Money.of(cost), Money.of(baseline), PriceStatus.PRICED, outcome, Optional.empty(),
                Optional.of("default"), Duration.ofMillis(300), Map.of("key", key, "team", key.replace("team-", "")));
    }

    /** Runs the gateway's retention pass once, at once, in the starting thread. */
    private static final class RunsOnceNow extends ScheduledThreadPoolExecutor {
        RunsOnceNow() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                TimeUnit unit) {
            command.run();
            return super.schedule(() -> { }, 1, TimeUnit.DAYS);
        }
    }
}
