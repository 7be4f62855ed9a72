package dev.costwise.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

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
     *     a {@code jdbc:postgresql://host:port/database} URL (optionally with {@code ?currentSchema=...}), the user
     *     and password as parameters or, as libpq writes them, before the host ({@code user:password@host}, with or
     *     without {@code jdbc:})
     * @param options writing, retry and retention options
     * @return the open ledger; close it on shutdown
     * @throws IllegalArgumentException if the location is blank, an in-memory SQLite database, another kind of
     *     URL, or gives the user or password twice
     * @throws SpendLedgerException if the database cannot be created, reached or migrated
     */
    public static JdbcSpendLedger open(String jdbcUrlOrPath, LedgerOptions options) {
        Objects.requireNonNull(jdbcUrlOrPath, "jdbcUrlOrPath");
        Objects.requireNonNull(options, "options");
        return JdbcSpendLedger.open(jdbcLocation(jdbcUrlOrPath), options);
    }

    /** @return the JDBC URL of a location, the folders of its SQLite file created */
    private static String jdbcLocation(String jdbcUrlOrPath) {
        String location = jdbcUrl(jdbcUrlOrPath);
        if (location.isEmpty()) {
            throw new IllegalArgumentException("ledger location is blank: give a SQLite path or a JDBC URL");
        }
        if (!location.startsWith("jdbc:")) {
            return "jdbc:sqlite:" + prepareSqliteFile(location);
        }
        if (Dialect.ofUrl(location) == Dialect.SQLITE) {
            prepareSqliteFile(sqliteFileOf(location));
        }
        return location;
    }

    /**
     * The location as the ledger's JDBC driver takes it: a PostgreSQL URL written as libpq takes it
     * ({@code postgresql://user:password@host/db}, with or without {@code jdbc:}) becomes
     * {@code jdbc:postgresql://host/db?user=user&password=password}, which the driver reads and messages never show
     * (the driver takes no {@code user:password@}); anything else is only stripped.
     *
     * @param jdbcUrlOrPath as for {@link #open}
     * @return the location for the driver
     * @throws IllegalArgumentException for a URL of a scheme no ledger has, or one giving the user or password twice;
     *     the message does not hold the URL
     */
    public static String jdbcUrl(String jdbcUrlOrPath) {
        return PostgresUrls.jdbcUrl(jdbcUrlOrPath.strip());
    }

    /**
     * Opens a ledger that must already exist, as a report reads it: a SQLite file that is not there, or a database
     * (SQLite or PostgreSQL) without the ledger's tables, is an error and is left as it is, where {@link #open} would
     * create an empty ledger and a report of it would say nothing was spent. (A ledger of an older Costwise is
     * upgraded, as {@link #open} does.)
     *
     * @param jdbcUrlOrPath as for {@link #open}
     * @param options writing, retry and retention options
     * @return the open ledger; close it when done
     * @throws SpendLedgerException if the SQLite file does not exist, the database holds no ledger, or as
     *     {@link #open} does
     * @throws IllegalArgumentException as {@link #open} does
     */
    public static JdbcSpendLedger openExisting(String jdbcUrlOrPath, LedgerOptions options) {
        Objects.requireNonNull(jdbcUrlOrPath, "jdbcUrlOrPath");
        Objects.requireNonNull(options, "options");
        String location = jdbcUrl(jdbcUrlOrPath);
        sqliteFile(location).filter(path -> !Files.isRegularFile(path)).ifPresent(path -> {
            throw new SpendLedgerException("no ledger at " + path + " (a gateway creates it when it starts)");
        });
        return JdbcSpendLedger.openExisting(jdbcLocation(location), options);
    }

    /**
     * The file a SQLite ledger location names, as {@link #open} would use it; for a check before opening (does its
     * folder exist, is it a database) that must not create anything.
     *
     * @param jdbcUrlOrPath as for {@link #open}
     * @return the absolute file; empty for a PostgreSQL URL, an in-memory database or a blank location
     * @throws IllegalArgumentException if the location is another kind of JDBC URL
     */
    public static Optional<Path> sqliteFile(String jdbcUrlOrPath) {
        String location = jdbcUrlOrPath.strip();
        Optional<String> file = !location.startsWith("jdbc:") ? Optional.of(location)
                : Dialect.ofUrl(location) == Dialect.SQLITE ? Optional.of(sqliteFileOf(location)) : Optional.empty();
        return file.filter(f -> !f.isBlank() && !f.contains(":memory:") && !f.startsWith("file::memory"))
                .map(SpendLedgers::pathOf);
    }

    private static String sqliteFileOf(String url) {
        String file = url.substring("jdbc:sqlite:".length());
        int query = file.indexOf('?');
        return query < 0 ? file : file.substring(0, query);
    }

    private static Path pathOf(String file) {
        return Path.of(file.startsWith("file:") ? file.substring("file:".length()) : file).toAbsolutePath();
    }

    private static Path prepareSqliteFile(String file) {
        if (file.isBlank() || file.contains(":memory:") || file.startsWith("file::memory")) {
            throw new IllegalArgumentException("in-memory SQLite cannot hold the ledger ('" + file
                    + "'): the ledger opens several connections; give a file path");
        }
        Path path = pathOf(file);
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
