package dev.costwise.gateway.config;

import dev.costwise.store.SpendLedgers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Whether the SQLite file a config's {@code ledger.url} names could be opened, checked without creating or changing
 * anything, so {@code costwise config check} finds what would stop {@code serve} at start: a folder where the file
 * belongs, a file that is not a SQLite database, or a folder that cannot be created or written. A PostgreSQL ledger
 * is not checked (it would take a connection). Stateless.
 */
public final class LedgerFileCheck {
    /** The first bytes of every SQLite database file. */
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private LedgerFileCheck() {}

    /**
     * @param ledgerUrl the config's ledger URL (a {@code jdbc:sqlite:} or {@code jdbc:postgresql:} URL)
     * @return why a SQLite ledger there could not be opened, as a problem with its path ({@code ledger.url: …});
     *     empty when it could, or when it is not a SQLite file
     */
    public static Optional<String> problem(String ledgerUrl) {
        Optional<Path> file;
        try {
            file = SpendLedgers.sqliteFile(ledgerUrl);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not a ledger URL: the config's own check says so
        }
        return file.flatMap(LedgerFileCheck::problemOf).map(why -> "ledger.url: " + why);
    }

    private static Optional<String> problemOf(Path file) {
        if (Files.isDirectory(file)) {
            return Optional.of(file + " is a folder; name the database file in it, such as "
                    + file.resolve("ledger.db"));
        }
        if (Files.exists(file)) {
            if (!Files.isReadable(file) || !Files.isWritable(file)) {
                return Optional.of("cannot read and write " + file + " (check its permissions)");
            }
            return isSqliteOrEmpty(file) ? Optional.empty()
                    : Optional.of(file + " is not a SQLite database; name a new file, or the gateway's ledger");
        }
        Path folder = file.toAbsolutePath().getParent();
        while (folder != null && !Files.exists(folder)) {
            folder = folder.getParent(); // the folders the gateway would create, up to one that exists
        }
        if (folder == null) {
            return Optional.empty();
        }
        if (!Files.isDirectory(folder)) {
            return Optional.of("cannot create " + file + ": " + folder + " is a file, not a folder");
        }
        return Files.isWritable(folder) ? Optional.empty()
                : Optional.of("cannot create " + file + ": no permission to write in " + folder);
    }

    /** @return whether the file starts as a SQLite database does (an empty file becomes one) */
    private static boolean isSqliteOrEmpty(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] start = in.readNBytes(SQLITE_HEADER.length);
            return start.length == 0 || Arrays.equals(start, SQLITE_HEADER);
        } catch (IOException e) {
            return true; // unreadable here for another reason: opening it will say why
        }
    }
}
