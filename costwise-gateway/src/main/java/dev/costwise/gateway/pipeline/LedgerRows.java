package dev.costwise.gateway.pipeline;

import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.store.SpendLedgerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the ledger rows of calls that were made: a row that cannot be written goes to the log whole instead. */
final class LedgerRows {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerRows.class);

    private LedgerRows() {}

    /**
     * Appends a row. The call it records was made and billed, so failing the request now would waste the spend
     * twice: a row the ledger refuses (its queue stayed full, it is already closed for a request still running past
     * the shutdown grace period, or a cost too large for its column) is logged in full at ERROR, so it can still be
     * accounted for.
     *
     * @return {@code false} if the row went to the log instead of the ledger
     */
    static boolean appendOrLog(SpendLedger ledger, CostRecord row) {
        try {
            ledger.append(row);
            return true;
        } catch (SpendLedgerException | IllegalStateException | IllegalArgumentException e) {
            LOG.error("request {}: ledger row not written ({}): {}", row.requestId(), e.getMessage(), row);
            return false;
        }
    }
}
