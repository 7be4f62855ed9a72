package dev.costwise.gateway;

import dev.costwise.store.JdbcSpendLedger;
import dev.costwise.store.RetentionResult;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the ledger's database from growing without bound: when the gateway starts and then every hour, rolls the
 * records older than the ledger's retention period into daily totals ({@link JdbcSpendLedger#applyRetention}), which
 * reports and budgets still count. Every request writes a row, so without this a busy gateway fills its disk. A pass
 * that fails is logged and tried again at the next one.
 */
final class LedgerRetention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerRetention.class);
    /** Between passes; a pass with nothing to roll up costs one indexed query. */
    static final Duration INTERVAL = Duration.ofHours(1);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final JdbcSpendLedger ledger;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;

    /**
     * @param ledger the ledger to trim, with its retention period in its options
     * @param clock decides which days are old enough
     * @param scheduler runs the passes; shut down by {@link #close()}
     */
    LedgerRetention(JdbcSpendLedger ledger, Clock clock, ScheduledExecutorService scheduler) {
        this.ledger = ledger;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /** One daemon platform thread: SQLite's driver blocks in native code, which would pin a virtual thread. */
    static ScheduledExecutorService newScheduler() {
        return Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon(true).name("costwise-ledger-retention").factory());
    }

    /** Runs a first pass now, in the background, and one every {@link #INTERVAL} after the previous ends. */
    void start() {
        scheduler.scheduleWithFixedDelay(this::runOnce, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass; never throws, so a failure does not cancel the schedule. */
    void runOnce() {
        try {
            RetentionResult result = ledger.applyRetention(clock.instant());
            if (result.rolledUpRecords() > 0) {
                LOG.info("spend ledger: rolled {} records of the days before {} into daily totals",
                        result.rolledUpRecords(), result.keptFrom());
            }
        } catch (RuntimeException e) {
            LOG.warn("spend ledger: rolling up old records failed, trying again in {}: {}", INTERVAL,
                    e.getMessage());
        }
    }

    /** Stops the schedule; waits a few seconds for a pass in progress (its current transaction) to end. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("spend ledger: the retention pass did not stop within {}", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
