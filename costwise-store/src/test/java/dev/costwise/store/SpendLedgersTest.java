package dev.costwise.store;

import static dev.costwise.store.Records.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpendLedgersTest {

    @TempDir
    Path dir;

    @Test
    void givenPathInMissingFolders_whenOpened_thenCreatesTheFoldersAndAWorkingLedger() {
        Path file = dir.resolve("a/b/ledger.db");

        try (JdbcSpendLedger ledger = SpendLedgers.open(file.toString(), LedgerOptions.ofDefaults())) {
            ledger.append(record("p1").cost("0.5").build());
            ledger.flush();
            assertThat(ledger.totalCost(Map.of(), Instant.EPOCH, Instant.MAX)).isEqualTo(Money.of("0.5"));
        }
        assertThat(file).exists();
    }

    @Test
    void givenSqliteJdbcUrlInMissingFolders_whenOpened_thenCreatesTheFolders() {
        Path file = dir.resolve("c/ledger.db");

        try (JdbcSpendLedger ledger = SpendLedgers.open("jdbc:sqlite:" + file, LedgerOptions.ofDefaults())) {
            assertThat(ledger.toString()).isEqualTo("JdbcSpendLedger[jdbc:sqlite:" + file + "]");
        }
        assertThat(file).exists();
    }

    @Test
    void givenNoFileThere_whenOpenedAsExisting_thenRefusedNamingThePathAndNothingIsCreated() {
        Path missing = dir.resolve("d/ledger.db");

        for (String location : new String[] {missing.toString(), "jdbc:sqlite:" + missing + "?journal_mode=WAL"}) {
            assertThatThrownBy(() -> SpendLedgers.openExisting(location, LedgerOptions.ofDefaults()))
                    .isInstanceOf(SpendLedgerException.class)
                    .hasMessage("no ledger at " + missing + " (a gateway creates it when it starts)");
        }
        assertThat(dir.resolve("d")).doesNotExist();
    }

    @Test
    void givenAnEmptyFileOrAnotherSqliteDatabase_whenOpenedAsExisting_thenRefusedAndLeftAsTheyWere() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.db"));
        Path other = dir.resolve("other.db");
        try (Connection c = JdbcConnections.open("jdbc:sqlite:" + other); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (text TEXT)");
        }
        byte[] otherBefore = Files.readAllBytes(other);

        for (Path file : List.of(empty, other)) {
            assertThatThrownBy(() -> SpendLedgers.openExisting(file.toString(), LedgerOptions.ofDefaults()))
                    .isInstanceOf(SpendLedgerException.class)
                    .hasMessage("no ledger in jdbc:sqlite:" + file + " (a gateway creates it when it starts)");
        }
        assertThat(empty).isEmptyFile();
        assertThat(Files.readAllBytes(other)).isEqualTo(otherBefore);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no journal or WAL file either").containsExactlyInAnyOrder(empty, other);
        }
    }

    @Test
    void givenALedgerWritten_whenOpenedAsExisting_thenItsRecordsAreRead() {
        Path file = dir.resolve("e.db");
        try (JdbcSpendLedger ledger = SpendLedgers.open(file.toString(), LedgerOptions.ofDefaults())) {
            ledger.append(record("e1").cost("0.25").build());
        }

        try (JdbcSpendLedger ledger = SpendLedgers.openExisting("jdbc:sqlite:" + file, LedgerOptions.ofDefaults())) {
            assertThat(ledger.totalCost(Map.of(), Instant.EPOCH, Instant.MAX)).isEqualTo(Money.of("0.25"));
        }
    }

    @Test
    void givenDefaultPath_thenItIsTheDocumentedDataFolder() {
        assertThat(SpendLedgers.DEFAULT_PATH).isEqualTo("./costwise-data/ledger.db");
    }

    @Test
    void givenInMemorySqlite_whenOpened_thenRefusedBecauseEachConnectionWouldSeeAnotherDatabase() {
        assertThatThrownBy(() -> SpendLedgers.open("jdbc:sqlite::memory:", LedgerOptions.ofDefaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in-memory SQLite cannot hold the ledger (':memory:')");
    }

    @Test
    void givenOtherDatabaseUrl_whenOpened_thenRefusedNamingTheSchemeOnly() {
        assertThatThrownBy(() -> SpendLedgers.open("jdbc:mysql://db:3306/x?password=hunter2",
                LedgerOptions.ofDefaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported ledger database 'jdbc:mysql:'")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> SpendLedgers.open("  ", LedgerOptions.ofDefaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
    }

    @Test
    void givenUnreachablePostgres_whenOpened_thenFailsWithoutShowingThePassword() {
        LedgerOptions options = LedgerOptions.builder().user("postgres").password("s3cret").build();

        // Port 1 on localhost refuses connections at once.
        assertThatThrownBy(() -> SpendLedgers.open("jdbc:postgresql://127.0.0.1:1/x?password=hunter2", options))
                .isInstanceOf(SpendLedgerException.class)
                .hasMessageContaining("cannot open the spend ledger (jdbc:postgresql://127.0.0.1:1/x)")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void givenLibpqStyleUrls_whenMadeJdbc_thenTheDriverReadsTheirUserAndPasswordAsParameters() {
        assertThat(SpendLedgers.jdbcUrl("jdbc:postgresql://postgres:TOPSECRETPW@127.0.0.1:5432/x"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/x?user=postgres&password=TOPSECRETPW");
        assertThat(SpendLedgers.jdbcUrl(" postgres://ann@db/x?currentSchema=s "))
                .isEqualTo("jdbc:postgresql://db/x?currentSchema=s&user=ann");
        assertThat(SpendLedgers.jdbcUrl("jdbc:postgresql://db:5432/x?user=ann&password=pw")).as("unchanged")
                .isEqualTo("jdbc:postgresql://db:5432/x?user=ann&password=pw");

        // percent-encoded as libpq reads it ('+' is itself), and an '@' left unescaped in the password
        for (String url : new String[] {"postgresql://an%20n:p%40ss+w%2Frd%26x@db:5433/led?sslmode=require",
            "postgresql://an%20n:p@ss+w%2Frd%26x@db:5433/led?sslmode=require"}) {
            Properties read = org.postgresql.Driver.parseURL(SpendLedgers.jdbcUrl(url), new Properties());
            assertThat(read).as(url).containsEntry("user", "an n").containsEntry("password", "p@ss+w/rd&x")
                    .containsEntry("PGHOST", "db").containsEntry("PGPORT", "5433").containsEntry("PGDBNAME", "led")
                    .containsEntry("sslmode", "require");
        }
    }

    @Test
    void givenAUserGivenTwiceOrAnotherScheme_whenMadeJdbc_thenRefusedWithoutShowingTheUrl() {
        assertThatThrownBy(() -> SpendLedgers.jdbcUrl("postgresql://ann:hunter2@db/x?user=bob"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the PostgreSQL ledger URL gives its user twice, before '@' and as ?user=: keep one");
        assertThatThrownBy(() -> SpendLedgers.open("mysql://ann:hunter2@db/x", LedgerOptions.ofDefaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported ledger location 'mysql://…': use a SQLite path, jdbc:sqlite:<path> or "
                        + "jdbc:postgresql://[user:password@]host:port/database");
        assertThat(dir.resolve("mysql:")).doesNotExist();
    }

    @Test
    void givenUnreachablePostgresWithUserInfo_whenOpened_thenTheMessageShowsNeitherUserNorPassword() {
        // Port 1 on localhost refuses connections at once.
        for (String url : new String[] {"jdbc:postgresql://postgres:TOPSECRETPW@127.0.0.1:1/x",
            "postgresql://postgres:TOPSECRETPW@127.0.0.1:1/x", "jdbc:postgresql://pg:TOP/SECRETPW@127.0.0.1:1/x"}) {
            assertThatThrownBy(() -> SpendLedgers.open(url, LedgerOptions.ofDefaults()))
                    .isInstanceOf(SpendLedgerException.class)
                    .hasMessageStartingWith("cannot open the spend ledger (jdbc:postgresql://127.0.0.1:1/x): ")
                    .hasMessageNotContaining("SECRETPW");
        }
        assertThat(JdbcConnections.redacted("jdbc:postgresql://pg:TOP/SE@CRET@db/x?ssl=true&password=pw"))
                .isEqualTo("jdbc:postgresql://db/x?ssl=true&password=***");
    }
}
