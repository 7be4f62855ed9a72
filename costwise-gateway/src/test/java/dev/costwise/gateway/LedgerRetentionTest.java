package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway rolls old ledger records into daily totals ({@code ledger.retention}) so its database stays bounded. */
class LedgerRetentionTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    @TempDir
    Path dir;

    @Test
    void givenLedgerRetention_whenLoaded_thenDefaultForeverAndBadValuesAreReportedWithTheirPath() {
        ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);
        String models = "models: [{name: m, provider: sim}]\n";

        assertThat(loader.parse(models, "a.yaml").ledgerRetention()).hasValue(Duration.ofDays(90));
        assertThat(loader.parse("ledger: {retention: 30d}\n" + models, "b.yaml").ledgerRetention())
                .hasValue(Duration.ofDays(30));
        assertThat(loader.parse("ledger: {retention: forever}\n" + models, "c.yaml").ledgerRetention()).isEmpty();
        assertThatThrownBy(() -> loader.parse("ledger: {retention: 12h, rotate: daily}\n" + models, "d.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "ledger.retention: must be at least 1d (records of whole days are rolled up), or forever;"
                                + " was '12h'",
                        "ledger.rotate: unknown field (known: retention, url)"));
        assertThatThrownBy(() -> loader.parse("ledger: {retention: a while}\n" + models, "e.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "ledger.retention: expected a duration such as 250ms, 30s, 5m, 1h or 1d, was 'a while'"));
        assertThatThrownBy(() -> loader.parse("ledger: jdbc:sqlite:x.db\n" + models, "f.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "ledger: expected a mapping with url and retention, found text"));
        assertThatThrownBy(() -> loader.parse("ledger: {url: \"mysql://app:hunter2@db/costwise?password=hunter2\"}\n"
                + models, "g.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "ledger.url: expected a jdbc:sqlite: or jdbc:postgresql: URL, was "
                                + "'mysql://…@db/costwise?…'"))
                .message().doesNotContain("hunter2");
        // libpq's form is taken (its user and password become the driver's parameters), but not with one given twice
        assertThat(loader.parse("ledger: {url: \"postgres://app:hunter2@db/costwise\"}\n" + models, "h.yaml")
                .ledgerUrl()).hasValue("jdbc:postgresql://db/costwise?user=app&password=hunter2");
        assertThatThrownBy(() -> loader.parse("ledger: {url: \"postgres://app:hunter2@db/costwise?password=hunter2\"}\n"
                + models, "i.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "ledger.url: the PostgreSQL ledger URL gives its password twice, before '@' and as "
                                + "?password=: keep one"))
                .message().doesNotContain("hunter2");
    }

    @Test
    void givenOldRecords_whenTheGatewaysRetentionPassRuns_thenTheyAreRolledUpAndSpendStillCountsThem()
            throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("ledger.db");
        try (JdbcSpendLedger before = SpendLedgers.open(url, LedgerOptions.ofDefaults())) {
            for (int i = 0; i < 30; i++) {
                before.append(record("old-" + i, Instant.parse("2026-11-03T10:00:00Z").plusSeconds(i), "0.01"));
            }
            before.append(record("recent", Instant.parse("2026-11-26T10:00:00Z"), "0.5"));
        }
        CapturingScheduler scheduler = new CapturingScheduler();
        GatewayConfig config = new ConfigLoader(Map.of("MASTER", "sk-master")::get).parse("""
                server: {port: 0}
                master_key: ${MASTER}
                ledger: {url: "%s", retention: 2d}
                models:
                  - {name: fast, provider: openai, api_key: sk-up, base_url: %s, price: {input: "1", output: "2"}}
                """.formatted(url, upstream.url("/v1").toString().replaceAll("/$", "")), "retention.yaml");

        try (Gateway gateway = Gateway.builder(config).clock(CLOCK).maintenance(scheduler).build().start()) {
            CapturingScheduler.Scheduled pass = scheduler.every(Duration.ofHours(1));
            assertThat(pass.initialDelay()).isZero();
            assertThat(ledgerRows(url)).isEqualTo(31);

            pass.chore().run();

            assertThat(ledgerRows(url)).as("only the record of the kept days stays row by row").isEqualTo(1);
            JsonNode spend = TestGateway.JSON.readTree(get(gateway, "/v1/spend", "sk-master").body());
            assertThat(Money.of(spend.at("/total/cost").asText())).isEqualTo(Money.of("0.8"));
        }
        assertThat(scheduler.isShutdown()).as("closing the gateway stops the schedule").isTrue();
    }

    @Test
    void givenRetentionForever_whenGatewayStarts_thenNothingIsScheduled() {
        CapturingScheduler scheduler = new CapturingScheduler();
        GatewayConfig config = new ConfigLoader(Map.<String, String>of()::get).parse("""
                server: {port: 0}
                ledger: {url: "jdbc:sqlite:%s", retention: forever}
                models: [{name: m, provider: sim}]
                """.formatted(dir.resolve("forever.db")), "forever.yaml");

        try (Gateway gateway = Gateway.builder(config).clock(CLOCK).maintenance(scheduler).build().start()) {
            assertThat(scheduler.scheduled).noneMatch(s -> s.interval().equals(Duration.ofHours(1)));
        }
    }

    private static CostRecord record(String requestId, Instant at, String cost) {
        return new CostRecord(requestId, 1, at, "fast", "fast", "openai", new Usage(100, 0, 0, 20, 0, false),
                Money.of(cost), Money.of(cost), PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(),
                Optional.of("default"), Duration.ofMillis(300), Map.of("key", "master"));
    }

    private static long ledgerRows(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM ledger")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static HttpResponse<String> get(Gateway gateway, String path, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                + path)).header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
