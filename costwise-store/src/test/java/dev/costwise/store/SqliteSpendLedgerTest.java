package dev.costwise.store;

import static dev.costwise.store.Records.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.Sleeper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger contract on an embedded SQLite file, plus what only SQLite can show: WAL settings and a locked file. */
class SqliteSpendLedgerTest extends SpendLedgerContract {

    @TempDir
    Path dir;

    @Override
    String url() {
        return "jdbc:sqlite:" + dir.resolve("ledger.db");
    }

    @Override
    LedgerOptions.Builder options() {
        return LedgerOptions.builder();
    }

    @Override
    Connection rawConnection() throws SQLException {
        return DriverManager.getConnection(url());
    }

    @Override
    String series(int n) {
        return "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + n + ") SELECT i FROM n)";
    }

    @Test
    void givenPartialTagIndexes_whenSpendOfOneUserOrTeamIsSummed_thenTheQueryUsesThem() throws SQLException {
        open().close();
        for (String tag : new String[] {"user", "team"}) {
            String sql = "EXPLAIN QUERY PLAN SELECT SUM(cost) FROM ledger WHERE at_ms >= ? AND at_ms < ?"
                    + new MatchFilter(Map.of(tag, "someone")).conditions(false);
            try (Connection connection = rawConnection();
                    java.sql.PreparedStatement plan = connection.prepareStatement(sql)) {
                plan.setLong(1, 0);
                plan.setLong(2, Long.MAX_VALUE);
                plan.setString(3, "someone");
                StringBuilder detail = new StringBuilder();
                try (ResultSet rows = plan.executeQuery()) {
                    while (rows.next()) {
                        detail.append(rows.getString("detail")).append('\n');
                    }
                }
                assertThat(detail.toString()).contains("USING INDEX ledger_" + tag + "_at");
            }
        }
    }

    @Test
    void givenOpenedLedger_whenInspectingConnections_thenWalNormalSyncAndBusyTimeoutAreSet() throws SQLException {
        open(options().busyTimeout(Duration.ofMillis(2500)).build());
        ConnectionFactory factory = new ConnectionFactory(url(), Dialect.SQLITE,
                options().busyTimeout(Duration.ofMillis(2500)).build());

        try (Connection connection = factory.open(); Statement statement = connection.createStatement()) {
            assertThat(pragma(statement, "journal_mode")).isEqualTo("wal");
            assertThat(pragma(statement, "synchronous")).isEqualTo("1"); // NORMAL
            assertThat(pragma(statement, "busy_timeout")).isEqualTo("2500");
        }
    }

    @Test
    void givenLockedDatabase_whenAppending_thenRetriesWithBackoffAndIsUnwritableUntilTheLockIsGone()
            throws Exception {
        GatedSleeper sleeper = new GatedSleeper();
        JdbcSpendLedger ledger = open(options().busyTimeout(Duration.ofMillis(1))
                .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(150)).sleeper(sleeper).build());
        Thread flusher;
        try (Connection blocker = exclusiveLock()) {
            ledger.append(record("during-outage-1").at(FROM).cost("0.25").build());
            ledger.append(record("during-outage-2").at(FROM).cost("0.5").build());
            flusher = Thread.ofVirtual().start(ledger::flush);

            assertThat(sleeper.slept.take()).isEqualTo(Duration.ofMillis(100));
            assertThat(ledger.isWritable()).isFalse();
            assertThat(ledger.pendingRecords()).isEqualTo(2);
            sleeper.gate.release();
            assertThat(sleeper.slept.take()).isEqualTo(Duration.ofMillis(150));
            sleeper.gate.release();
            assertThat(sleeper.slept.take()).isEqualTo(Duration.ofMillis(150)); // capped at the maximum
        }
        sleeper.gate.release(Integer.MAX_VALUE / 2);
        flusher.join();

        assertThat(ledger.isWritable()).isTrue();
        assertThat(ledger.pendingRecords()).isZero();
        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("0.75"));
    }

    @Test
    void givenDefaultBackoff_whenTheDatabaseStaysUnavailable_thenRetriesAtLeastEveryFiveSeconds() throws Exception {
        GatedSleeper sleeper = new GatedSleeper();
        JdbcSpendLedger ledger = open(options().busyTimeout(Duration.ofMillis(1)).sleeper(sleeper).build());
        try (Connection blocker = exclusiveLock()) {
            ledger.append(record("during-outage").at(FROM).cost("0.25").build());
            // the next retry is when the writer notices the database is back: it must not wait half a minute
            for (long millis : new long[] {100, 200, 400, 800, 1600, 3200, 5000, 5000}) {
                assertThat(sleeper.slept.take()).isEqualTo(Duration.ofMillis(millis));
                sleeper.gate.release();
            }
        }
        sleeper.gate.release(Integer.MAX_VALUE / 2);
        ledger.flush();

        assertThat(ledger.isWritable()).isTrue();
        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("0.25"));
    }

    @Test
    void givenLockedDatabaseAndFullQueue_whenAppending_thenWaitsBrieflyThenRefusesAndLosesNothingAccepted()
            throws Exception {
        GatedSleeper sleeper = new GatedSleeper();
        JdbcSpendLedger ledger = open(options().busyTimeout(Duration.ofMillis(1)).batchSize(1).queueCapacity(2)
                .appendTimeout(Duration.ofMillis(20)).sleeper(sleeper).build());
        try (Connection blocker = exclusiveLock()) {
            ledger.append(record("in-batch").at(FROM).cost("1").build());
            sleeper.slept.take(); // the writer holds "in-batch" and waits to retry
            ledger.append(record("queued-1").at(FROM).cost("2").build());
            ledger.append(record("queued-2").at(FROM).cost("4").build());

            assertThatThrownBy(() -> ledger.append(record("refused").at(FROM).cost("8").build()))
                    .isInstanceOf(SpendLedgerException.class)
                    .hasMessageContaining("queue is full (2 records)")
                    .hasMessageContaining("not accepting writes")
                    .hasMessageContaining("'refused' not accepted");
            assertThat(ledger.pendingRecords()).isEqualTo(3);
        }
        sleeper.gate.release(Integer.MAX_VALUE / 2);
        ledger.flush();

        assertThat(ledger.totalCost(Map.of(), FROM, TO)).isEqualTo(Money.of("7"));
    }

    @Test
    void givenDatabaseLockedForGood_whenClosed_thenGivesUpAfterTheCloseTimeoutInsteadOfHanging() throws Exception {
        GatedSleeper sleeper = new GatedSleeper();
        JdbcSpendLedger ledger = open(options().busyTimeout(Duration.ofMillis(1))
                .closeTimeout(Duration.ofMillis(50)).sleeper(sleeper).build());
        try (Connection blocker = exclusiveLock()) {
            ledger.append(record("never-written").at(FROM).build());
            sleeper.slept.take();

            ledger.close();

            assertThat(ledger.isWritable()).isFalse();
            assertThat(ledger.flush(Duration.ZERO)).isTrue(); // closed: nothing more will be written
        }
        assertThat(open().records(FROM, TO, 10)).isEmpty();
    }

    private Connection exclusiveLock() throws SQLException {
        Properties exclusive = new Properties();
        exclusive.setProperty("transaction_mode", "EXCLUSIVE");
        Connection blocker = DriverManager.getConnection(url(), exclusive);
        blocker.setAutoCommit(false); // sqlite-jdbc issues BEGIN EXCLUSIVE here: writers now get SQLITE_BUSY
        return blocker;
    }

    private static String pragma(Statement statement, String name) throws SQLException {
        try (ResultSet rows = statement.executeQuery("PRAGMA " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** Records each backoff and waits until the test opens the gate, so a test sees every retry in turn. */
    static final class GatedSleeper implements Sleeper {
        final BlockingQueue<Duration> slept = new LinkedBlockingQueue<>();
        final Semaphore gate = new Semaphore(0);

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            slept.put(duration);
            gate.acquire();
        }
    }
}
