package dev.costwise.store;

import static dev.costwise.store.Records.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.costwise.core.Money;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetScope;
import dev.costwise.llm.budget.BudgetWindow;
import dev.costwise.llm.budget.Budgets;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link JdbcSpendLedger} database must have; run against SQLite and PostgreSQL by subclasses,
 * each test on a fresh database.
 */
abstract class SpendLedgerContract {

    static final Instant FROM = Instant.parse("2026-11-20T00:00:00Z");
    static final Instant TO = Instant.parse("2026-11-22T00:00:00Z");

    private final List<JdbcSpendLedger> opened = new ArrayList<>();

    /** @return the URL of this test's fresh database */
    abstract String url();

    /** @return the options this database needs (user…), with the rest at defaults */
    abstract LedgerOptions.Builder options();

    /** @return a plain connection to this test's database */
    abstract Connection rawConnection() throws SQLException;

    /** @return a FROM-clause item producing integers 1..n in a column named {@code i} */
    abstract String series(int n);

    JdbcSpendLedger open(LedgerOptions options) {
        JdbcSpendLedger ledger = SpendLedgers.open(url(), options);
        opened.add(ledger);
        return ledger;
    }

    JdbcSpendLedger open() {
        return open(options().build());
    }

    @AfterEach
    void closeLedgers() {
        opened.forEach(JdbcSpendLedger::close);
    }

    /**
     * Five requests over two days: a failed attempt and a fallback (r1), a cheap success (r2), a cache hit (r3), a
     * superseded attempt and an aborted stream (r4), and an untagged expensive call (r5). Total cost $0.0182.
     */
    static List<CostRecord> sampleRecords() {
        return List.of(
                record("r1").attempt(1).at("2026-11-20T10:00:00Z").model("gpt-4o", "openai").cost("0.001")
                        .baseline("0.001").outcome(Outcome.FAILED).tag("key", "k1").tag("user", "u1")
                        .tag("team", "t1").build(),
                record("r1").attempt(2).at("2026-11-20T10:00:01Z").model("claude-haiku", "anthropic")
                        .cost("0.0005").baseline("0.002").tag("key", "k1").tag("user", "u1").tag("team", "t1")
                        .build(),
                record("r2").at("2026-11-20T11:00:00Z").model("gpt-4o-mini", "openai").cost("0.0002")
                        .baseline("0.003").tag("key", "k2").tag("user", "u2").tag("team", "t1")
                        .tag("feature", "summarize").build(),
                record("r3").at("2026-11-21T09:00:00Z").model("gpt-4o-mini", "openai").cost("0").baseline("0.003")
                        .outcome(Outcome.CACHE_HIT).tag("key", "k1").tag("user", "u1").tag("team", "t1").build(),
                record("r4").attempt(1).at("2026-11-21T12:00:00Z").model("gpt-4o", "openai").cost("0.004")
                        .baseline("0.004").outcome(Outcome.SUPERSEDED).tag("key", "k2").tag("user", "u3").build(),
                record("r4").attempt(2).at("2026-11-21T12:00:05Z").model("gpt-4o", "openai").cost("0.0025")
                        .baseline("0.004").outcome(Outcome.ABORTED).tag("key", "k2").tag("user", "u3").build(),
                record("r5").at("2026-11-21T23:59:59.999Z").model("gpt-4o", "openai").cost("0.01")
                        .baseline("0.01").build());
    }

    static JdbcSpendLedger withSample(JdbcSpendLedger ledger) {
        sampleRecords().forEach(ledger::append);
        ledger.flush();
        return ledger;
    }

