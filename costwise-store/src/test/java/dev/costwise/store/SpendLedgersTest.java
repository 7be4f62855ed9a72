package dev.costwise.store;

import static dev.costwise.store.Records.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
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
}
