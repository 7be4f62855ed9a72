package dev.costwise.store;

import dev.costwise.core.Money;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Spend, savings, cache and waste reports over a ledger's records, all amounts exact. Get one from
 * {@link JdbcSpendLedger#reports()}; thread-safe; each call opens its own connection.
 *
 * <p>Reports read what is durable: call {@link JdbcSpendLedger#flush()} first to include the last appended records.
 * Periods are {@code [from, to)}. Days are UTC. Records older than the retention period live on as daily
 * aggregates; {@link #spendBy}, {@link #cacheHitRate} and {@link #wastedSpend} include an aggregated day when the
 * period covers the whole day (so use day-aligned periods for old history); {@link #mostExpensiveRequests} sees
 * retained records only.
 */
public final class SpendReports {

    /** A request counts once, where its first attempt is: additive over groups and days, so aggregates stay exact. */
    static final String FIRST_ATTEMPTS = "SUM(CASE WHEN attempt = 1 THEN 1 ELSE 0 END)";
    /** Calls made to a provider: every record but cache hits and refusals. */
    private static final String PROVIDER_CALLS =
            "SUM(CASE WHEN outcome IN ('CACHE_HIT', 'REJECTED') THEN 0 ELSE 1 END)";
    private static final String WASTED = "outcome IN ('FAILED', 'SUPERSEDED', 'ABORTED')";

    private final ConnectionFactory connections;
    private final Dialect dialect;

    SpendReports(ConnectionFactory connections) {
        this.connections = connections;
        this.dialect = connections.dialect();
    }

    /**
     * Spend and savings per group in {@code [from, to)}: by day (in day order) or by model, provider, key, user,
     * team or feature (most expensive first).
     *
     * @param by what to group by
     * @param from inclusive start
     * @param to exclusive end
     * @return one row per group
     * @throws IllegalArgumentException if {@code from} is after {@code to}
     * @throws SpendLedgerException if the database cannot be read
     */
    public List<SpendRow> spendBy(ReportDimension by, Instant from, Instant to) {
        Objects.requireNonNull(by, "by");
        TimeRange range = TimeRange.of(from, to);
        String ledgerSql = "SELECT " + by.ledgerExpression() + ", " + FIRST_ATTEMPTS + ", " + PROVIDER_CALLS + ","
                + " SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(output_tokens),"
                + " SUM(reasoning_tokens), SUM(cost), SUM(baseline_cost) FROM ledger WHERE at_ms >= ? AND at_ms < ?"
                + " GROUP BY 1";
        String dailySql = by.dailyColumn() == null ? null
                : "SELECT " + by.dailyColumn() + ", SUM(requests), SUM(records - cache_hits - rejected_records),"
                        + " SUM(input_tokens),"
                        + " SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(output_tokens),"
                        + " SUM(reasoning_tokens), SUM(cost), SUM(baseline_cost) FROM spend_daily"
                        + " WHERE day >= ? AND day < ? GROUP BY 1";
        Map<String, SpendRow> rows = new LinkedHashMap<>();
        query("spend by " + by, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(ledgerSql)) {
                statement.setLong(1, range.fromMillis());
                statement.setLong(2, range.toMillis());
                readRows(statement, rows);
            }
            if (dailySql != null) {
                try (PreparedStatement statement = connection.prepareStatement(dailySql)) {
                    statement.setString(1, range.fromDay());
                    statement.setString(2, range.toDay());
                    readRows(statement, rows);
                }
            }
            return null;
        });
        Comparator<SpendRow> order = by == ReportDimension.DAY ? Comparator.comparing(SpendRow::group)
                : Comparator.comparing(SpendRow::cost).reversed().thenComparing(SpendRow::group);
        return rows.values().stream().sorted(order).toList();
    }

    /**
     * The share of requests in {@code [from, to)} that Costwise's cache answered: cache-hit records over requests
     * (first attempts).
     *
     * @param from inclusive start
     * @param to exclusive end
     * @return requests and cache hits
     * @throws IllegalArgumentException if {@code from} is after {@code to}
     * @throws SpendLedgerException if the database cannot be read
     */
    public CacheHitRate cacheHitRate(Instant from, Instant to) {
        TimeRange range = TimeRange.of(from, to);
        return query("cache hit rate", connection -> {
            long requests = 0;
            long hits = 0;
            try (PreparedStatement statement = connection.prepareStatement("SELECT COALESCE(" + FIRST_ATTEMPTS + ", 0),"
                    + " COALESCE(SUM(CASE WHEN outcome = 'CACHE_HIT' THEN 1 ELSE 0 END), 0)"
                    + " FROM ledger WHERE at_ms >= ? AND at_ms < ?")) {
                statement.setLong(1, range.fromMillis());
                statement.setLong(2, range.toMillis());
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    requests += result.getLong(1);
                    hits += result.getLong(2);
                }
            }
            try (PreparedStatement statement = connection.prepareStatement("SELECT COALESCE(SUM(requests), 0),"
                    + " COALESCE(SUM(cache_hits), 0) FROM spend_daily WHERE day >= ? AND day < ?")) {
                statement.setString(1, range.fromDay());
                statement.setString(2, range.toDay());
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    requests += result.getLong(1);
                    hits += result.getLong(2);
                }
            }
            return new CacheHitRate(requests, hits);
        });
    }

    /**
     * Spend in {@code [from, to)} on attempts that failed, were superseded or were aborted.
     *
     * @param from inclusive start
     * @param to exclusive end
     * @return the wasted attempts and their cost, with the period's total cost
     * @throws IllegalArgumentException if {@code from} is after {@code to}
     * @throws SpendLedgerException if the database cannot be read
     */
    public WastedSpend wastedSpend(Instant from, Instant to) {
        TimeRange range = TimeRange.of(from, to);
        return query("wasted spend", connection -> {
            long attempts = 0;
            Money wasted = Money.ZERO;
            Money total = Money.ZERO;
            try (PreparedStatement statement = connection.prepareStatement("SELECT"
                    + " COALESCE(SUM(CASE WHEN " + WASTED + " THEN 1 ELSE 0 END), 0),"
                    + " SUM(CASE WHEN " + WASTED + " THEN cost ELSE 0 END), SUM(cost)"
                    + " FROM ledger WHERE at_ms >= ? AND at_ms < ?")) {
                statement.setLong(1, range.fromMillis());
                statement.setLong(2, range.toMillis());
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    attempts += result.getLong(1);
                    wasted = wasted.plus(dialect.readMoney(result, 2));
                    total = total.plus(dialect.readMoney(result, 3));
                }
            }
            try (PreparedStatement statement = connection.prepareStatement("SELECT COALESCE(SUM(wasted_records), 0),"
                    + " SUM(wasted_cost), SUM(cost) FROM spend_daily WHERE day >= ? AND day < ?")) {
                statement.setString(1, range.fromDay());
                statement.setString(2, range.toDay());
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    attempts += result.getLong(1);
                    wasted = wasted.plus(dialect.readMoney(result, 2));
                    total = total.plus(dialect.readMoney(result, 3));
                }
            }
            return new WastedSpend(attempts, wasted, total);
        });
    }

    /**
     * The {@code limit} requests in {@code [from, to)} whose attempts together cost the most, most expensive first
     * (ties by request id). Retained records only.
     *
     * @param from inclusive start
     * @param to exclusive end
     * @param limit how many, at least 1
     * @return up to {@code limit} requests
     * @throws IllegalArgumentException if {@code limit} is below 1 or {@code from} is after {@code to}
     * @throws SpendLedgerException if the database cannot be read
     */
    public List<RequestCost> mostExpensiveRequests(Instant from, Instant to, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        TimeRange range = TimeRange.of(from, to);
        return query("most expensive requests", connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT request_id, COUNT(*),"
                    + " MIN(at_ms), SUM(input_tokens), SUM(output_tokens), SUM(cost),"
                    + " SUM(CASE WHEN " + WASTED + " THEN cost ELSE 0 END), SUM(baseline_cost)"
                    + " FROM ledger WHERE at_ms >= ? AND at_ms < ? GROUP BY request_id"
                    + " ORDER BY SUM(cost) DESC, request_id LIMIT ?")) {
                statement.setLong(1, range.fromMillis());
                statement.setLong(2, range.toMillis());
                statement.setInt(3, limit);
                List<RequestCost> requests = new ArrayList<>();
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        requests.add(new RequestCost(result.getString(1), result.getLong(2),
                                Instant.ofEpochMilli(result.getLong(3)), result.getLong(4), result.getLong(5),
                                dialect.readMoney(result, 6), dialect.readMoney(result, 7),
                                dialect.readMoney(result, 8)));
                    }
                }
                return List.copyOf(requests);
            }
        });
    }

    private void readRows(PreparedStatement statement, Map<String, SpendRow> rows) throws SQLException {
        try (ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                SpendRow row = new SpendRow(result.getString(1), result.getLong(2), result.getLong(3),
                        result.getLong(4), result.getLong(5), result.getLong(6), result.getLong(7),
                        result.getLong(8), dialect.readMoney(result, 9), dialect.readMoney(result, 10));
                rows.merge(row.group(), row, SpendRow::plus);
            }
        }
    }

    private <T> T query(String what, SqlWork<T> work) {
        try (Connection connection = connections.open()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new SpendLedgerException("cannot read " + what + " from the spend ledger ("
                    + connections.describe() + "): " + e.getMessage(), e);
        }
    }
}
