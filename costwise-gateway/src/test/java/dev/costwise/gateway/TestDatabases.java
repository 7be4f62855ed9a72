package dev.costwise.gateway;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases a gateway's tables are tested on: a SQLite file in a test's folder, or a fresh schema on the
 * PostgreSQL server at 127.0.0.1:5432 (user postgres), skipped when it is unreachable except under {@code CI=true},
 * where that fails. Not thread-safe: one per test.
 */
public final class TestDatabases implements AutoCloseable {
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
    private String schema;

    /**
     * @param kind {@code sqlite} or {@code postgresql}
     * @param dir the test's folder, for the SQLite file
     * @param name the SQLite file's name, or part of the schema's
     * @return a JDBC URL to an empty database
     */
    public String url(String kind, Path dir, String name) {
        if (kind.equals("sqlite")) {
            return "jdbc:sqlite:" + dir.resolve(name + ".db");
        }
        schema = "costwise_" + name + "_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (Connection c = DriverManager.getConnection(POSTGRES); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String why = "PostgreSQL at " + POSTGRES + " is unreachable: " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: PostgreSQL tests must run)");
            }
            Assumptions.abort(why);
        }
        return POSTGRES + "&currentSchema=" + schema;
    }

    /** Drops the PostgreSQL schema, if one was made. */
    @Override
    public void close() throws SQLException {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(POSTGRES); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
            schema = null;
        }
    }
}
