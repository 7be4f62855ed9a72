package dev.costwise.gateway.pipeline;

import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.store.JdbcSpendLedger;
import dev.costwise.store.ReportDimension;
import dev.costwise.store.SpendRow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Spend and savings of a period grouped by one dimension, read from the gateway's ledger: what {@code GET /v1/spend}
 * shows. The store's reports for a database ledger, an aggregation of the records for the in-memory one.
 */
@FunctionalInterface
public interface SpendBreakdown {

    /**
     * @param by what to group by
     * @param from inclusive start
     * @param to exclusive end
     * @return one row per group, as {@link dev.costwise.store.SpendReports#spendBy} orders them
     */
    List<SpendRow> spendBy(ReportDimension by, Instant from, Instant to);

    /**
     * @param ledger the gateway's ledger
     * @return its breakdown, or empty for a ledger of another kind, which can only sum costs
     */
    static Optional<SpendBreakdown> of(SpendLedger ledger) {
        if (ledger instanceof JdbcSpendLedger jdbc) {
            return Optional.of(jdbc.reports()::spendBy);
        }
        if (ledger instanceof MemorySpendLedger memory) {
            return Optional.of(memory::spendBy);
        }
        return Optional.empty();
    }
}
