package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.TagRules;
import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.store.JdbcSpendLedger;
import dev.costwise.store.ReportDimension;
import dev.costwise.store.SpendRow;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Spend and savings of a period grouped by one dimension, read from the gateway's ledger: what {@code GET /v1/spend}
 * and {@code costwise report} show. The store's reports for a database ledger, an aggregation of the records for the
 * in-memory one. The rows without a value for the dimension (no team, user, feature) are the group
 * {@link TagRules#NO_VALUE}, in every view.
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
            return Optional.of(of(jdbc));
        }
        if (ledger instanceof MemorySpendLedger memory) {
            return Optional.of((by, from, to) -> named(by, memory.spendBy(by, from, to)));
        }
        return Optional.empty();
    }

    /**
     * @param ledger a database ledger
     * @return its breakdown
     */
    static SpendBreakdown of(JdbcSpendLedger ledger) {
        return (by, from, to) -> named(by, ledger.reports().spendBy(by, from, to));
    }

    /**
     * The ledger's rows under the names reports show: its group {@code ""} (no value) is called
     * {@link TagRules#NO_VALUE}, and rows that hold that name itself (which requests cannot send, but a ledger written
     * by the library or before the rule may) are counted with it, so the groups always add up to the total.
     */
    private static List<SpendRow> named(ReportDimension by, List<SpendRow> rows) {
        if (rows.stream().noneMatch(r -> r.group().isEmpty())) {
            return rows;
        }
        Map<String, SpendRow> named = new LinkedHashMap<>();
        for (SpendRow r : rows) {
            SpendRow row = r.group().isEmpty()
                    ? new SpendRow(TagRules.NO_VALUE, 0, 0, 0, 0, Money.ZERO, Money.ZERO).plus(r) : r;
            named.merge(row.group(), row, SpendRow::plus);
        }
        Comparator<SpendRow> order = by == ReportDimension.DAY ? Comparator.comparing(SpendRow::group)
                : Comparator.comparing(SpendRow::cost).reversed().thenComparing(SpendRow::group);
        return named.values().stream().sorted(order).toList();
    }
}
