package dev.costwise.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A unit of JDBC work run in one transaction by {@link #inTransaction}.
 *
 * @param <T> what it returns
 */
@FunctionalInterface
interface SqlWork<T> {

    T run(Connection connection) throws SQLException;

    /**
     * Runs {@code work} in a transaction and returns the connection to auto-commit. The connection is left in
     * auto-commit between transactions because sqlite-jdbc begins the next transaction (taking the write lock, in
     * immediate mode) as soon as one commits while auto-commit is off.
     */
    static <T> T inTransaction(Connection connection, SqlWork<T> work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // The connection is broken; the caller discards it when it next fails.
            }
        }
    }
}
