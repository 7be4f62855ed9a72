package dev.costwise.gateway;

import dev.costwise.store.JdbcSpendLedger;
import dev.costwise.store.RetentionResult;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the ledger's database from growing without bound: when the gateway starts and then every hour, rolls the
 * records older than the ledger's retention period into daily totals ({@link JdbcSpendLedger#applyRetention}), which
 * reports and budgets still count. Every request writes a row, so without this a busy gateway fills its disk.
 */
final class LedgerRetention {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerRetention.class);
    /** Between passes; a pass with nothing to roll up costs one indexed query. */
    static final Duration INTERVAL = Duration.ofHours(1);

    private final JdbcSpendLedger ledger;
    private final Clock clock;

    /**
     * @param ledger the ledger to trim, with its retention period in its options
     * @param clock decides which days are old enough
     */
    LedgerRetention(JdbcSpendLedger ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Runs a first pass now, in the background, and one every {@link #INTERVAL} after the previous ends. */
    void start(Maintenance maintenance) {
        maintenance.every("spend ledger: rolling up old records", Duration.ZERO, INTERVAL, this::runOnce);
    }

    /** One pass. */
    void runOnce() {
        RetentionResult result = ledger.applyRetention(clock.instant());
        if (result.rolledUpRecords() > 0) {
            LOG.info("spend ledger: rolled {} records of the days before {} into daily totals",
                    result.rolledUpRecords(), result.keptFrom());
        }
    }
}
