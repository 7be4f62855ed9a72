package dev.costwise.store;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.spi.SpendLedger;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link SpendLedger} in a SQL database: an embedded SQLite file by default, or PostgreSQL. Open one with
 * {@link SpendLedgers#open}.
 *
 * <p><b>Writes never wait for the database.</b> {@link #append} encodes the record and puts it in a bounded queue;
 * one writer (a virtual thread) writes queued records in JDBC batches, one transaction each, every
 * {@link LedgerOptions#flushInterval() flush interval} (default 10 ms) or as soon as a batch is full.
 * {@link #flush()} blocks until everything appended before it is durable; {@link #close()} writes everything queued
 * and then closes. A process crash loses at most the last flush interval's records (plus the batch being written).
 *
 * <p><b>Outages.</b> If the database is unavailable, the writer keeps the batch and retries with exponential backoff
 * ({@link LedgerOptions#retryBackoff}); {@link #isWritable()} reads {@code false} until a write succeeds again. New
 * records wait in the queue, bounded by {@link LedgerOptions#queueCapacity()}; when it is full, {@code append} waits
 * up to {@link LedgerOptions#appendTimeout()} (back-pressure) and then throws {@link SpendLedgerException}. A record
 * {@code append} accepted is never dropped short of a crash or a {@code close} that times out (logged with the count).
 *
 * <p><b>Money</b> is kept exactly at 12 decimals: integer pico-dollars on SQLite (so {@code SUM} is exact integer
 * arithmetic), {@code NUMERIC(30,12)} on PostgreSQL. An amount with more than 12 decimals is rounded up to the next
 * pico-dollar. On SQLite a single record, and a single sum, is limited to about $9.2 million; beyond that the query
 * fails rather than return a wrong total.
 *
 * <p><b>Retention.</b> {@link #applyRetention} rolls records older than {@link LedgerOptions#retention()} into a
 * daily aggregate table (per day, model, provider, key, user and team) and deletes them, so the ledger does not grow
 * without bound; schedule it (the gateway runs it at start and hourly). {@link #totalCost} and the
 * {@link #reports() reports} include aggregated days that the period covers whole.
 *
 * <p>The schema is created and upgraded on open by numbered migrations recorded in a {@code schema_version} table;
 * opening the same database twice, or from two processes, is safe. Thread-safe.
 */
public final class JdbcSpendLedger implements SpendLedger {

    private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);
    /** Records rolled up per retention transaction. */
    static final int RETENTION_CHUNK = 10_000;

    private final ConnectionFactory connections;
    private final LedgerOptions options;
    private final LedgerWriter writer;
    private final SpendReports reports;
    /** Record ids are this instance's random 64-bit prefix and a sequence: unique across instances, short to index. */
    private final String recordIdPrefix = HexFormat.of().toHexDigits(new SecureRandom().nextLong()) + "-";
    private final AtomicLong recordSequence = new AtomicLong();

    private JdbcSpendLedger(ConnectionFactory connections, LedgerOptions options) {
        this.connections = connections;
        this.options = options;
        this.writer = new LedgerWriter(connections, options);
        this.reports = new SpendReports(connections);
    }

    /**
     * Opens the ledger at {@code jdbcUrl}, creating or upgrading its schema.
     *
     * @throws SpendLedgerException if the database cannot be reached or migrated
     */
    static JdbcSpendLedger open(String jdbcUrl, LedgerOptions options) {
        ConnectionFactory connections = new ConnectionFactory(jdbcUrl, Dialect.ofUrl(jdbcUrl), options);
        try (Connection connection = connections.open()) {
            new Migrations(connections.dialect()).migrate(connection);
        } catch (SQLException e) {
            throw new SpendLedgerException("cannot open the spend ledger (" + connections.describe() + "): "
                    + e.getMessage(), e);
        }
        return new JdbcSpendLedger(connections, options);
    }

    /**
     * Opens the ledger at {@code jdbcUrl} as {@link #open} does, if the database holds one; if not, changes nothing.
     *
     * @throws SpendLedgerException if the database holds no ledger, or cannot be reached or migrated
     */
    static JdbcSpendLedger openExisting(String jdbcUrl, LedgerOptions options) {
        ConnectionFactory connections = new ConnectionFactory(jdbcUrl, Dialect.ofUrl(jdbcUrl), options);
        boolean found;
        try (Connection connection = connections.openReadOnly()) {
            found = Migrations.hasLedger(connection, connections.dialect());
        } catch (SQLException e) {
            throw new SpendLedgerException("cannot open the spend ledger (" + connections.describe() + "): "
                    + e.getMessage(), e);
        }
        if (!found) {
            throw new SpendLedgerException("no ledger in " + connections.describe()
                    + " (a gateway creates it when it starts)");
        }
        return open(jdbcUrl, options);
    }

    /**
     * Queues one record to be written; returns without waiting for the database.
     *
     * @param record the attempt
     * @throws IllegalArgumentException if a cost does not fit the ledger's money column
     * @throws SpendLedgerException if the queue stayed full for the append timeout (the record is not accepted)
     * @throws IllegalStateException if the ledger is closed
     */
    @Override
    public void append(CostRecord record) {
        Objects.requireNonNull(record, "record");
        String recordId = recordIdPrefix + recordSequence.incrementAndGet();
        writer.append(LedgerRow.encode(recordId, record, connections.dialect()));
    }

    /**
     * Blocks until every record appended before this call is durable, however long the database is unavailable.
     *
     * @throws SpendLedgerException if interrupted while waiting
     */
    @Override
    public void flush() {
        writer.flush(FOREVER);
    }

    /**
     * Waits up to {@code timeout} until every record appended before this call is durable.
     *
     * @param timeout how long to wait
     * @return {@code true} if they are durable, {@code false} if the timeout passed first
     * @throws SpendLedgerException if interrupted while waiting
     */
    public boolean flush(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return writer.flush(timeout);
    }

    /** @return {@code false} while the last write failed and the writer is retrying */
    public boolean isWritable() {
        return writer.isWritable();
    }

    /**
     * @return {@code false} once the writer has stopped, after {@link #close()} or an unexpected error: then
     *     {@link #append} accepts no record
     */
    public boolean isAccepting() {
        return writer.isRunning();
    }

    /** @return the most records that wait in memory for the database ({@link LedgerOptions#queueCapacity()}) */
    public int queueCapacity() {
        return options.queueCapacity();
    }

    /** @return records accepted by {@link #append} and not yet durable */
    public long pendingRecords() {
        return writer.pending();
    }

    /** @return records this instance has written since it opened */
    public long writtenRecords() {
        return writer.written();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Match keys are {@code key}, {@code user}, {@code team}, {@code feature} (the caller's tags), {@code model}
     * (the model called, by its catalog name: {@link CostRecord#catalogModel()}) and {@code provider}. Days rolled up
     * by retention are included when the period covers them whole, unless {@code feature} is matched (aggregates do
     * not keep it). Reads what is durable; call {@link #flush()} first to include the latest appends.
     *
     * @throws IllegalArgumentException if a match key is unknown or {@code from} is after {@code to}
     * @throws SpendLedgerException if the database cannot be read
     */
    @Override
    public Money totalCost(Map<String, String> match, Instant from, Instant to) {
        MatchFilter filter = new MatchFilter(match);
        TimeRange range = TimeRange.of(from, to);
        try (Connection connection = connections.open()) {
            Money total;
            try (PreparedStatement statement = connection.prepareStatement("SELECT SUM(cost) FROM ledger"
                    + " WHERE at_ms >= ? AND at_ms < ?" + filter.conditions(false))) {
                statement.setLong(1, range.fromMillis());
                statement.setLong(2, range.toMillis());
                filter.bind(statement, 3);
                total = readSum(statement);
            }
            if (filter.coversDaily()) {
                try (PreparedStatement statement = connection.prepareStatement("SELECT SUM(cost) FROM spend_daily"
                        + " WHERE day >= ? AND day < ?" + filter.conditions(true))) {
                    statement.setString(1, range.fromDay());
                    statement.setString(2, range.toDay());
                    filter.bind(statement, 3);
                    total = total.plus(readSum(statement));
                }
            }
            return total;
        } catch (SQLException e) {
            throw new SpendLedgerException("cannot sum spend in the ledger (" + connections.describe() + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * The records of {@code [from, to)} in time order, for export and inspection.
     *
     * @param from inclusive start
     * @param to exclusive end
     * @param limit the most records to return, at least 1
     * @return up to {@code limit} records
     * @throws IllegalArgumentException if {@code limit} is below 1 or {@code from} is after {@code to}
     * @throws SpendLedgerException if the database cannot be read
     */
    public List<CostRecord> records(Instant from, Instant to, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        TimeRange range = TimeRange.of(from, to);
        try (Connection connection = connections.open();
                PreparedStatement statement = connection.prepareStatement("SELECT " + LedgerRow.COLUMNS
                        + " FROM ledger WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms, id LIMIT ?")) {
            statement.setLong(1, range.fromMillis());
            statement.setLong(2, range.toMillis());
            statement.setInt(3, limit);
            List<CostRecord> records = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    records.add(LedgerRow.read(rows, connections.dialect()));
                }
            }
            return List.copyOf(records);
        } catch (SQLException e) {
            throw new SpendLedgerException("cannot read records from the ledger (" + connections.describe() + "): "
                    + e.getMessage(), e);
        }
    }

    /** @return spend, savings, cache-hit, waste and top-request reports over this ledger */
    public SpendReports reports() {
        return reports;
    }

    /**
     * Rolls records of UTC days before {@code now} minus the retention period into the daily aggregates and deletes
     * them, oldest first, in transactions of about {@value #RETENTION_CHUNK} records: each transaction holds the
     * database's write lock, and the ledger's writer waits for it, so a large backlog must not hold it for long.
     * Each transaction rolls up and deletes the same records, so a failure part-way leaves the totals right and the
     * rest for the next run. Running it again finds nothing to do; records that arrive late for an aggregated day are
     * merged into it on the next run.
     *
     * @param now the current time
     * @return the first day kept in full and how much was rolled up
     * @throws SpendLedgerException if the database cannot be written (the transactions committed before stay)
     */
    public RetentionResult applyRetention(Instant now) {
        return applyRetention(now, RETENTION_CHUNK);
    }

    /** {@link #applyRetention(Instant)} with {@code chunk} records per transaction (tests use small ones). */
    RetentionResult applyRetention(Instant now, int chunk) {
        Objects.requireNonNull(now, "now");
        LocalDate keptFrom = LocalDate.ofInstant(now.minus(options.retention()), ZoneOffset.UTC);
        long cutoff = keptFrom.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long rolledUp = 0;
        long dailyRows = 0;
        try (Connection connection = connections.open()) {
            if (connections.dialect() == Dialect.POSTGRESQL) {
                // One snapshot per transaction: a record committed in between is neither rolled up nor deleted.
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            }
            while (true) {
                RolledUp step = SqlWork.inTransaction(connection, c -> rollUpOldestChunk(c, cutoff, chunk));
                if (step.records() == 0) {
                    return new RetentionResult(keptFrom, rolledUp, dailyRows);
                }
                rolledUp += step.records();
                dailyRows += step.dailyRows();
            }
        } catch (SQLException e) {
            throw new SpendLedgerException("cannot apply retention to the ledger (" + connections.describe() + "): "
                    + e.getMessage() + "; " + rolledUp + " records were rolled up before the failure", e);
        }
    }

    /** What one retention transaction did: records rolled up and deleted, aggregate rows written. */
    private record RolledUp(long records, long dailyRows) {
    }

    /** Rolls up and deletes the oldest chunk of records before the cutoff; none left is zero records. */
    private static RolledUp rollUpOldestChunk(Connection c, long cutoff, int chunk) throws SQLException {
        long end = chunkEnd(c, cutoff, chunk);
        if (end < 0) {
            return new RolledUp(0, 0);
        }
        long dailyRows;
        try (PreparedStatement rollup = c.prepareStatement(Retention.ROLL_UP)) {
            rollup.setLong(1, end);
            dailyRows = rollup.executeUpdate();
        }
        try (PreparedStatement prune = c.prepareStatement("DELETE FROM ledger WHERE at_ms < ?")) {
            prune.setLong(1, end);
            return new RolledUp(prune.executeUpdate(), dailyRows);
        }
    }

    /**
     * @return the exclusive end (epoch millis) of the oldest {@code chunk} records before the cutoff, or -1 when there
     *     are none; at least one millisecond past the oldest, so every call makes progress
     */
    private static long chunkEnd(Connection c, long cutoff, int chunk) throws SQLException {
        long oldest;
        try (PreparedStatement min = c.prepareStatement("SELECT MIN(at_ms) FROM ledger WHERE at_ms < ?")) {
            min.setLong(1, cutoff);
            try (ResultSet rs = min.executeQuery()) {
                rs.next();
                oldest = rs.getLong(1);
                if (rs.wasNull()) {
                    return -1;
                }
            }
        }
        try (PreparedStatement nth = c.prepareStatement(
                "SELECT at_ms FROM ledger WHERE at_ms < ? ORDER BY at_ms LIMIT 1 OFFSET ?")) {
            nth.setLong(1, cutoff);
            nth.setInt(2, chunk);
            try (ResultSet rs = nth.executeQuery()) {
                return rs.next() ? Math.max(rs.getLong(1), oldest + 1) : cutoff;
            }
        }
    }

    /**
     * Writes every queued record and closes. Waits up to {@link LedgerOptions#closeTimeout()}; records still not
     * written then (the database stayed unavailable) are logged as lost. Further appends throw
     * {@link IllegalStateException}. Closing twice is harmless.
     */
    @Override
    public void close() {
        writer.close(options.closeTimeout());
    }

    @Override
    public String toString() {
        return "JdbcSpendLedger[" + connections.describe() + "]";
    }

    private Money readSum(PreparedStatement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            rows.next();
            return connections.dialect().readMoney(rows, 1);
        }
    }
}
