package dev.costwise.store;

import java.time.LocalDate;
import java.util.Objects;

/**
 * What one {@link JdbcSpendLedger#applyRetention} run did.
 *
 * @param keptFrom the first UTC day still kept in full; records of earlier days were rolled up
 * @param rolledUpRecords records added to the daily aggregates and deleted from the ledger
 * @param dailyRows aggregate rows written or updated, summed over the run's transactions (a day's row that two of
 *     them update counts twice)
 */
public record RetentionResult(LocalDate keptFrom, long rolledUpRecords, long dailyRows) {

    public RetentionResult {
        Objects.requireNonNull(keptFrom, "keptFrom");
    }
}
