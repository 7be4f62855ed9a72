package dev.costwise.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Opens {@link JdbcSpendLedger}s from a SQLite path or a JDBC URL.
 *
 * <pre>{@code
 * try (JdbcSpendLedger ledger = SpendLedgers.open("./costwise-data/ledger.db", LedgerOptions.ofDefaults())) {
 *     ledger.append(record);
 * }
 * SpendLedgers.open("jdbc:postgresql://127.0.0.1:5432/postgres",
 *         LedgerOptions.builder().user("postgres").build());
 * }</pre>
 */
public final class SpendLedgers {

    /** Where the embedded ledger lives when nothing is configured. */
    public static final String DEFAULT_PATH = "./costwise-data/ledger.db";

    private SpendLedgers() {
    }

    /**
     * Opens the embedded SQLite ledger at {@link #DEFAULT_PATH}, creating it and its folder if needed.
     *
     * @param options writing, retry and retention options
     * @return the open ledger; close it on shutdown
     * @throws SpendLedgerException if the database cannot be created, reached or migrated
     */
    public static JdbcSpendLedger openDefault(LedgerOptions options) {
        return open(DEFAULT_PATH, options);
    }

    /**
     * Opens a ledger, creating or upgrading its schema.
     *
     * @param jdbcUrlOrPath a SQLite file path (its parent folders are created), a {@code jdbc:sqlite:<path>} URL, or
     *     a {@code jdbc:postgresql://host:port/database} URL (optionally with {@code ?currentSchema=...})
     * @param options writing, retry and retention options
     * @return the open ledger; close it on shutdown
     * @throws IllegalArgumentException if the location is blank, an in-memory SQLite database, or another kind of
     *     JDBC URL
     * @throws SpendLedgerException if the database cannot be created, reached or migrated
     */
    public static JdbcSpendLedger open(String jdbcUrlOrPath, LedgerOptions options) {
        Objects.requireNonNull(jdbcUrlOrPath, "jdbcUrlOrPath");
        Objects.requireNonNull(options, "options");
        String location = jdbcUrlOrPath.strip();
        if (location.isEmpty()) {
            throw new IllegalArgumentException("ledger location is blank: give a SQLite path or a JDBC URL");
        }
        if (!location.startsWith("jdbc:")) {
            return JdbcSpendLedger.open("jdbc:sqlite:" + prepareSqliteFile(location), options);
        }
        if (Dialect.ofUrl(location) == Dialect.SQLITE) {
            String file = location.substring("jdbc:sqlite:".length());
            int query = file.indexOf('?');
            prepareSqliteFile(query < 0 ? file : file.substring(0, query));
        }
        return JdbcSpendLedger.open(location, options);
    }

    private static Path prepareSqliteFile(String file) {
        if (file.isBlank() || file.contains(":memory:") || file.startsWith("file::memory")) {
            throw new IllegalArgumentException("in-memory SQLite cannot hold the ledger ('" + file
                    + "'): the ledger opens several connections; give a file path");
        }
        Path path = Path.of(file.startsWith("file:") ? file.substring("file:".length()) : file).toAbsolutePath();
        try {
            Path parent = path.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new SpendLedgerException("cannot create the folder of the ledger file " + path + ": "
                    + e.getMessage(), e);
        }
        return path;
    }
}
