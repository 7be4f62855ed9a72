package dev.costwise.gateway.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Virtual keys in the ledger's database (same JDBC URL, own table {@code costwise_virtual_keys}), SQLite or PostgreSQL.
 * Every key is loaded at start and verified from memory, so the request path never touches the database; creation,
 * rotation and revocation write through. Thread-safe.
 */
public final class JdbcVirtualKeyStore extends InMemoryVirtualKeyStore {
    private static final String DDL = "CREATE TABLE IF NOT EXISTS costwise_virtual_keys (id VARCHAR(64) PRIMARY KEY, "
            + "name VARCHAR(200) NOT NULL, salt VARCHAR(64) NOT NULL, hash VARCHAR(128) NOT NULL, models TEXT NOT NULL,"
            + " budget VARCHAR(40), budget_window VARCHAR(10) NOT NULL, rpm INTEGER, tpm INTEGER, tags TEXT NOT NULL, "
            + "created_at VARCHAR(40) NOT NULL, revoked INTEGER NOT NULL)";

    private final String url;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * Opens the table, creating it if needed, and loads every key.
     *
     * @param url the JDBC URL ({@code jdbc:sqlite:…} or {@code jdbc:postgresql:…})
     * @param clock stamps creation and rotation times
     * @throws IllegalStateException if the database cannot be opened (the message names the URL, without password)
     */
    public JdbcVirtualKeyStore(String url, Clock clock) {
        super(clock);
        this.url = url;
        createParentDirectory(url);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(DDL);
            try (ResultSet rs = s.executeQuery("SELECT id, name, salt, hash, models, budget, budget_window, rpm, tpm,"
                    + " tags, created_at, revoked FROM costwise_virtual_keys")) {
                while (rs.next()) {
                    VirtualKey key = new VirtualKey(rs.getString(1), rs.getString(2), json.readValue(rs.getString(5),
                            new TypeReference<List<String>>() {}), Optional.ofNullable(rs.getString(6)).map(Money::of),
                            BudgetWindow.valueOf(rs.getString(7)), optInt(rs, 8), optInt(rs, 9),
                            json.readValue(rs.getString(10), new TypeReference<Map<String, String>>() {}),
                            Instant.parse(rs.getString(11)), rs.getInt(12) != 0);
                    entries.put(key.id(), new Entry(key, rs.getString(3), rs.getString(4)));
                }
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot open the virtual key table at " + safe(url) + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    void persistNew(Entry e) {
        VirtualKey k = e.key();
        write("INSERT INTO costwise_virtual_keys (id, name, salt, hash, models, budget, budget_window, rpm, tpm, tags,"
                + " created_at, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
                    ps.setString(1, k.id());
                    ps.setString(2, k.name());
                    ps.setString(3, e.salt());
                    ps.setString(4, e.hash());
                    ps.setString(5, toJson(k.models()));
                    ps.setString(6, k.budgetLimit().map(Money::toString).orElse(null));
                    ps.setString(7, k.budgetWindow().name());
                    setInt(ps, 8, k.rpm());
                    setInt(ps, 9, k.tpm());
                    ps.setString(10, toJson(k.tags()));
                    ps.setString(11, k.createdAt().toString());
                    ps.setInt(12, k.revoked() ? 1 : 0);
                });
    }

    @Override
    void persistUpdate(Entry e) {
        write("UPDATE costwise_virtual_keys SET salt = ?, hash = ?, created_at = ?, revoked = ? WHERE id = ?", ps -> {
            ps.setString(1, e.salt());
            ps.setString(2, e.hash());
            ps.setString(3, e.key().createdAt().toString());
            ps.setInt(4, e.key().revoked() ? 1 : 0);
            ps.setString(5, e.key().id());
        });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private void write(String sql, Binder binder) {
        try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the virtual key table at " + safe(url) + ": "
                    + e.getMessage(), e);
        }
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list or map of strings always serialises", e);
        }
    }

    private static Optional<Integer> optInt(ResultSet rs, int column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(v);
    }

    private static void setInt(PreparedStatement ps, int column, Optional<Integer> value) throws SQLException {
        if (value.isPresent()) {
            ps.setInt(column, value.get());
        } else {
            ps.setNull(column, Types.INTEGER);
        }
    }

    /** Creates the folder of a SQLite file so the embedded default works on a fresh checkout. */
    static void createParentDirectory(String url) {
        if (!url.startsWith("jdbc:sqlite:") || url.contains(":memory:")) {
            return;
        }
        String file = url.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        Path parent = Path.of(q < 0 ? file : file.substring(0, q)).toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the ledger folder " + parent + ": " + e.getMessage(), e);
        }
    }

    /** @return the URL without a password parameter */
    static String safe(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
