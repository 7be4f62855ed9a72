package dev.costwise.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings a ledger database to the current schema: applies, in order and each once, the numbered SQL files under
 * {@code dev/costwise/store/migrations/} ({@code V1__ledger.sql}, {@code V2__daily_rollup.sql}…), recording each in
 * a {@code schema_version} table. Running it again is a no-op; concurrent runs are serialised by a database lock.
 *
 * <p>The files are plain SQL statements ended by {@code ;}, with two placeholders the {@link Dialect} fills in:
 * {@code ${money}} and {@code ${id}}. A new migration is a new file with the next number, added to {@link #FILES};
 * an applied file is never edited.
 */
final class Migrations {

    /** The migrations, in order. File {@code V<n>__...} must be the n-th. */
    static final List<String> FILES = List.of("V1__ledger.sql", "V2__daily_rollup.sql", "V3__cache_write_1h.sql",
            "V4__drop_request_index.sql", "V5__partial_tag_indexes.sql", "V6__service_tier.sql",
            "V7__daily_provider_calls.sql", "V8__catalog_model.sql", "V9__inference_geo.sql");

    private static final String FOLDER = "/dev/costwise/store/migrations/";
    private static final Pattern NAME = Pattern.compile("V(\\d+)__(\\w+)\\.sql");

    private final Dialect dialect;
    private final List<Migration> migrations;

    Migrations(Dialect dialect) {
        this.dialect = dialect;
        this.migrations = load(FILES);
    }

    /** @return the version the database has after {@link #migrate} */
    int latestVersion() {
        return migrations.size();
    }

    /**
     * Applies the migrations the database lacks, in one transaction.
     *
     * @return how many were applied
     * @throws SpendLedgerException if the database has a newer schema than this code knows
     * @throws SQLException if a statement fails (nothing is applied then)
     */
    int migrate(Connection connection) throws SQLException {
        return SqlWork.inTransaction(connection, c -> {
            try (Statement statement = c.createStatement()) {
                // Lock first: on PostgreSQL two concurrent CREATE TABLE IF NOT EXISTS can both find no table, and
                // the second then fails on a duplicate key in pg_type.
                dialect.lockForMigration(statement);
                statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                        + " description TEXT NOT NULL, applied_at TEXT NOT NULL)");
                int current = currentVersion(c);
                if (current > latestVersion()) {
                    throw new SpendLedgerException("the ledger database has schema version " + current
                            + ", newer than this Costwise supports (" + latestVersion() + "); upgrade Costwise");
                }
                int applied = 0;
                for (Migration migration : migrations.subList(current, migrations.size())) {
                    for (String sql : migration.statements()) {
                        statement.execute(dialect.render(sql));
                    }
                    try (PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                        insert.setInt(1, migration.version());
                        insert.setString(2, migration.description());
                        insert.setString(3, Instant.now().toString());
                        insert.executeUpdate();
                    }
                    applied++;
                }
                return applied;
            }
        });
    }

    /**
     * @return whether the database has a ledger (its {@code schema_version} table, where the ledger's connection
     *     looks: on PostgreSQL the search path, which {@code currentSchema} sets), asked without changing anything
     */
    static boolean hasLedger(Connection connection, Dialect dialect) throws SQLException {
        String sql = switch (dialect) {
            case SQLITE -> "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
            case POSTGRESQL -> "SELECT COUNT(to_regclass('schema_version'))";
        };
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }

    /** @return the highest applied version, 0 for an empty database */
    static int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static List<Migration> load(List<String> files) {
        List<Migration> loaded = new ArrayList<>();
        for (String file : files) {
            Matcher name = NAME.matcher(file);
            if (!name.matches()) {
                throw new IllegalStateException("migration file name must look like V<n>__<words>.sql, was " + file);
            }
            int version = Integer.parseInt(name.group(1));
            if (version != loaded.size() + 1) {
                throw new IllegalStateException("migration " + file + " is number " + (loaded.size() + 1)
                        + " in order but says version " + version);
            }
            loaded.add(new Migration(version, name.group(2).replace('_', ' '), split(read(file))));
        }
        return List.copyOf(loaded);
    }

    private static String read(String file) {
        try (InputStream in = Migrations.class.getResourceAsStream(FOLDER + file)) {
            if (in == null) {
                throw new IllegalStateException("migration resource not found: " + FOLDER + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + file, e);
        }
    }

    /** Splits a script into statements at {@code ;}, dropping {@code --} comment lines. */
    static List<String> split(String script) {
        StringBuilder withoutComments = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String statement : withoutComments.toString().split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return List.copyOf(statements);
    }

    record Migration(int version, String description, List<String> statements) {
    }
}