    @Test
    void givenHundredVirtualThreadsAppending_whenFlushed_thenEveryRecordIsStored() throws InterruptedException {
        JdbcSpendLedger ledger = open();
        int threads = 100;
        int perThread = 100;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            appenders.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    ledger.append(record("t" + thread + "-" + i).at(FROM.plusSeconds(i)).cost("0.000123")
                            .tag("team", "team" + thread % 4).build());
                }
            }));
        }
        start.countDown();
        for (Thread appender : appenders) {
            appender.join();
        }

        ledger.flush();

        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("1.23"));
        assertThat(ledger.totalCost(Map.of("team", "team1"), FROM, TO)).isEqualTo(Money.of("0.3075"));
        assertThat(ledger.reports().spendBy(ReportDimension.DAY, FROM, TO))
                .extracting(SpendRow::group, SpendRow::requests, SpendRow::attempts)
                .containsExactly(tuple("2026-11-20", 10_000L, 10_000L));
        assertThat(ledger.pendingRecords()).isZero();
        assertThat(ledger.isWritable()).isTrue();
    }

    @Test
    void givenWriterParkedForAnHourLongBatch_whenFlushed_thenItWakesAndWritesAtOnce() {
        // The writer collects a batch parked until the flush deadline; only flush() and close() wake it early.
        JdbcSpendLedger ledger = open(options().flushInterval(Duration.ofHours(1)).batchSize(10_000).build());
        for (int i = 0; i < 100; i++) {
            ledger.append(record("f" + i).at(FROM.plusMillis(i)).cost("0.01").build());
        }

        assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(ledger.pendingRecords()).isZero();
        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("1"));
        ledger.close();
    }

    @Test
    void givenOneBatchOfWholeAndPartSlices_whenFlushed_thenEveryRowIsStoredOnce() {
        // SQLite writes a batch in slices of ROWS_PER_SLICE rows, yielding between them: every row of the last whole
        // slice and of the part slice after it must land, in one transaction.
        JdbcSpendLedger ledger = open(options().flushInterval(Duration.ofHours(1)).batchSize(10_000).build());
        int rows = 3 * LedgerWriter.ROWS_PER_SLICE;
        for (int i = 0; i < rows; i++) {
            ledger.append(record("s" + i).at(FROM.plusMillis(i)).cost("0.01").build());
        }
        assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(ledger.records(FROM, TO, 1000)).hasSize(rows);

        for (int i = 0; i < LedgerWriter.ROWS_PER_SLICE + 1; i++) {
            ledger.append(record("p" + i).at(FROM.plusMillis(i)).cost("0.01").build());
        }
        assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(ledger.records(FROM, TO, 1000)).hasSize(rows + LedgerWriter.ROWS_PER_SLICE + 1);
        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("0.65"));
    }

    @Test
    void givenRecordsNotYetWritten_whenClosed_thenAReopenedLedgerHasThemAll() {
        // A flush interval of an hour and batches larger than the records: only close() can write them.
        JdbcSpendLedger ledger = open(options().flushInterval(Duration.ofHours(1)).batchSize(10_000).build());
        for (int i = 0; i < 1000; i++) {
            ledger.append(record("c" + i).at(FROM.plusMillis(i)).cost("0.001").build());
        }

        ledger.close();

        JdbcSpendLedger reopened = open();
        assertThat(reopened.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("1"));
        assertThat(reopened.records(FROM, TO, 2000)).hasSize(1000);
    }

    @Test
    void givenClosedLedger_whenAppending_thenRefusesWithIllegalState() {
        JdbcSpendLedger ledger = open();
        ledger.close();

        assertThatThrownBy(() -> ledger.append(record("late").build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed")
                .hasMessageContaining("late");
    }

    @Test
    void givenTaggedRecords_whenTotalCostMatchesTags_thenSumsExactlyTheMatchingOnes() {
        JdbcSpendLedger ledger = withSample(open());

        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("0.0182"));
        assertThat(ledger.totalCost(Map.of("key", "k1"), FROM, TO)).isEqualTo(Money.of("0.0015"));
        assertThat(ledger.totalCost(Map.of("key", "k1", "model", "gpt-4o"), FROM, TO))
                .isEqualTo(Money.of("0.001"));
        assertThat(ledger.totalCost(Map.of("team", "t1", "provider", "openai"), FROM, TO))
                .isEqualTo(Money.of("0.0012"));
        assertThat(ledger.totalCost(Map.of("user", "u3"), FROM, TO)).isEqualTo(Money.of("0.0065"));
        assertThat(ledger.totalCost(Map.of("feature", "summarize"), FROM, TO)).isEqualTo(Money.of("0.0002"));
        assertThat(ledger.totalCost(Map.of("user", "nobody"), FROM, TO)).isEqualTo(Money.ZERO);
    }

    @Test
    void givenRecordsAtTheBounds_whenTotalCost_thenFromIsInclusiveAndToExclusive() {
        JdbcSpendLedger ledger = withSample(open());

        // r2 at 11:00 is in; r4's first attempt at 12:00 is out.
        assertThat(ledger.totalCost(Map.of(), Instant.parse("2026-11-20T11:00:00Z"),
                Instant.parse("2026-11-21T12:00:00Z"))).isEqualTo(Money.of("0.0002"));
        // r5 at 23:59:59.999 is out of [.., 23:59:59.999) and in [.., 22nd).
        assertThat(ledger.totalCost(Map.of("model", "gpt-4o"), Instant.parse("2026-11-21T00:00:00Z"),
                Instant.parse("2026-11-21T23:59:59.999Z"))).isEqualTo(Money.of("0.0065"));
        assertThat(ledger.totalCost(Map.of("model", "gpt-4o"), Instant.parse("2026-11-21T00:00:00Z"), TO))
                .isEqualTo(Money.of("0.0165"));
    }

    @Test
    void givenUnknownMatchKey_whenTotalCost_thenFailsNamingTheKeyAndTheKnownOnes() {
        JdbcSpendLedger ledger = open();

        assertThatThrownBy(() -> ledger.totalCost(Map.of("colour", "red"), FROM, TO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'colour'")
                .hasMessageContaining("[feature, key, model, provider, team, user]");
        assertThatThrownBy(() -> ledger.totalCost(Map.of(), TO, FROM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be after");
    }

    @Test
    void givenSample_whenSpendByDay_thenExactFiguresPerDayInDayOrder() {
        SpendReports reports = withSample(open()).reports();

        assertThat(reports.spendBy(ReportDimension.DAY, FROM, TO)).containsExactly(
                new SpendRow("2026-11-20", 2, 3, 3000, 600, Money.of("0.0017"), Money.of("0.006")),
                new SpendRow("2026-11-21", 3, 3, 4000, 800, Money.of("0.0165"), Money.of("0.021")));
        assertThat(reports.spendBy(ReportDimension.DAY, FROM, TO).get(0).savings()).isEqualTo(Money.of("0.0043"));
    }

    @Test
    void givenSample_whenSpendByModelProviderKeyUserTeamFeature_thenExactFiguresMostExpensiveFirst() {
        SpendReports reports = withSample(open()).reports();

        assertThat(reports.spendBy(ReportDimension.MODEL, FROM, TO))
                .extracting(SpendRow::group, SpendRow::requests, SpendRow::attempts, SpendRow::cost,
                        SpendRow::savings)
                .containsExactly(tuple("gpt-4o", 3L, 4L, Money.of("0.0175"), Money.of("0.0015")),
                        tuple("claude-haiku", 0L, 1L, Money.of("0.0005"), Money.of("0.0015")),
                        tuple("gpt-4o-mini", 2L, 1L, Money.of("0.0002"), Money.of("0.0058")));
        assertThat(reports.spendBy(ReportDimension.PROVIDER, FROM, TO))
                .extracting(SpendRow::group, SpendRow::cost)
                .containsExactly(tuple("openai", Money.of("0.0177")), tuple("anthropic", Money.of("0.0005")));
        assertThat(reports.spendBy(ReportDimension.KEY, FROM, TO))
                .extracting(SpendRow::group, SpendRow::requests, SpendRow::cost)
                .containsExactly(tuple("", 1L, Money.of("0.01")), tuple("k2", 2L, Money.of("0.0067")),
                        tuple("k1", 2L, Money.of("0.0015")));
        assertThat(reports.spendBy(ReportDimension.USER, FROM, TO))
                .extracting(SpendRow::group, SpendRow::cost)
                .containsExactly(tuple("", Money.of("0.01")), tuple("u3", Money.of("0.0065")),
                        tuple("u1", Money.of("0.0015")), tuple("u2", Money.of("0.0002")));
        assertThat(reports.spendBy(ReportDimension.TEAM, FROM, TO))
                .extracting(SpendRow::group, SpendRow::cost, SpendRow::baselineCost)
                .containsExactly(tuple("", Money.of("0.0165"), Money.of("0.018")),
                        tuple("t1", Money.of("0.0017"), Money.of("0.009")));
        assertThat(reports.spendBy(ReportDimension.FEATURE, FROM, TO))
                .extracting(SpendRow::group, SpendRow::cost)
                .containsExactly(tuple("", Money.of("0.018")), tuple("summarize", Money.of("0.0002")));
    }

    @Test
    void givenSample_whenCacheHitRateAndWastedSpend_thenCountsCacheHitsAndFailedSupersededAborted() {
        SpendReports reports = withSample(open()).reports();

        CacheHitRate hits = reports.cacheHitRate(FROM, TO);
        assertThat(hits).isEqualTo(new CacheHitRate(5, 1));
        assertThat(hits.rate()).isEqualTo(0.2);
        WastedSpend wasted = reports.wastedSpend(FROM, TO);
        assertThat(wasted).isEqualTo(new WastedSpend(3, Money.of("0.0075"), Money.of("0.0182")));
        assertThat(reports.wastedSpend(TO, TO)).isEqualTo(new WastedSpend(0, Money.ZERO, Money.ZERO));
        assertThat(reports.cacheHitRate(TO, TO).rate()).isZero();
    }

    @Test
    void givenSample_whenMostExpensiveRequests_thenGroupsAttemptsByRequestId() {
        SpendReports reports = withSample(open()).reports();

        assertThat(reports.mostExpensiveRequests(FROM, TO, 3)).containsExactly(
                new RequestCost("r5", 1, Instant.parse("2026-11-21T23:59:59.999Z"), 1000, 200, Money.of("0.01"),
                        Money.ZERO, Money.of("0.01")),
                new RequestCost("r4", 2, Instant.parse("2026-11-21T12:00:00Z"), 2000, 400, Money.of("0.0065"),
                        Money.of("0.0065"), Money.of("0.008")),
                new RequestCost("r1", 2, Instant.parse("2026-11-20T10:00:00Z"), 2000, 400, Money.of("0.0015"),
                        Money.of("0.001"), Money.of("0.003")));
        assertThatThrownBy(() -> reports.mostExpensiveRequests(FROM, TO, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit must be >= 1, was 0");
    }

    @Test
    void givenOldRecords_whenRetentionApplied_thenTheyAreRolledUpAndPrunedAndReportsStillAddUp() {
        JdbcSpendLedger ledger = withSample(open(options().retention(Duration.ofDays(2)).build()));
        SpendReports reports = ledger.reports();
        List<SpendRow> byDay = reports.spendBy(ReportDimension.DAY, FROM, TO);
        List<SpendRow> byModel = reports.spendBy(ReportDimension.MODEL, FROM, TO);
        List<SpendRow> byKey = reports.spendBy(ReportDimension.KEY, FROM, TO);

        RetentionResult result = ledger.applyRetention(Instant.parse("2026-11-23T06:00:00Z"));

        assertThat(result).isEqualTo(new RetentionResult(LocalDate.parse("2026-11-21"), 3, 3));
        assertThat(ledger.records(FROM, TO, 100)).extracting(CostRecord::requestId)
                .containsExactly("r3", "r4", "r4", "r5");
        assertThat(reports.spendBy(ReportDimension.DAY, FROM, TO)).isEqualTo(byDay);
        assertThat(reports.spendBy(ReportDimension.MODEL, FROM, TO)).isEqualTo(byModel);
        assertThat(reports.spendBy(ReportDimension.KEY, FROM, TO)).isEqualTo(byKey);
        assertThat(reports.cacheHitRate(FROM, TO)).isEqualTo(new CacheHitRate(5, 1));
        assertThat(reports.wastedSpend(FROM, TO)).isEqualTo(new WastedSpend(3, Money.of("0.0075"),
                Money.of("0.0182")));
        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("0.0182"));
        assertThat(ledger.totalCost(Map.of("key", "k1"), FROM, TO)).isEqualTo(Money.of("0.0015"));
        // A period that covers the rolled-up day only in part does not count it.
        assertThat(ledger.totalCost(Map.of(), Instant.parse("2026-11-20T10:30:00Z"), TO))
                .isEqualTo(Money.of("0.0165"));
    }

    /**
     * Calls counted under their catalog names, answered under others: OpenAI's dated snapshot, Anthropic's upstream
     * id, and a Groq free-tier entry whose upstream id is the paid entry's name. A failed attempt never got an answer
     * and is recorded under the catalog name.
     */
    static List<CostRecord> snapshotAnswers() {
        return List.of(
                record("a").attempt(1).at("2026-11-20T10:00:00Z").model("gpt-4o", "openai").cost("0.001")
                        .outcome(Outcome.FAILED).build(),
                record("a").attempt(2).at("2026-11-20T10:00:01Z").model("gpt-4o", "openai")
                        .answeredAs("gpt-4o-2024-08-06").cost("0.002").build(),
                record("b").at("2026-11-21T10:00:00Z").model("claude-haiku-4-5", "anthropic")
                        .answeredAs("claude-haiku-4-5-20251001").cost("0.0035").build(),
                record("c").at("2026-11-21T11:00:00Z").model("llama-3.3-70b-versatile:free", "groq")
                        .answeredAs("llama-3.3-70b-versatile").cost("0").build(),
                record("d").at("2026-11-21T12:00:00Z").model("llama-3.3-70b-versatile", "groq").cost("0.0004")
                        .build());
    }

    @Test
    void givenModelsAnsweringUnderOtherNames_whenBudgetsRebuiltAndSpendReported_thenTheCatalogNameFindsTheSpend() {
        JdbcSpendLedger ledger = open(options().retention(Duration.ofDays(2)).build());
        snapshotAnswers().forEach(ledger::append);
        ledger.flush();

        assertThat(ledger.records(FROM, TO, 10)).containsExactlyElementsOf(snapshotAnswers());
        assertModelSpend(ledger);

        ledger.applyRetention(Instant.parse("2026-11-23T06:00:00Z")); // the 20th is rolled into daily totals

        assertModelSpend(ledger);
    }

    private static void assertModelSpend(JdbcSpendLedger ledger) {
        Budgets budgets = Budgets.builder()
                .clock(Clock.fixed(Instant.parse("2026-11-21T13:00:00Z"), ZoneOffset.UTC))
                .add(modelBudget("gpt-4o")).add(modelBudget("claude-haiku-4-5"))
                .add(modelBudget("llama-3.3-70b-versatile")).add(modelBudget("llama-3.3-70b-versatile:free"))
                .build();

        budgets.rebuildFrom(ledger);

        assertThat(budgets.statuses()).extracting(s -> s.budget().name(), s -> s.spent()).containsExactly(
                tuple("gpt-4o", Money.of("0.003")), tuple("claude-haiku-4-5", Money.of("0.0035")),
                tuple("llama-3.3-70b-versatile", Money.of("0.0004")),
                tuple("llama-3.3-70b-versatile:free", Money.ZERO));
        assertThat(ledger.reports().spendBy(ReportDimension.MODEL, FROM, TO))
                .extracting(SpendRow::group, SpendRow::attempts, SpendRow::cost).containsExactlyInAnyOrder(
                        tuple("gpt-4o", 2L, Money.of("0.003")), tuple("claude-haiku-4-5", 1L, Money.of("0.0035")),
                        tuple("llama-3.3-70b-versatile", 1L, Money.of("0.0004")),
                        tuple("llama-3.3-70b-versatile:free", 1L, Money.ZERO));
    }

    private static Budget modelBudget(String model) {
        return Budget.builder(model).scope(BudgetScope.model(model)).window(BudgetWindow.monthly(ZoneOffset.UTC))
                .limit(Money.of("5")).build();
    }

    @Test
    void givenRefusalsAndCacheHits_whenReportedBeforeAndAfterRetention_thenTheyAreRequestsButNotProviderCalls() {
        JdbcSpendLedger ledger = withSample(open(options().retention(Duration.ofDays(2)).build()));
        ledger.append(record("r6").at("2026-11-20T12:00:00Z").model("gpt-4o-mini", "openai").cost("0").baseline("0")
                .outcome(Outcome.REJECTED).tag("key", "k2").build());
        ledger.flush();
        SpendReports reports = ledger.reports();
        List<SpendRow> before = reports.spendBy(ReportDimension.DAY, FROM, TO);

        ledger.applyRetention(Instant.parse("2026-11-23T06:00:00Z"));

        assertThat(before).extracting(SpendRow::group, SpendRow::requests, SpendRow::attempts)
                .containsExactly(tuple("2026-11-20", 3L, 3L), tuple("2026-11-21", 3L, 3L));
        assertThat(reports.spendBy(ReportDimension.DAY, FROM, TO)).isEqualTo(before);
    }

    @Test
    void givenPromptCacheAndReasoningTokens_whenReported_thenEachGroupSumsThemBeforeAndAfterRetention() {
        JdbcSpendLedger ledger = open(options().retention(Duration.ofDays(2)).build());
        // input 2,000 of which 1,500 read from the cache and 300 written to it, on two days
        ledger.append(record("c1").at("2026-11-20T10:00:00Z").model("claude-haiku", "anthropic")
                .usage(new Usage(2000, 1500, 300, 100, 60, false)).build());
        ledger.append(record("c2").at("2026-11-20T11:00:00Z").model("claude-haiku", "anthropic")
                .usage(new Usage(2000, 1800, 0, 50, 0, false)).build());
        ledger.append(record("c3").at("2026-11-22T11:00:00Z").model("claude-haiku", "anthropic")
                .usage(new Usage(3000, 0, 2500, 80, 70, false)).build());
        ledger.flush();
        SpendReports reports = ledger.reports();
        List<SpendRow> before = reports.spendBy(ReportDimension.MODEL, FROM, Instant.parse("2026-11-23T00:00:00Z"));

        ledger.applyRetention(Instant.parse("2026-11-23T06:00:00Z")); // the 20th is rolled into daily totals

        assertThat(before).singleElement().satisfies(r -> {
            assertThat(r.inputTokens()).isEqualTo(7000);
            assertThat(r.cachedInputTokens()).isEqualTo(3300);
            assertThat(r.cacheWriteTokens()).isEqualTo(2800);
            assertThat(r.outputTokens()).isEqualTo(230);
            assertThat(r.reasoningTokens()).isEqualTo(130); // the thinking inside those outputs
        });
        assertThat(reports.spendBy(ReportDimension.MODEL, FROM, Instant.parse("2026-11-23T00:00:00Z")))
                .isEqualTo(before);
    }

    @Test
    void givenRetentionApplied_whenAppliedAgainAndALateRecordArrives_thenNothingIsCountedTwice() {
        JdbcSpendLedger ledger = withSample(open(options().retention(Duration.ofDays(2)).build()));
        Instant now = Instant.parse("2026-11-23T06:00:00Z");
        ledger.applyRetention(now);

        assertThat(ledger.applyRetention(now)).isEqualTo(new RetentionResult(LocalDate.parse("2026-11-21"), 0, 0));

        ledger.append(record("late").at("2026-11-20T20:00:00Z").model("gpt-4o", "openai").cost("0.1")
                .baseline("0.1").tag("key", "k1").tag("user", "u1").tag("team", "t1").build());
        ledger.flush();
        assertThat(ledger.applyRetention(now)).isEqualTo(new RetentionResult(LocalDate.parse("2026-11-21"), 1, 1));
        assertThat(ledger.reports().spendBy(ReportDimension.DAY, FROM, TO))
                .extracting(SpendRow::group, SpendRow::requests, SpendRow::attempts, SpendRow::cost)
                .containsExactly(tuple("2026-11-20", 3L, 4L, Money.of("0.1017")),
                        tuple("2026-11-21", 3L, 3L, Money.of("0.0165")));
        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("0.1182"));
    }

    @Test
    void givenMoreOldRecordsThanOneChunk_whenRetentionApplied_thenEveryChunkIsRolledUpAndTotalsStay() {
        JdbcSpendLedger ledger = open(options().retention(Duration.ofDays(2)).build());
        // Seven records share one millisecond: a chunk of five ends inside them and must still make progress.
        Instant sameMillisecond = Instant.parse("2026-11-20T08:00:00Z");
        for (int i = 0; i < 25; i++) {
            Instant at = i < 7 ? sameMillisecond : sameMillisecond.plusSeconds(i);
            ledger.append(record("old" + i).at(at).cost("0.001").baseline("0.003").tag("key", "k1").build());
        }
        ledger.append(record("kept").at("2026-11-21T10:00:00Z").cost("0.5").baseline("0.5").build());
        ledger.flush();

        RetentionResult result = ledger.applyRetention(Instant.parse("2026-11-23T06:00:00Z"), 5);

        assertThat(result.keptFrom()).isEqualTo(LocalDate.parse("2026-11-21"));
        assertThat(result.rolledUpRecords()).isEqualTo(25);
        // Five transactions, each updating the day's one aggregate row: the seven, then 5 + 5 + 5 + 3.
        assertThat(result.dailyRows()).isEqualTo(5);
        assertThat(ledger.records(FROM, TO, 100)).extracting(CostRecord::requestId).containsExactly("kept");
        assertThat(ledger.reports().spendBy(ReportDimension.DAY, FROM, TO))
                .extracting(SpendRow::group, SpendRow::requests, SpendRow::cost)
                .containsExactly(tuple("2026-11-20", 25L, Money.of("0.025")), tuple("2026-11-21", 1L, Money.of("0.5")));
        assertThat(ledger.totalCost(Map.of("key", "k1"), FROM, TO)).isEqualTo(Money.of("0.025"));
        assertThat(ledger.applyRetention(Instant.parse("2026-11-23T06:00:00Z"), 5).rolledUpRecords()).isZero();
    }

    @Test
    void givenOpenedTwice_whenMigrating_thenSchemaIsVersionedAndAppliedOnce() throws SQLException {
        open().close();
        JdbcSpendLedger second = open();
        second.append(record("after-reopen").at(FROM).build());
        second.flush();

        try (Connection connection = rawConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT version, description FROM schema_version"
                        + " ORDER BY version")) {
            List<String> versions = new ArrayList<>();
            while (rows.next()) {
                versions.add(rows.getInt(1) + " " + rows.getString(2));
            }
            assertThat(versions).containsExactly("1 ledger", "2 daily rollup", "3 cache write 1h", "4 drop request index",
                    "5 partial tag indexes", "6 service tier", "7 daily provider calls", "8 catalog model",
                    "9 inference geo");
            assertThat(new Migrations(Dialect.ofUrl(url())).migrate(connection)).isZero();
        }
        assertThat(second.records(FROM, TO, 10)).hasSize(1);
    }

    @Test
    void givenDatabaseFromANewerCostwise_whenOpened_thenFailsNamingBothVersions() throws SQLException {
        open().close();
        try (Connection connection = rawConnection(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO schema_version (version, description, applied_at)"
                    + " VALUES (99, 'future', 'x')");
        }

        assertThatThrownBy(() -> SpendLedgers.open(url(), options().build()))
                .isInstanceOf(SpendLedgerException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("supports (9)");
    }

    @Test
    void givenAHundredThousandTenMicroDollarRecords_whenSummed_thenTotalIsExactlyOneDollar() throws SQLException {
        JdbcSpendLedger ledger = open();
        Dialect dialect = Dialect.ofUrl(url());
        int count = 100_000;
        // Bulk-inserted in SQL (that many appends would only slow the build); the values are encoded exactly as
        // the writer encodes them.
        try (Connection connection = rawConnection();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO ledger (record_id, request_id,"
                        + " attempt, at_ms, at_iso, day, requested_model, used_model, provider, input_tokens,"
                        + " cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, estimated,"
                        + " cost, baseline_cost, price_status, outcome, latency_ms, tag_key, tags)"
                        + " SELECT 'bulk-' || i, 'bulk-' || i, 1, ?, ?, ?, 'm', 'm', 'p', 0, 0, 0, 0, 0, 0, ?, ?,"
                        + " 'PRICED', 'SUCCESS', 0, 'k', '{}' FROM " + series(count))) {
            insert.setLong(1, FROM.toEpochMilli());
            insert.setString(2, FROM.toString());
            insert.setString(3, "2026-11-20");
            dialect.bindMoney(insert, 4, dialect.encodeMoney(Money.of("0.00001")));
            dialect.bindMoney(insert, 5, dialect.encodeMoney(Money.of("0.00002")));
            assertThat(insert.executeUpdate()).isEqualTo(count);
        }

        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.ofDollars(1));
        assertThat(ledger.totalCost(Map.of("key", "k"), FROM, TO)).isEqualTo(Money.ofDollars(1));
        assertThat(ledger.reports().spendBy(ReportDimension.MODEL, FROM, TO).get(0).savings())
                .isEqualTo(Money.ofDollars(1));
    }

    @Test
    void givenTenThousandSmallAppends_whenSummed_thenTotalIsExact() {
        JdbcSpendLedger ledger = open();
        for (int i = 0; i < 10_000; i++) {
            ledger.append(record("s" + i).at(FROM.plusMillis(i)).cost("0.0000001").baseline("0.1").build());
        }
        ledger.flush();

        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("0.001"));
        assertThat(ledger.reports().spendBy(ReportDimension.DAY, FROM, TO).get(0).baselineCost())
                .isEqualTo(Money.ofDollars(1000));
    }

    @Test
    void givenCostWithMoreThanTwelveDecimals_whenStored_thenRoundedUpToTheNextPicoDollar() {
        JdbcSpendLedger ledger = open();
        ledger.append(record("tiny").at(FROM).cost("0.0000000000001").baseline("0.123456789012").build());
        ledger.flush();

        assertThat(ledger.records(FROM, TO, 1)).singleElement()
                .satisfies(r -> assertThat(r.cost()).isEqualTo(Money.of("0.000000000001")))
                .satisfies(r -> assertThat(r.baselineCost()).isEqualTo(Money.of("0.123456789012")));
    }

    @Test
    void givenRecordWithEveryOptionalFieldEmpty_whenReadBack_thenEqualsTheOriginal() {
        JdbcSpendLedger ledger = open();
        CostRecord empty = new CostRecord("bare", 1, Instant.parse("2026-11-20T08:00:00.123456789Z"), "m", "m",
                "p", Usage.ZERO, Money.ZERO, Money.ZERO, PriceStatus.UNPRICED, Outcome.REJECTED, Optional.empty(),
                Optional.empty(), Duration.ZERO, Map.of());
        ledger.append(empty);
        ledger.flush();

        assertThat(ledger.records(FROM, TO, 10)).containsExactly(empty);
    }

    @Test
    void givenRecordWithEveryFieldSet_whenReadBack_thenEqualsTheOriginal() {
        JdbcSpendLedger ledger = open();
        CostRecord full = new CostRecord("full", 3, Instant.parse("2026-11-21T08:00:00Z"), "claude-sonnet",
                "claude-haiku", "anthropic", new Usage(1000, 300, 100, 60, 500, 200, true), Money.of("0.00123"),
                Money.of("0.0456"), PriceStatus.PRICED, Outcome.FAILED, Optional.of("rate_limited"),
                Optional.of("premium"), Duration.ofMillis(1234), Map.of("key", "k1", "user", "u1", "team", "t1",
                        "feature", "chat", "env", "prod \"quoted\""));
        ledger.append(full);
        ledger.flush();

        assertThat(ledger.records(FROM, TO, 10)).containsExactly(full);
    }

    @Test
    void givenAnswersOnOpenAisServiceTiers_whenReadBackAndReported_thenEachKeepsItsTierAndSpendSplitsByTier() {
        JdbcSpendLedger ledger = open();
        ledger.append(record("flex").at(FROM).cost("0.015").usage(Usage.of(10_000, 2_000)
                .withServiceTier(ServiceTier.FLEX)).build());
        ledger.append(record("priority").at(FROM.plusSeconds(1)).cost("0.0525").usage(Usage.of(10_000, 2_000)
                .withServiceTier(ServiceTier.PRIORITY)).build());
        ledger.append(record("standard").at(FROM.plusSeconds(2)).cost("0.03").usage(Usage.of(10_000, 2_000))
                .build());
        ledger.flush();

        assertThat(ledger.records(FROM, TO, 10)).extracting(r -> r.usage().serviceTier())
                .containsExactly(ServiceTier.FLEX, ServiceTier.PRIORITY, ServiceTier.STANDARD);
        assertThat(ledger.reports().spendBy(ReportDimension.SERVICE_TIER, FROM, TO))
                .extracting(SpendRow::group, SpendRow::cost)
                .containsExactly(tuple("priority", Money.of("0.0525")), tuple("default", Money.of("0.03")),
                        tuple("flex", Money.of("0.015")));
    }

    @Test
    void givenAnAnswerRunInAGeographyBilledApart_whenReadBack_thenItKeepsTheGeography() {
        JdbcSpendLedger ledger = open();
        ledger.append(record("us").at(FROM).cost("0.0825").usage(Usage.of(10_000, 2_000)
                .withInferenceGeo(Optional.of("us"))).build());
        ledger.append(record("none").at(FROM.plusSeconds(1)).cost("0.075").usage(Usage.of(10_000, 2_000)).build());
        ledger.flush();

        assertThat(ledger.records(FROM, TO, 10)).extracting(r -> r.usage().inferenceGeo())
                .containsExactly(Optional.of("us"), Optional.empty());
    }
}
