package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.costwise.gateway.http.JdbcResponseDocuments;
import dev.costwise.gateway.keys.JdbcVirtualKeyStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replicas starting together on one fresh database all start, and create the gateway's own tables (virtual keys,
 * stored responses) once. On PostgreSQL another transaction holds an uncommitted table of the same name until every
 * replica waits on it, so that they all create theirs at the same moment; on SQLite they start from one latch.
 */
class ReplicaTableCreationTest {
    private static final int REPLICAS = 3;

    @TempDir
    Path dir;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-28T10:00:00Z"));
    private final TestDatabases databases = new TestDatabases();
    private final ExecutorService pool = Executors.newFixedThreadPool(REPLICAS);

    @AfterEach
    void drop() throws SQLException {
        pool.shutdownNow();
        databases.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"costwise_virtual_keys", "costwise_stored_responses"})
    void givenReplicasStartingTogetherOnAFreshPostgreSql_whenTheyCreateTheTable_thenAllStart(String table)
            throws Exception {
        String application = "costwise_race_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String url = databases.url("postgresql", dir, "race") + "&ApplicationName=" + application;
        try (Connection blocker = DriverManager.getConnection(url); Statement holding = blocker.createStatement();
                Connection observer = DriverManager.getConnection(url)) {
            blocker.setAutoCommit(false);
            holding.execute("CREATE TABLE " + table + " (id INTEGER)");
            List<Future<?>> replicas = start(table, url, new CountDownLatch(0));
            awaitWaitingOnLocks(observer, application);
            blocker.rollback();

            for (Future<?> replica : replicas) {
                replica.get();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"costwise_virtual_keys", "costwise_stored_responses"})
    void givenReplicasStartingTogetherOnOneSqliteFile_whenTheyCreateTheTable_thenAllStart(String table)
            throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> replicas = start(table, databases.url("sqlite", dir, "race"), go);
        go.countDown();

        for (Future<?> replica : replicas) {
            replica.get();
        }
    }

    /** Opens the table as {@link #REPLICAS} replicas at once, each when {@code go} opens. */
    private List<Future<?>> start(String table, String url, CountDownLatch go) {
        List<Future<?>> replicas = new ArrayList<>();
        for (int i = 0; i < REPLICAS; i++) {
            replicas.add(pool.submit(() -> {
                go.await();
                if (table.equals("costwise_virtual_keys")) {
                    new JdbcVirtualKeyStore(url, clock).close();
                } else {
                    assertThat(new JdbcResponseDocuments(url, clock).get("none")).isEmpty();
                }
                return null;
            }));
        }
        return replicas;
    }

    /**
     * Polls the server until {@link #REPLICAS} connections of {@code application} wait for a lock. The observer
     * must be in auto-commit: a transaction sees one snapshot of {@code pg_stat_activity}.
     */
    private static void awaitWaitingOnLocks(Connection observer, String application) throws SQLException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        try (PreparedStatement waiting = observer.prepareStatement("SELECT COUNT(DISTINCT l.pid) FROM pg_locks l"
                + " JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.application_name = ?")) {
            waiting.setString(1, application);
            while (true) {
                try (ResultSet rows = waiting.executeQuery()) {
                    rows.next();
                    if (rows.getInt(1) == REPLICAS) {
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
}
