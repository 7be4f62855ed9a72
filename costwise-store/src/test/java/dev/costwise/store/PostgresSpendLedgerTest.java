package dev.costwise.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
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

    @Test
    void givenASchemaWithoutALedger_whenOpenedAsExisting_thenRefusedAndNoTableIsCreated() throws SQLException {
        assertThatThrownBy(() -> SpendLedgers.openExisting(url(), options().build()))
                .isInstanceOf(SpendLedgerException.class)
                .hasMessage("no ledger in " + SERVER + " (a gateway creates it when it starts)");

        try (Connection connection = rawConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM information_schema.tables"
                        + " WHERE table_schema = '" + schema + "'")) {
            rows.next();
            assertThat(rows.getInt(1)).isZero();
        }
        open().close();
        SpendLedgers.openExisting(url(), options().build()).close();
    }

    @Test
    void givenAUrlWrittenAsLibpqTakesIt_whenOpened_thenTheLedgerIsThereAndNoMessageShowsThePassword() {
        // the server trusts local connections, so any password is taken: what is checked is that the URL is read
        String libpq = SERVER.replace("jdbc:postgresql://", "postgresql://" + USER + ":pw%40TOPSECRET@")
                + "?currentSchema=" + schema;

        try (JdbcSpendLedger ledger = SpendLedgers.open(libpq, LedgerOptions.ofDefaults())) {
            ledger.append(Records.record("libpq").cost("0.5").build());
            ledger.flush();
            assertThat(ledger.totalCost(java.util.Map.of(), Instant.EPOCH, Instant.MAX))
                    .isEqualTo(dev.costwise.core.Money.of("0.5"));
            assertThat(ledger.toString()).doesNotContain("TOPSECRET").doesNotContain(USER + ":");
        }
    }

    /**
     * Replicas starting together on a fresh database. To make them create {@code schema_version} at the same
     * moment, another transaction holds an uncommitted one, so every replica's startup waits on it, and it rolls
     * back only when all of them wait (unlocked, they all find no table and all but one fail on pg_type's key).
     */
    @Test
    void givenReplicasMigratingAFreshSchemaAtOnce_whenTheyStart_thenAllSucceedAndEachMigrationRunsOnce()
            throws Exception {
        int replicas = 4;
        List<Connection> connections = new ArrayList<>();
        List<Integer> pids = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try (Connection blocker = rawConnection(); Statement holding = blocker.createStatement()) {
            for (int i = 0; i < replicas; i++) {
                Connection connection = rawConnection();
                connections.add(connection);
                pids.add(backendPid(connection));
            }
            blocker.setAutoCommit(false);
            holding.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)");
            List<Future<Integer>> runs = new ArrayList<>();
            for (Connection connection : connections) {
                runs.add(pool.submit(() -> new Migrations(Dialect.POSTGRESQL).migrate(connection)));
            }
            awaitWaitingOnLocks(blocker, pids);
            blocker.rollback();

            int applied = 0;
            for (Future<Integer> run : runs) {
                applied += run.get();
            }
            assertThat(applied).isEqualTo(new Migrations(Dialect.POSTGRESQL).latestVersion());
        } finally {
            pool.shutdownNow();
            for (Connection connection : connections) {
                connection.close();
            }
        }
        try (Connection connection = rawConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*), COUNT(DISTINCT version) FROM "
                        + schema + ".schema_version")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(rows.getInt(2)).isEqualTo(Migrations.FILES.size());
        }
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** Polls the server until every backend of {@code pids} waits for a lock. */
    private static void awaitWaitingOnLocks(Connection observer, List<Integer> pids) throws SQLException {
        String inList = pids.toString().replace('[', '(').replace(']', ')');
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            try (Statement statement = observer.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT COUNT(DISTINCT pid) FROM pg_locks"
                            + " WHERE NOT granted AND pid IN " + inList)) {
                rows.next();
                if (rows.getInt(1) == pids.size()) {
                    return;
                }
            }
            if (Instant.now().isAfter(deadline)) {
                fail("the replicas did not all wait for a lock within 20 s");
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
