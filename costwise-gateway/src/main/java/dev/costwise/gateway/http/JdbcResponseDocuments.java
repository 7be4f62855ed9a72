package dev.costwise.gateway.http;

import dev.costwise.store.JdbcConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stored responses in the ledger's database (same JDBC URL, own table {@code costwise_stored_responses}), SQLite or
 * PostgreSQL: they survive a restart, and replicas on one database continue each other's responses. A row past its
 * expiry is never read, and expired rows are deleted at most once an hour, by the write that finds them due. One
 * short connection per call, as the Responses API's calls are few next to chat completions. Thread-safe.
 */
public final class JdbcResponseDocuments implements ResponseDocuments {
    /** How often expired rows are deleted. */
    static final Duration REAP_INTERVAL = Duration.ofHours(1);
    private static final String TABLE = "costwise_stored_responses";
    private static final String DDL = "CREATE TABLE IF NOT EXISTS " + TABLE + " (id VARCHAR(100) PRIMARY KEY, "
            + "expires_at BIGINT NOT NULL, body TEXT NOT NULL)";
    // both SQLite (3.24+) and PostgreSQL write an upsert this way
    private static final String UPSERT = "INSERT INTO " + TABLE + " (id, expires_at, body) VALUES (?, ?, ?) "
            + "ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, body = excluded.body";

    private final String url;
    private final Properties properties = new Properties();
    private final Clock clock;
    private final AtomicLong nextReap;

    /**
     * Opens the table, creating it if needed.
     *
     * @param url the ledger's JDBC URL ({@code jdbc:sqlite:…} or {@code jdbc:postgresql:…})
     * @param clock when documents expire
     * @throws IllegalStateException if the database cannot be opened (the message names the URL, without password)
     */
    public JdbcResponseDocuments(String url, Clock clock) {
        this.url = url;
        this.clock = clock;
        this.nextReap = new AtomicLong(clock.millis());
        if (url.startsWith("jdbc:sqlite:")) {
            JdbcConnections.createSqliteFolder(url);
            // the ledger's writer holds SQLite's write lock for a few milliseconds at a time: wait for it
            properties.setProperty("busy_timeout", "5000");
        }
        try {
            JdbcConnections.changeSchema(url, properties, c -> {
                try (Statement s = c.createStatement()) {
                    s.execute(DDL);
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the stored responses table at "
                    + JdbcConnections.redacted(url) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String id, String document, Duration ttl) {
        long now = clock.millis();
        try (Connection c = JdbcConnections.open(url, properties)) {
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                ps.setString(1, id);
                ps.setLong(2, now + ttl.toMillis());
                ps.setString(3, document);
                ps.executeUpdate();
            }
            long due = nextReap.get();
            if (now >= due && nextReap.compareAndSet(due, now + REAP_INTERVAL.toMillis())) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE expires_at <= ?")) {
                    ps.setLong(1, now);
                    ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw unavailable("store", id, e);
        }
    }

    @Override
    public Optional<String> get(String id) {
        try (Connection c = JdbcConnections.open(url, properties);
                PreparedStatement ps = c.prepareStatement("SELECT body FROM " + TABLE
                        + " WHERE id = ? AND expires_at > ?")) {
            ps.setString(1, id);
            ps.setLong(2, clock.millis());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable("read", id, e);
        }
    }

    @Override
    public void keep(Collection<String> ids, Duration ttl) {
        if (ids.isEmpty()) {
            return;
        }
        long now = clock.millis();
        try (Connection c = JdbcConnections.open(url, properties);
                PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET expires_at = ? WHERE id = ? "
                        + "AND expires_at > ?")) {
            for (String id : ids) {
                ps.setLong(1, now + ttl.toMillis());
                ps.setString(2, id);
                ps.setLong(3, now);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            String first = ids.iterator().next();
            throw unavailable("keep", ids.size() == 1 ? first : first + " and " + (ids.size() - 1) + " more", e);
        }
    }

    @Override
    public void delete(String id) {
        try (Connection c = JdbcConnections.open(url, properties);
                PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE id = ?")) {
            ps.setString(1, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("delete", id, e);
        }
    }

    private Unavailable unavailable(String what, String id, SQLException e) {
        return new Unavailable("cannot " + what + " stored response " + id + " in "
                + JdbcConnections.redacted(url) + ": " + e.getMessage(), e);
    }
}
