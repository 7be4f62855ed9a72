package dev.costwise.store;

import dev.costwise.core.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What differs between the ledger's two databases: the money column, the auto-increment key, and the lock that
 * serialises migrations. Everything else (SQL, upserts, {@code ON CONFLICT}) is shared.
 *
 * <p>Money is kept at {@value #MONEY_SCALE} decimals (pico-dollars) on both: {@code BIGINT} pico-dollars on SQLite,
 * whose {@code SUM} over integers is exact (and fails loudly on overflow, above about $9.2 million in one sum), and
 * {@code NUMERIC(30,12)} on PostgreSQL. A cost with more decimals (a price with more than six decimals per million
 * tokens) is rounded up to the next pico-dollar, so spend is never undercounted.
 */
enum Dialect {

    SQLITE("sqlite", "BIGINT", "INTEGER PRIMARY KEY") {
        @Override
        Object encodeMoney(Money amount) {
            BigDecimal scaled = toLedgerScale(amount);
            try {
                return scaled.unscaledValue().longValueExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("amount does not fit the SQLite ledger's 64-bit pico-dollar column"
                        + " (at most $9,223,372.036854775807): " + amount, e);
            }
        }

        @Override
        void bindMoney(PreparedStatement statement, int index, Object encoded) throws SQLException {
            statement.setLong(index, (Long) encoded);
        }

        @Override
        Money readMoney(ResultSet rows, int column) throws SQLException {
            long picos = rows.getLong(column);
            return Money.of(BigDecimal.valueOf(picos, MONEY_SCALE));
        }

        @Override
        void lockForMigration(Statement statement) {
            // Connections run in transaction_mode=IMMEDIATE: the migration transaction began with BEGIN IMMEDIATE,
            // which took SQLite's write lock and so serialises concurrent openers.
        }
    },

    POSTGRESQL("postgresql", "NUMERIC(30,12)", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY") {
        @Override
        Object encodeMoney(Money amount) {
            BigDecimal scaled = toLedgerScale(amount);
            if (scaled.precision() - scaled.scale() > 18) {
                throw new IllegalArgumentException("amount does not fit the ledger's NUMERIC(30,12) column: " + amount);
            }
            return scaled;
        }

        @Override
        void bindMoney(PreparedStatement statement, int index, Object encoded) throws SQLException {
            statement.setBigDecimal(index, (BigDecimal) encoded);
        }

        @Override
        Money readMoney(ResultSet rows, int column) throws SQLException {
            BigDecimal amount = rows.getBigDecimal(column);
            return amount == null ? Money.ZERO : Money.of(amount);
        }

        @Override
        void lockForMigration(Statement statement) throws SQLException {
            // Transaction-scoped advisory lock: released at commit or rollback.
            statement.execute("SELECT pg_advisory_xact_lock(7215081733)");
        }
    };

    /** Decimals the ledger keeps: pico-dollars. */
    static final int MONEY_SCALE = 12;

    private final String label;
    private final String moneyType;
    private final String idColumn;

    Dialect(String label, String moneyType, String idColumn) {
        this.label = label;
        this.moneyType = moneyType;
        this.idColumn = idColumn;
    }

    /**
     * The dialect of a JDBC URL.
     *
     * @throws IllegalArgumentException for any other database
     */
    static Dialect ofUrl(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        int end = jdbcUrl.indexOf(':', "jdbc:".length());
        String scheme = end < 0 ? jdbcUrl : jdbcUrl.substring(0, end + 1);
        throw new IllegalArgumentException("unsupported ledger database '" + scheme
                + "': use a SQLite path, jdbc:sqlite:<path> or jdbc:postgresql://host:port/database");
    }

    /** Replaces the migration placeholders {@code ${money}} and {@code ${id}}. */
    String render(String sql) {
        return sql.replace("${money}", moneyType).replace("${id}", idColumn);
    }

    /** An amount at the ledger's scale, rounded up. */
    static BigDecimal toLedgerScale(Money amount) {
        return amount.toBigDecimal().setScale(MONEY_SCALE, RoundingMode.CEILING);
    }

    /**
     * Encodes an amount for {@link #bindMoney}; done on the caller's thread so a bad amount fails at append.
     *
     * @throws IllegalArgumentException if the amount does not fit the column
     */
    abstract Object encodeMoney(Money amount);

    abstract void bindMoney(PreparedStatement statement, int index, Object encoded) throws SQLException;

    /** Reads a money column or a {@code SUM} of one; SQL {@code NULL} (an empty sum) reads as zero. */
    abstract Money readMoney(ResultSet rows, int column) throws SQLException;

    /**
     * Serialises concurrent migration runs and {@link JdbcConnections#changeSchema} calls, across processes; called
     * first in their transaction.
     */
    abstract void lockForMigration(Statement statement) throws SQLException;

    @Override
    public String toString() {
        return label;
    }
}
