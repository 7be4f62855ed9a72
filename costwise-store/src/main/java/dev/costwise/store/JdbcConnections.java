package dev.costwise.store;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Opens JDBC connections for everything Costwise keeps in a database (the spend ledger, the virtual keys). SQLite
 * connections are opened and closed one at a time in the whole process: SQLite 3.51's unix VFS can deadlock for good
 * when one connection to a file opens while another closes (it takes its global lock and the file's lock in opposite
 * orders; reported as rusqlite#1860). The gateway hung that way in a test, a ledger retention pass closing its
 * connection while the key store opened one. Other databases are opened as they are.
 */
public final class JdbcConnections {
    private static final Object SQLITE_OPEN_CLOSE = new Object();

    private JdbcConnections() {}

    /**
     * @param url the JDBC URL
     * @param properties driver properties (user, password, pragmas)
     * @return the connection; for SQLite, one whose {@link Connection#close()} also waits its turn
     * @throws SQLException if the driver cannot connect
     */
    public static Connection open(String url, Properties properties) throws SQLException {
        if (!url.startsWith("jdbc:sqlite:")) {
            try {
                return DriverManager.getConnection(url, properties);
            } catch (SQLException e) {
                throw withoutUrl(e, url);
            }
        }
        Connection opened;
        synchronized (SQLITE_OPEN_CLOSE) {
            opened = DriverManager.getConnection(url, properties);
        }
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        synchronized (SQLITE_OPEN_CLOSE) {
                            opened.close();
                        }
                        return null;
                    }
                    try {
                        return method.invoke(opened, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * DriverManager answers a URL no driver reads ({@code jdbc:postgresql://user:pa/ss@host}, a port that is no
     * number) with "No suitable driver found for" and the URL whole, password included.
     */
    private static SQLException withoutUrl(SQLException e, String url) {
        String message = String.valueOf(e.getMessage());
        if (!message.contains(url)) {
            return e;
        }
        return new SQLException(message.replace(url, redacted(url)) + " (the driver cannot read this URL: are the "
                + "characters of its user and password percent-encoded?)", e.getSQLState(), e.getErrorCode());
    }

    /** Like {@link #open(String, Properties)} with no properties. */
    public static Connection open(String url) throws SQLException {
        return open(url, new Properties());
    }

    /**
     * Creates or upgrades a table kept beside the ledger (the virtual keys, the stored responses) so that replicas
     * starting together on one database do it once: in one transaction that first takes the lock the ledger's
     * migrations take. PostgreSQL's {@code CREATE TABLE IF NOT EXISTS} alone is not safe: two at once both find no
     * table, and the second fails on a duplicate key in {@code pg_type}. On SQLite the transaction begins
     * {@code IMMEDIATE}, holding the file's write lock.
     *
     * @param url a {@code jdbc:sqlite:} or {@code jdbc:postgresql:} URL
     * @param properties driver properties (user, password, pragmas)
     * @param change the DDL, run on the connection of the transaction
     * @throws SQLException if the driver cannot connect or the change fails (nothing of it is kept then)
     * @throws IllegalArgumentException for any other database
     */
    public static void changeSchema(String url, Properties properties, SchemaChange change) throws SQLException {
        Dialect dialect = Dialect.ofUrl(url);
        Properties locking = new Properties();
        locking.putAll(properties);
        if (dialect == Dialect.SQLITE) {
            locking.setProperty("transaction_mode", "IMMEDIATE");
        }
        try (Connection connection = open(url, locking)) {
            SqlWork.inTransaction(connection, c -> {
                try (Statement statement = c.createStatement()) {
                    dialect.lockForMigration(statement);
                }
                change.apply(c);
                return null;
            });
        }
    }

    /** DDL run by {@link #changeSchema}. */
    @FunctionalInterface
    public interface SchemaChange {
        /**
         * @param connection in the locked transaction; do not commit it
         * @throws SQLException to roll the change back
         */
        void apply(Connection connection) throws SQLException;
    }

    /**
     * Creates the folder of a SQLite database file, so that the driver can create the file; anything else (another
     * database, an in-memory SQLite) is left alone.
     *
     * @param url a JDBC URL
     * @throws IllegalStateException if the folder cannot be created
     */
    public static void createSqliteFolder(String url) {
        if (!url.startsWith("jdbc:sqlite:") || url.contains(":memory:")) {
            return;
        }
        String file = url.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        Path parent = Path.of(q < 0 ? file : file.substring(0, q)).toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the ledger folder " + parent + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param url a JDBC URL
     * @return the URL without user info ({@code user:password@} before the host, which {@link SpendLedgers#jdbcUrl}
     *     moves into parameters) and with any {@code password=} parameter masked, fit for messages and logs
     */
    public static String redacted(String url) {
        // up to the last '@' before the query: a password may hold '@' or '/' unescaped
        String withoutUserInfo = url.startsWith("jdbc:sqlite:") ? url : url.replaceFirst("(?<=//)[^?]*@", "");
        return withoutUserInfo.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
