package dev.costwise.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.Sleeper;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.store.JdbcSpendLedger;
import dev.costwise.store.LedgerOptions;
import dev.costwise.store.SpendLedgers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /ready}'s ledger part on a real SQLite ledger whose database a test locks, as an outage would. */
class LedgerReadinessTest {

    private static final Instant AT = Instant.parse("2026-11-29T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void givenDatabaseUnavailable_whenRowsAreBuffered_thenReadyDegradedUntilTheBufferIsNearlyFull() throws Exception {
        GatedSleeper sleeper = new GatedSleeper();
        String url = "jdbc:sqlite:" + dir.resolve("ledger.db");
        JdbcSpendLedger ledger = (JdbcSpendLedger) SpendLedgers.open(url, LedgerOptions.builder()
                .busyTimeout(Duration.ofMillis(1)).batchSize(1).queueCapacity(10).sleeper(sleeper).build());
        assertThat(LedgerReadiness.of(ledger)).isEqualTo(new LedgerReadiness(true, "ok"));

        try (Connection blocker = exclusiveLock(url)) {
            ledger.append(row("r1"));
            sleeper.slept.take(); // the writer holds r1 and waits to retry
            for (int i = 2; i <= 8; i++) {
                ledger.append(row("r" + i));
            }
            // a fleet on one database that is down keeps serving and buffering: no replica leaves the balancer
            assertThat(LedgerReadiness.of(ledger)).isEqualTo(new LedgerReadiness(true,
                    "degraded: not writable, 8 records waiting of 10 buffered"));

            ledger.append(row("r9"));
            // before rows would be refused: the balancer sends traffic to replicas with room
            assertThat(LedgerReadiness.of(ledger)).isEqualTo(new LedgerReadiness(false,
                    "not writable: 9 records waiting of 10, buffer nearly full"));
        }
        sleeper.gate.release(Integer.MAX_VALUE / 2);
        ledger.flush();

        assertThat(LedgerReadiness.of(ledger)).isEqualTo(new LedgerReadiness(true, "ok"));
        assertThat(ledger.writtenRecords()).isEqualTo(9);
        ledger.close();
        assertThat(LedgerReadiness.of(ledger).ready()).isFalse();
    }

    private static CostRecord row(String requestId) {
        return new CostRecord(requestId, 1, AT, "m", "m", "openai", Usage.of(10, 2), Money.of("0.01"),
                Money.of("0.01"), PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(), Optional.empty(),
                Duration.ofMillis(30), Map.of());
    }

    private static Connection exclusiveLock(String url) throws SQLException {
        Properties exclusive = new Properties();
        exclusive.setProperty("transaction_mode", "EXCLUSIVE");
        Connection blocker = DriverManager.getConnection(url, exclusive);
        blocker.setAutoCommit(false); // sqlite-jdbc issues BEGIN EXCLUSIVE here: writers now get SQLITE_BUSY
        return blocker;
    }

    /** Records each backoff and waits until the test opens the gate. */
    private static final class GatedSleeper implements Sleeper {
        final BlockingQueue<Duration> slept = new LinkedBlockingQueue<>();
        final Semaphore gate = new Semaphore(0);

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            slept.put(duration);
            gate.acquire();
        }
    }
}
