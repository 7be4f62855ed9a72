package dev.costwise.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens connections to the ledger's database with the dialect's settings: on SQLite WAL journal,
 * {@code synchronous=NORMAL}, the busy timeout and immediate transactions; on PostgreSQL rewritten batch inserts.
 * Holds the password; its {@link #toString()} shows neither it nor the URL's query.
 */
final class ConnectionFactory {

    private final String url;
    private final Dialect dialect;
    private final Properties properties;
    /** The user and password alone, and the driver's read-only mode. */
    private final Properties readOnly;

    ConnectionFactory(String url, Dialect dialect, LedgerOptions options) {
        this.url = url;
        this.dialect = dialect;
        this.properties = new Properties();
        options.user().ifPresent(u -> properties.setProperty("user", u));
        options.password().ifPresent(p -> properties.setProperty("password", p));
        this.readOnly = new Properties();
        readOnly.putAll(properties);
        switch (dialect) {
            case SQLITE -> readOnly.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY: neither creates nor writes
            case POSTGRESQL -> readOnly.setProperty("readOnly", "true");
        }
        switch (dialect) {
            case SQLITE -> {
                properties.setProperty("journal_mode", "WAL");
                properties.setProperty("synchronous", "NORMAL");
                properties.setProperty("busy_timeout", Long.toString(options.busyTimeout().toMillis()));
                // BEGIN IMMEDIATE: a write transaction takes the write lock up front (waiting busy_timeout for it)
                // instead of failing when it upgrades from a read lock.
                properties.setProperty("transaction_mode", "IMMEDIATE");
            }
            case POSTGRESQL -> {
                if (!url.contains("reWriteBatchedInserts")) {
                    properties.setProperty("reWriteBatchedInserts", "true");
                }
                properties.setProperty("ApplicationName", "costwise-ledger");
            }
        }
    }

    Connection open() throws SQLException {
        return JdbcConnections.open(url, properties);
    }

    /** @return a connection that cannot write, without the settings (SQLite's WAL journal) that would */
    Connection openReadOnly() throws SQLException {
        return JdbcConnections.open(url, readOnly);
    }

    Dialect dialect() {
        return dialect;
    }

    /** @return the URL without its query (which may carry a password) nor user info, as messages show it */
    String describe() {
        int query = url.indexOf('?');
        return JdbcConnections.redacted(query < 0 ? url : url.substring(0, query));
    }

    @Override
    public String toString() {
        return describe();
    }
}
