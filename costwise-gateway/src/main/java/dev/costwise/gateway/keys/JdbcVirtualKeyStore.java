package dev.costwise.gateway.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.store.JdbcConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Virtual keys in the ledger's database (same JDBC URL, own table {@code costwise_virtual_keys}), SQLite or PostgreSQL.
 * Every key is loaded at start and verified from memory, so the request path does not touch the database for a key
 * it knows; creation, rotation and revocation write through.
 *
 * <p>Replicas that share the database see each other's changes: a key presented here whose secret does not match the
 * key this replica holds is looked up in the database, so a key rotated on another replica works here at once,
 * however many of its first requests arrive together (they share one lookup). A secret whose lookup found nothing
 * newer is not looked up again within {@link #LOOKUP_INTERVAL}, and a key id is looked up for at most
 * {@link #MAX_FRUITLESS_LOOKUPS} such secrets within it, while a secret not seen before (a rotation's, sent while a
 * stale client still sends the old one) is looked up at once. A key id this replica does not hold is not looked up by
 * itself, as ids are free to invent: every such request shares one catch-up with the table ({@link #refresh()}, which
 * asks whether anything changed at all, and reads the keys only if so), at most one per {@link #LOOKUP_INTERVAL}; so
 * a key created on another replica works here at once, or within that interval while this replica is presented other
 * unknown ids. At most {@link #MAX_CONCURRENT_LOOKUPS} of these lookups run at once. So made-up keys, however many
 * and however fast, cannot turn into a stream of queries or of database connections. {@link #refresh()}, which the
 * gateway also runs every few seconds, brings in revocations and rotations made elsewhere. Every change raises the
 * row's version, and a change is written only if the row is still at the version this replica read, so two replicas
 * cannot undo each other's rotation or revocation. Thread-safe.
 */
public final class JdbcVirtualKeyStore extends InMemoryVirtualKeyStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcVirtualKeyStore.class);
    /** How long a lookup that found nothing newer keeps its secret from being looked up again. */
    public static final Duration LOOKUP_INTERVAL = Duration.ofSeconds(1);
    /** The most secrets of one key id whose lookups found nothing newer, within {@link #LOOKUP_INTERVAL}. */
    public static final int MAX_FRUITLESS_LOOKUPS = 3;
    /** The most database lookups for presented keys that run at once, each on its own connection. */
    public static final int MAX_CONCURRENT_LOOKUPS = 4;
    private static final String DDL = "CREATE TABLE IF NOT EXISTS costwise_virtual_keys (id VARCHAR(64) PRIMARY KEY, "
            + "name VARCHAR(" + VirtualKey.MAX_NAME_LENGTH + ") NOT NULL, salt VARCHAR(64) NOT NULL, "
            + "hash VARCHAR(128) NOT NULL, models TEXT NOT NULL,"
            + " budget VARCHAR(40), budget_window VARCHAR(10) NOT NULL, rpm INTEGER, tpm INTEGER, tags TEXT NOT NULL, "
            + "created_at VARCHAR(40) NOT NULL, revoked INTEGER NOT NULL, version BIGINT NOT NULL DEFAULT 0, "
            + "expires_at VARCHAR(40), rotated_at VARCHAR(40), budget_generation BIGINT NOT NULL DEFAULT 0)";
    /** Every column but the id, in the order {@link #bindRow} binds them and {@link #read} reads them after the id. */
    private static final List<String> ROW_COLUMNS = List.of("name", "salt", "hash", "models", "budget",
            "budget_window", "rpm", "tpm", "tags", "created_at", "revoked", "version", "expires_at", "rotated_at",
            "budget_generation");
    private static final String SELECT = "SELECT id, " + String.join(", ", ROW_COLUMNS)
            + " FROM costwise_virtual_keys";

    private final String url;
    private final ObjectMapper json = new ObjectMapper();
    /** Secrets (as {@code id/digest}) whose lookup found nothing new within {@link #LOOKUP_INTERVAL}. */
    private final Cache<String, Boolean> fruitlessSecrets;
    /** Per id, the lookups that found nothing new since the first of them, within {@link #LOOKUP_INTERVAL}. */
    private final Cache<String, AtomicInteger> fruitlessLookups;
    /** The database lookup running for each id, which callers presenting the same id wait for. */
    private final ConcurrentMap<String, CompletableFuture<Void>> lookups = new ConcurrentHashMap<>();
    /** What {@link #signature()} answered when {@link #refresh()} last read the table; empty before. */
    private volatile String lastSignature = "";
    /** The catch-up that requests presenting unknown key ids share; empty while none runs. */
    private final AtomicReference<CompletableFuture<Void>> catchUp = new AtomicReference<>();
    /** When the last catch-up for unknown ids started, in clock millis. */
    private final AtomicLong lastCatchUp = new AtomicLong(Long.MIN_VALUE);
    private final Semaphore lookupPermits = new Semaphore(MAX_CONCURRENT_LOOKUPS);
    private final LongAdder databaseLookups = new LongAdder();

    /**
     * Opens the table, creating it if needed (or adding the columns a table of an earlier version lacks), and loads
     * every key.
     *
     * @param url the JDBC URL ({@code jdbc:sqlite:…} or {@code jdbc:postgresql:…})
     * @param clock stamps creation and rotation times, and spaces lookups of unknown keys
     * @throws IllegalStateException if the database cannot be opened (the message names the URL, without password)
     */
    public JdbcVirtualKeyStore(String url, Clock clock) {
        super(clock);
        this.url = url;
        this.fruitlessSecrets = Caffeine.newBuilder().expireAfterWrite(LOOKUP_INTERVAL).maximumSize(10_000)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
        this.fruitlessLookups = Caffeine.newBuilder().expireAfterWrite(LOOKUP_INTERVAL).maximumSize(10_000)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
        JdbcConnections.createSqliteFolder(url);
        try {
            JdbcConnections.changeSchema(url, new Properties(), c -> {
                try (Statement s = c.createStatement()) {
                    s.execute(DDL);
                }
                Set<String> columns = columns(c);
                addColumnIfMissing(c, columns, "version", "BIGINT NOT NULL DEFAULT 0");
                addColumnIfMissing(c, columns, "expires_at", "VARCHAR(40)");
                addColumnIfMissing(c, columns, "rotated_at", "VARCHAR(40)");
                addColumnIfMissing(c, columns, "budget_generation", "BIGINT NOT NULL DEFAULT 0");
            });
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the virtual key table at " + safe(url) + ": "
                    + e.getMessage(), e);
        }
        read("", ps -> { }).forEach(this::merge);
    }

    /**
     * The table's columns, lower case. Read from an empty result's metadata, as a failed probe would abort
     * PostgreSQL's transaction.
     */
    private static Set<String> columns(Connection c) throws SQLException {
        Set<String> columns = new HashSet<>();
        try (Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT * FROM costwise_virtual_keys WHERE 1 = 0")) {
            ResultSetMetaData meta = rows.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i).toLowerCase(Locale.ROOT));
            }
        }
        return columns;
    }

    /** Tables of earlier versions get the columns added since; their keys start at version 0, without expiry. */
    private static void addColumnIfMissing(Connection c, Set<String> columns, String column, String type)
            throws SQLException {
        if (!columns.contains(column)) {
            try (Statement alter = c.createStatement()) {
                alter.execute("ALTER TABLE costwise_virtual_keys ADD COLUMN " + column + " " + type);
            }
        }
    }

    /**
     * Reads every key and keeps the changes other replicas made (keys created, rotated or revoked there).
     *
     * @return how many keys were new or changed
     * @throws IllegalStateException if the database cannot be read (the keys held stay in use)
     */
    public int refresh() {
        // Every change adds a row or raises one row's version by one, so the row count and the sum of the versions
        // change with it: one aggregate row tells whether there is anything to read. (The revocations and rotations
        // of a replica of an earlier Costwise, which leaves versions alone, show in the other two sums.)
        String signature = signature();
        if (signature.equals(lastSignature)) {
            return 0;
        }
        int changed = 0;
        for (Entry fresh : read("", ps -> { })) {
            if (merge(fresh)) {
                changed++;
            }
        }
        lastSignature = signature; // read before the rows: a change in between is read again next time
        return changed;
    }

    /** @return the table's row count, sums of versions and revocations, and latest creation or rotation time */
    private String signature() {
        try (Connection c = JdbcConnections.open(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(SUM(version), 0), COALESCE(SUM(revoked), 0), "
                        + "MAX(created_at), MAX(rotated_at) FROM costwise_virtual_keys")) {
            rs.next();
            return rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getLong(3) + "/" + rs.getString(4) + "/"
                    + rs.getString(5);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the virtual key table at " + safe(url) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Every key, those other replicas created or changed since the last refresh included. */
    @Override
    public List<VirtualKey> list() {
        try {
            refresh();
        } catch (IllegalStateException e) {
            LOG.warn("virtual keys: could not read the database, listing the keys held here: {}", e.getMessage());
        }
        return super.list();
    }

    /**
     * Looks the key up in the database, one lookup per id at a time: callers that present the id while its lookup
     * runs wait for it and answer from the row it read when their secret matches it (so a key's first requests on this
     * replica, arriving together, all see it), else look up again. Only a lookup that found nothing new is held
     * against its secret, and against the id once {@link #MAX_FRUITLESS_LOOKUPS} secrets found nothing, for
     * {@link #LOOKUP_INTERVAL}.
     */
    @Override
    Optional<Entry> lookUpElsewhere(String id, String secret) {
        if (!entries.containsKey(id)) {
            catchUpForUnknownId();
            return Optional.ofNullable(entries.get(id));
        }
        CompletableFuture<Void> running = lookups.get(id);
        if (running != null) {
            running.join(); // never fails: completed normally whatever the lookup met
            Entry read = entries.get(id);
            if (read != null && KeySecrets.matches(read.salt(), read.hash(), secret)) {
                return Optional.of(read);
            }
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        running = lookups.putIfAbsent(id, mine);
        if (running != null) {
            running.join(); // started after this secret missed: what it read is newer than the miss
            return Optional.ofNullable(entries.get(id));
        }
        try {
            String asked = id + "/" + KeySecrets.hash(id, secret);
            AtomicInteger fruitless = fruitlessLookups.getIfPresent(id);
            if (fruitlessSecrets.getIfPresent(asked) == null
                    && (fruitless == null || fruitless.get() < MAX_FRUITLESS_LOOKUPS)) {
                Entry held = entries.get(id);
                withLookupPermit(() -> reloadChanged(id));
                if (entries.get(id) == held) { // found nothing new: this secret is not asked about for a while
                    fruitlessSecrets.put(asked, Boolean.TRUE);
                    fruitlessLookups.get(id, k -> new AtomicInteger()).incrementAndGet();
                }
            }
        } catch (IllegalStateException e) {
            LOG.warn("virtual keys: could not look up key {} in the database: {}", id, e.getMessage());
        } finally {
            lookups.remove(id, mine);
            mine.complete(null);
        }
        return Optional.ofNullable(entries.get(id));
    }

    /**
     * Reads what changed in the table for a request presenting a key id this replica does not hold: one catch-up for
     * all such requests at a time (the others wait for it), and none within {@link #LOOKUP_INTERVAL} of the last.
     */
    private void catchUpForUnknownId() {
        CompletableFuture<Void> running = catchUp.get();
        if (running != null) {
            running.join(); // never fails: completed normally whatever the catch-up met
            return;
        }
        long now = clock.millis();
        long last = lastCatchUp.get();
        if (last != Long.MIN_VALUE && now - last < LOOKUP_INTERVAL.toMillis()) {
            return;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (!catchUp.compareAndSet(null, mine)) {
            running = catchUp.get();
            if (running != null) {
                running.join();
            }
            return;
        }
        try {
            if (lastCatchUp.compareAndSet(last, now)) { // else another caught up in between
                withLookupPermit(this::refresh);
            }
        } catch (IllegalStateException e) {
            LOG.warn("virtual keys: could not read the database for an unknown key: {}", e.getMessage());
        } finally {
            catchUp.set(null);
            mine.complete(null);
        }
    }

    /** Runs a database lookup for a presented key once one of {@link #MAX_CONCURRENT_LOOKUPS} permits is free. */
    private void withLookupPermit(Runnable lookup) {
        try {
            lookupPermits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to look up a key", e);
        }
        try {
            databaseLookups.increment();
            lookup.run();
        } finally {
            lookupPermits.release();
        }
    }

    /** @return the database lookups made for presented keys so far (refreshes the gateway schedules not counted) */
    long databaseLookups() {
        return databaseLookups.sum();
    }

    @Override
    void reloadChanged(String id) {
        read(" WHERE id = ?", ps -> ps.setString(1, id)).forEach(this::merge);
    }

    @Override
    void persistNew(Entry e) {
        write("INSERT INTO costwise_virtual_keys (" + String.join(", ", ROW_COLUMNS) + ", id) VALUES ("
                + "?, ".repeat(ROW_COLUMNS.size()) + "?)", ps -> ps.setString(bindRow(ps, e), e.key().id()));
    }

    @Override
    boolean persistChange(Entry before, Entry after) {
        return write("UPDATE costwise_virtual_keys SET " + String.join(" = ?, ", ROW_COLUMNS) + " = ? "
                + "WHERE id = ? AND version = ?", ps -> {
                    int next = bindRow(ps, after);
                    ps.setString(next, after.key().id());
                    ps.setLong(next + 1, before.version());
                }) == 1;
    }

    /**
     * Binds an entry's {@link #ROW_COLUMNS} to parameters 1 to 15.
     *
     * @return the next parameter's index
     */
    private int bindRow(PreparedStatement ps, Entry e) throws SQLException {
        VirtualKey k = e.key();
        ps.setString(1, k.name());
        ps.setString(2, e.salt());
        ps.setString(3, e.hash());
        ps.setString(4, toJson(k.models()));
        ps.setString(5, k.budgetLimit().map(Money::toString).orElse(null));
        ps.setString(6, k.budgetWindow().name());
        setInt(ps, 7, k.rpm());
        setInt(ps, 8, k.tpm());
        ps.setString(9, toJson(k.tags()));
        ps.setString(10, k.createdAt().toString());
        ps.setInt(11, k.revoked() ? 1 : 0);
        ps.setLong(12, e.version());
        ps.setString(13, k.expiresAt().map(Instant::toString).orElse(null));
        ps.setString(14, k.rotatedAt().map(Instant::toString).orElse(null));
        ps.setLong(15, k.budgetGeneration());
        return ROW_COLUMNS.size() + 1;
    }

    private List<Entry> read(String where, Binder binder) {
        List<Entry> out = new ArrayList<>();
        try (Connection c = JdbcConnections.open(url);
                PreparedStatement ps = c.prepareStatement(SELECT + where)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    VirtualKey key = new VirtualKey(rs.getString(1), rs.getString(2), json.readValue(rs.getString(5),
                            new TypeReference<List<String>>() {}), Optional.ofNullable(rs.getString(6)).map(Money::of),
                            BudgetWindow.valueOf(rs.getString(7)), optInt(rs, 8), optInt(rs, 9),
                            json.readValue(rs.getString(10), new TypeReference<Map<String, String>>() {}),
                            Instant.parse(rs.getString(11)),
                            Optional.ofNullable(rs.getString(14)).map(Instant::parse), rs.getInt(12) != 0,
                            Optional.ofNullable(rs.getString(15)).map(Instant::parse), rs.getLong(16));
                    out.add(new Entry(key, rs.getString(3), rs.getString(4), rs.getLong(13)));
                }
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot read the virtual key table at " + safe(url) + ": "
                    + e.getMessage(), e);
        }
        return out;
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int write(String sql, Binder binder) {
        try (Connection c = JdbcConnections.open(url); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
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
    /** @return the URL without a password parameter */
    static String safe(String url) {
        return JdbcConnections.redacted(url);
    }
}
