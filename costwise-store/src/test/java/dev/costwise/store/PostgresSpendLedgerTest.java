package dev.costwise.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ledger contract on the PostgreSQL server at 127.0.0.1:5432 (user postgres), each test in a fresh schema that
 * is dropped afterwards. Skipped when the server is unreachable, except under {@code CI=true}, where that fails.
 */
class PostgresSpendLedgerTest extends SpendLedgerContract {

    /** The server; {@code -Dcostwise.test.postgres=<jdbc url>} points the tests elsewhere. */
    static final String SERVER = System.getProperty("costwise.test.postgres",
            "jdbc:postgresql://127.0.0.1:5432/postgres");
    static final String USER = "postgres";

    private String schema;

    @BeforeAll
    static void requireServer() {
        DriverManager.setLoginTimeout(5);
        try (Connection ignored = DriverManager.getConnection(SERVER, USER, "")) {
            // reachable
        } catch (SQLException e) {
            String why = "PostgreSQL at " + SERVER + " is unreachable: " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: PostgreSQL tests must run)");
            }
            Assumptions.abort(why);
        }
    }

    @BeforeEach
    void createSchema() throws SQLException {
        schema = "costwise_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (Connection admin = DriverManager.getConnection(SERVER, USER, "");
                Statement statement = admin.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        }
    }

    @AfterEach
    void dropSchema() throws SQLException {
        closeLedgers();
        try (Connection admin = DriverManager.getConnection(SERVER, USER, "");
                Statement statement = admin.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Override
    String url() {
        return SERVER + "?currentSchema=" + schema;
    }

    @Override
    LedgerOptions.Builder options() {
        return LedgerOptions.builder().user(USER);
    }

    @Override
    Connection rawConnection() throws SQLException {
        return DriverManager.getConnection(url(), USER, "");
    }

    @Override
    String series(int n) {
        return "generate_series(1, " + n + ") AS s(i)";
    }

    @Test
    void givenOpenedLedger_whenInspectingColumns_thenMoneyIsNumeric30Scale12InTheTestSchema() throws SQLException {
        open().close();

        try (Connection connection = rawConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT table_name, data_type, numeric_precision,"
                        + " numeric_scale FROM information_schema.columns WHERE table_schema = '" + schema
                        + "' AND column_name = 'cost' ORDER BY table_name")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1) + " " + rows.getString(2) + "(" + rows.getInt(3) + "," + rows.getInt(4)
                    + ")").isEqualTo("ledger numeric(30,12)");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1) + " " + rows.getString(2)).isEqualTo("spend_daily numeric");
        }
    }
}
