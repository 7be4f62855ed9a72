package dev.costwise.store;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
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
            return DriverManager.getConnection(url, properties);
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

    /** Like {@link #open(String, Properties)} with no properties. */
    public static Connection open(String url) throws SQLException {
        return open(url, new Properties());
    }
}
