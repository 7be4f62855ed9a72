package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.http.JdbcResponseDocuments;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stored responses in the ledger's database, on SQLite and PostgreSQL ({@link TestDatabases}): what one replica (or the
 * process before a restart) stored, another reads until it expires; expired rows are deleted, hourly.
 */
class JdbcResponseDocumentsTest {
    private static final Duration TTL = Duration.ofDays(30);

    @TempDir
    Path dir;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-28T10:00:00Z"));
    private final TestDatabases databases = new TestDatabases();

    @AfterEach
    void drop() throws SQLException {
        databases.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void givenADocumentStoredByOneReplica_whenReadByAnother_thenItIsThereUntilItExpires(String db) {
        String url = databases.url(db, dir, "responses");
        JdbcResponseDocuments a = new JdbcResponseDocuments(url, clock);
        JdbcResponseDocuments b = new JdbcResponseDocuments(url, clock);

        a.put("resp_1", "{\"turn\": 1}", TTL);
        a.put("resp_1", "{\"turn\": 2}", TTL);

        assertThat(b.get("resp_1")).as("the later write replaces the earlier").hasValue("{\"turn\": 2}");
        clock.advance(TTL.minusSeconds(1));
        assertThat(b.get("resp_1")).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(b.get("resp_1")).as("expired").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void givenADeletedDocument_whenRead_thenItIsGone(String db) {
        JdbcResponseDocuments store = new JdbcResponseDocuments(databases.url(db, dir, "responses"), clock);
        store.put("resp_1", "{}", TTL);
        store.put("resp_2", "{}", TTL);

        store.delete("resp_1");

        assertThat(store.get("resp_1")).isEmpty();
        assertThat(store.get("resp_2")).isPresent();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void givenExpiredRows_whenAWriteComesAfterTheReapInterval_thenTheyAreDeleted(String db) throws SQLException {
        String url = databases.url(db, dir, "responses");
        JdbcResponseDocuments store = new JdbcResponseDocuments(url, clock);
        store.put("short", "{}", Duration.ofMinutes(5)); // the first write reaps (nothing yet) and sets the next reap
        store.put("long", "{}", TTL);
        clock.advance(Duration.ofMinutes(10));
        store.put("other", "{}", TTL);
        assertThat(rows(url)).as("the next reap is an hour after the first").isEqualTo(3);

        clock.advance(Duration.ofHours(1));
        store.put("another", "{}", TTL);

        assertThat(rows(url)).isEqualTo(3);
        assertThat(store.get("short")).isEmpty();
        assertThat(store.get("long")).isPresent();
    }

    private static long rows(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM costwise_stored_responses")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
