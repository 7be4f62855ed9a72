package dev.costwise.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.MovableClock;
import dev.costwise.gateway.TestDatabases;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two gateway replicas on one database, each with its own {@link JdbcVirtualKeyStore}: keys created, rotated and
 * revoked on one must hold on the other. Runs on SQLite and on PostgreSQL ({@link TestDatabases}).
 */
class SharedVirtualKeysTest {
    private static final Instant EXPIRY = Instant.parse("2027-01-01T00:00:00Z");
    private static final VirtualKey SPEC = new VirtualKey("ignored", "ci", List.of("fast"), Optional.empty(),
            BudgetWindow.MONTH, Optional.of(5), Optional.empty(), Map.of("team", "ci"), Instant.EPOCH,
            Optional.of(EXPIRY), false, Optional.empty());

    @TempDir
    Path dir;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-28T10:00:00Z"));
    private final TestDatabases databases = new TestDatabases();

    @OnBothDatabases
    void givenKeyCreatedOnOneReplica_whenPresentedToTheOther_thenAcceptedAtOnce(String db) throws Exception {
        replicas(db, (url, a, b) -> {
            VirtualKeyStore.Issued issued = a.create(SPEC);

            assertThat(b.verify(issued.secret())).map(VirtualKey::id).hasValue(issued.key().id());
            assertThat(b.list()).singleElement().satisfies(k -> {
                assertThat(k.id()).isEqualTo(issued.key().id());
                assertThat(k.expiresAt()).hasValue(EXPIRY);
                assertThat(k.rpm()).hasValue(5);
            });
            assertThat(b.verify(issued.secret() + "x")).as("a wrong secret stays wrong").isEmpty();
        });
    }

    @OnBothDatabases
    void givenKeyRevokedOnOneReplica_whenTheOtherRefreshes_thenRejectedThere(String db) throws Exception {
        replicas(db, (url, a, b) -> {
            VirtualKeyStore.Issued issued = a.create(SPEC);
            assertThat(b.verify(issued.secret())).isPresent();

            assertThat(a.revoke(issued.key().id())).isTrue();
            assertThat(b.verify(issued.secret())).as("until b reads the change, it knows only what it held")
                    .isPresent();
            assertThat(b.refresh()).isEqualTo(1);

            assertThat(b.verify(issued.secret())).isEmpty();
            assertThat(b.list().getFirst().revoked()).isTrue();
            assertThat(b.refresh()).as("nothing changed since").isZero();
        });
    }

    @OnBothDatabases
    void givenKeyRotatedOnOneReplica_whenTheNewSecretReachesTheOther_thenItWorksAndTheOldOneStops(String db)
            throws Exception {
        replicas(db, (url, a, b) -> {
            VirtualKeyStore.Issued first = a.create(SPEC);
            assertThat(b.verify(first.secret())).isPresent();

            VirtualKeyStore.Issued second = a.rotate(first.key().id()).orElseThrow();

            assertThat(b.verify(second.secret())).as("looked up when the secret does not match").isPresent();
            assertThat(b.verify(first.secret())).as("the lookup brought the rotation in").isEmpty();
        });
    }

    @OnBothDatabases
    void givenAStaleClientSendingTheOldSecret_whenTheKeyIsRotatedElsewhere_thenTheNewSecretWorksAtOnce(String db)
            throws Exception {
        replicas(db, (url, a, b) -> {
            VirtualKeyStore.Issued issued = a.create(SPEC);
            String id = issued.key().id();
            String old = a.rotate(id).orElseThrow().secret();
            assertThat(b.verify(old)).isPresent();
            String stale = old;
            old = a.rotate(id).orElseThrow().secret();
            assertThat(b.verify(old)).as("b looked the rotation up").isPresent();
            assertThat(b.verify(stale)).as("a stale client's secret: a lookup that found nothing new").isEmpty();

            String rotated = a.rotate(id).orElseThrow().secret();

            assertThat(b.verify(rotated)).as("a secret not seen before is looked up at once").isPresent();
            assertThat(b.verify(stale)).isEmpty();
            assertThat(b.verify(old)).isEmpty();
        });
    }

    @OnBothDatabases
    void givenWrongSecretPresented_whenWithinTheLookupInterval_thenTheDatabaseIsNotAskedAgainForIt(String db)
            throws Exception {
        replicas(db, (url, a, b) -> {
            VirtualKeyStore.Issued first = a.create(SPEC);
            String id = first.key().id();
            assertThat(b.verify(first.secret())).as("a lookup that finds the key is not held against it")
                    .isPresent();
            assertThat(b.verify(KeySecrets.whole(id, "guessed"))).isEmpty(); // a fruitless lookup
            // the row now holds "guessed" (as a writer that bypasses versions could leave it): b would find it
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("UPDATE costwise_virtual_keys SET salt = 's', hash = '" + KeySecrets.hash("s", "guessed")
                        + "' WHERE id = '" + id + "'");
            }

            clock.advance(JdbcVirtualKeyStore.LOOKUP_INTERVAL.minusMillis(1));
            assertThat(b.verify(KeySecrets.whole(id, "guessed"))).as("looked up for nothing less than a second ago")
                    .isEmpty();

            clock.advance(Duration.ofMillis(1));
            assertThat(b.verify(KeySecrets.whole(id, "guessed"))).isPresent();
        });
    }

    @OnBothDatabases
    void givenMadeUpSecretsForOneId_whenMoreThanTheLimitArrive_thenTheRestWaitForTheInterval(String db)
            throws Exception {
        replicas(db, (url, a, b) -> {
            VirtualKeyStore.Issued issued = a.create(SPEC);
            String id = issued.key().id();
            assertThat(b.verify(issued.secret())).isPresent();
            for (int i = 0; i < JdbcVirtualKeyStore.MAX_FRUITLESS_LOOKUPS; i++) {
                assertThat(b.verify(KeySecrets.whole(id, "guess" + i))).isEmpty(); // each a lookup
            }
            String rotated = a.rotate(id).orElseThrow().secret();

            assertThat(b.verify(rotated)).as("the id was looked up for nothing " + JdbcVirtualKeyStore
                    .MAX_FRUITLESS_LOOKUPS + " times within the second").isEmpty();
            clock.advance(JdbcVirtualKeyStore.LOOKUP_INTERVAL);
            assertThat(b.verify(rotated)).isPresent();
        });
    }

    @OnBothDatabases
    void givenMadeUpKeyIds_whenManyArriveWithinTheLookupInterval_thenTheDatabaseIsAskedOnce(String db)
            throws Exception {
        replicas(db, (url, a, b) -> {
            for (int i = 0; i < 200; i++) {
                assertThat(b.verify(KeySecrets.whole(new KeySecrets().newId(), "guess"))).isEmpty();
            }
            assertThat(b.databaseLookups()).as("ids are free to invent: one catch-up for all").isEqualTo(1);

            VirtualKeyStore.Issued issued = a.create(SPEC);
            assertThat(b.verify(issued.secret())).as("created elsewhere within the interval of the last catch-up")
                    .isEmpty();
            clock.advance(JdbcVirtualKeyStore.LOOKUP_INTERVAL);

            assertThat(b.verify(issued.secret())).map(VirtualKey::id).hasValue(issued.key().id());
            assertThat(b.databaseLookups()).isEqualTo(2);
        });
    }

    @org.junit.jupiter.api.Test
    void givenManyKeysPresentedWithWrongSecretsAtOnce_whenLookedUp_thenAtMostFourConnectionsAskTheDatabase()
            throws Exception {
        replicas("postgresql", (url, a, b) -> {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(a.create(SPEC).key().id());
            }
            b.refresh(); // b holds every key: each wrong secret below is a lookup of its own id
            List<Thread> requests = new ArrayList<>();
            try (Connection locker = DriverManager.getConnection(url); Statement s = locker.createStatement()) {
                locker.setAutoCommit(false);
                s.execute("LOCK TABLE costwise_virtual_keys IN ACCESS EXCLUSIVE MODE"); // every lookup waits here
                for (String id : ids) {
                    requests.add(Thread.ofVirtual().start(() -> b.verify(KeySecrets.whole(id, "wrong"))));
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (lookupsWaitingForTheLock(url) < JdbcVirtualKeyStore.MAX_CONCURRENT_LOOKUPS) {
                    assertThat(System.nanoTime()).as("lookups reach the database").isLessThan(deadline);
                    Thread.onSpinWait();
                }
                assertThat(b.databaseLookups()).isEqualTo(JdbcVirtualKeyStore.MAX_CONCURRENT_LOOKUPS);
                assertThat(lookupsWaitingForTheLock(url)).isEqualTo(JdbcVirtualKeyStore.MAX_CONCURRENT_LOOKUPS);
                locker.rollback();
            }
            for (Thread t : requests) {
                t.join(Duration.ofSeconds(10));
            }
            assertThat(b.databaseLookups()).as("the others ran after them").isEqualTo(ids.size());
        });
    }

    private static long lookupsWaitingForTheLock(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type "
                        + "= 'Lock' AND query LIKE 'SELECT id, name%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @org.junit.jupiter.api.Test
    void givenKeyCreatedOnOneReplica_whenItsFirstRequestsReachTheOtherTogether_thenAllAreAccepted() throws Exception {
        replicas("postgresql", (url, a, b) -> {
            VirtualKeyStore.Issued issued = a.create(SPEC);
            int n = 20;
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger entered = new AtomicInteger();
            List<Optional<VirtualKey>> verified = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Thread> requests = new ArrayList<>();
            try (Connection locker = DriverManager.getConnection(url); Statement s = locker.createStatement()) {
                locker.setAutoCommit(false);
                // b's lookup waits for this lock, so every request arrives while it runs
                s.execute("LOCK TABLE costwise_virtual_keys IN ACCESS EXCLUSIVE MODE");
                for (int i = 0; i < n; i++) {
                    requests.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        entered.incrementAndGet();
                        verified.add(b.verify(issued.secret()));
                    }));
                }
                go.countDown();
                // one request is in the database; the others wait for its lookup (or, wrongly, have answered)
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (entered.get() < n || requests.stream().filter(t -> t.getState() == Thread.State.WAITING
                        || t.getState() == Thread.State.TERMINATED).count() < n - 1) {
                    assertThat(System.nanoTime()).as("requests reach the lookup").isLessThan(deadline);
                    Thread.onSpinWait();
                }
                locker.rollback();
            }
            for (Thread t : requests) {
                t.join(Duration.ofSeconds(10));
            }

            assertThat(verified).hasSize(n).allSatisfy(k -> assertThat(k).map(VirtualKey::id)
                    .hasValue(issued.key().id()));
        });
    }

    @OnBothDatabases
    void givenKeyCreatedOnOneReplica_whenTheOtherRevokesItBeforeSeeingIt_thenItIsRevokedEverywhere(String db)
            throws Exception {
        replicas(db, (url, a, b) -> {
            b.refresh();
            VirtualKeyStore.Issued issued = a.create(SPEC);
            assertThat(b.list()).as("listing reads what other replicas created").extracting(VirtualKey::id)
                    .containsExactly(issued.key().id());

            try (JdbcVirtualKeyStore c = new JdbcVirtualKeyStore(url, clock)) {
                VirtualKeyStore.Issued late = a.create(SPEC);
                assertThat(b.revoke(late.key().id())).as("b had never seen it: not a 404").isTrue();
                a.refresh();
                assertThat(a.verify(late.secret())).isEmpty();
                assertThat(c.verify(late.secret())).isEmpty();
            }
        });
    }

    @OnBothDatabases
    void givenReplicaWithAStaleCopy_whenItRotatesAKeyRevokedElsewhere_thenTheRevocationHolds(String db)
            throws Exception {
        replicas(db, (url, a, b) -> {
            VirtualKeyStore.Issued issued = a.create(SPEC);
            String id = issued.key().id();
            b.refresh();
            assertThat(a.revoke(id)).isTrue();

            assertThat(b.rotate(id)).as("b's copy is live, the database's row is not").isEmpty();
            assertThat(b.revoke(id)).isFalse();

            try (JdbcVirtualKeyStore restarted = new JdbcVirtualKeyStore(url, clock)) {
                assertThat(restarted.list().getFirst().revoked()).isTrue();
                assertThat(restarted.verify(issued.secret())).isEmpty();
            }
        });
    }

    @OnBothDatabases
    void givenTwoReplicasRotatingOneKey_whenBothFinish_thenTheLaterSecretWorksEverywhere(String db) throws Exception {
        replicas(db, (url, a, b) -> {
            String id = a.create(SPEC).key().id();
            b.refresh();
            String fromA = a.rotate(id).orElseThrow().secret();

            String fromB = b.rotate(id).orElseThrow().secret(); // b's write finds a's version, reads it, tries again

            a.refresh();
            assertThat(a.verify(fromB)).isPresent();
            assertThat(a.verify(fromA)).isEmpty();
            assertThat(b.verify(fromA)).isEmpty();
        });
    }

    @OnBothDatabases
    void givenTwoReplicasChangingOneKey_whenBothFinish_thenBothChangesHoldAndTheSecretStays(String db)
            throws Exception {
        replicas(db, (url, a, b) -> {
            VirtualKeyStore.Issued issued = a.create(SPEC);
            String id = issued.key().id();
            b.refresh();

            a.update(id, k -> withName(k, "renamed on a"));
            VirtualKey fromB = b.update(id, k -> withRpm(k, 50)).orElseThrow(); // b's copy was stale: re-applied

            assertThat(fromB.name()).isEqualTo("renamed on a");
            assertThat(fromB.rpm()).hasValue(50);
            assertThat(a.refresh()).isEqualTo(1);
            assertThat(a.list().getFirst()).satisfies(k -> {
                assertThat(k.name()).isEqualTo("renamed on a");
                assertThat(k.rpm()).hasValue(50);
                assertThat(k.createdAt()).isEqualTo(issued.key().createdAt());
                assertThat(k.expiresAt()).hasValue(EXPIRY);
            });
            assertThat(a.verify(issued.secret())).as("a change is not a rotation").isPresent();
            assertThat(b.verify(issued.secret())).isPresent();

            assertThat(a.revoke(id)).isTrue();
            assertThat(b.update(id, k -> withRpm(k, 1))).as("a revoked key cannot be changed").isEmpty();
        });
    }

    @OnBothDatabases
    void givenKeyBudgetAddedBackOnOneReplica_whenTheOtherRefreshes_thenItCountsTheSameNewGeneration(String db)
            throws Exception {
        replicas(db, (url, a, b) -> {
            String id = a.create(withBudget(SPEC, Optional.of(dev.costwise.core.Money.of("1")), BudgetWindow.DAY))
                    .key().id();
            VirtualKey limitOnly = a.update(id, k -> withBudget(k, Optional.of(dev.costwise.core.Money.of("2")),
                    BudgetWindow.DAY)).orElseThrow();
            a.update(id, k -> withBudget(k, Optional.empty(), BudgetWindow.DAY));
            VirtualKey back = a.update(id, k -> withBudget(k, Optional.of(dev.costwise.core.Money.of("2")),
                    BudgetWindow.DAY)).orElseThrow();
            VirtualKey monthly = a.update(id, k -> withBudget(k, k.budgetLimit(), BudgetWindow.MONTH)).orElseThrow();
            b.refresh();

            assertThat(limitOnly.budgetGeneration()).as("a new limit keeps the count").isZero();
            assertThat(back.budgetGeneration()).as("added back: a new count").isPositive();
            assertThat(monthly.budgetGeneration()).as("another window: a new count")
                    .isGreaterThan(back.budgetGeneration());
            assertThat(b.list()).singleElement().satisfies(k -> assertThat(k.budgetGeneration())
                    .isEqualTo(monthly.budgetGeneration()));
        });
    }

    private static VirtualKey withBudget(VirtualKey k, Optional<dev.costwise.core.Money> limit, BudgetWindow window) {
        return new VirtualKey(k.id(), k.name(), k.models(), limit, window, k.rpm(), k.tpm(), k.tags(), k.createdAt(),
                k.expiresAt(), k.revoked(), k.rotatedAt(), k.budgetGeneration());
    }

    private static VirtualKey withName(VirtualKey k, String name) {
        return new VirtualKey(k.id(), name, k.models(), k.budgetLimit(), k.budgetWindow(), k.rpm(), k.tpm(),
                k.tags(), k.createdAt(), k.expiresAt(), k.revoked(), k.rotatedAt());
    }

    private static VirtualKey withRpm(VirtualKey k, int rpm) {
        return new VirtualKey(k.id(), k.name(), k.models(), k.budgetLimit(), k.budgetWindow(), Optional.of(rpm),
                k.tpm(), k.tags(), k.createdAt(), k.expiresAt(), k.revoked(), k.rotatedAt());
    }

    @OnBothDatabases
    void givenAReplicaOfAnEarlierVersion_whenItRotatesAndRevokesWithoutVersions_thenTheOthersStillFollow(String db)
            throws Exception {
        replicas(db, (url, a, b) -> {
            VirtualKeyStore.Issued issued = a.create(SPEC);
            String id = issued.key().id();
            b.refresh();
            // What a replica of the previous version wrote on rotation: new salt, hash and time, same version.
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE costwise_virtual_keys SET salt = 'ab', hash = '" + KeySecrets.hash("ab", "new")
                        + "', created_at = '2026-11-28T11:00:00Z' WHERE id = '" + id + "'");
            }

            assertThat(b.refresh()).isEqualTo(1);
            assertThat(b.verify(issued.secret())).as("the old secret stops").isEmpty();
            assertThat(b.verify(KeySecrets.whole(id, "new"))).isPresent();

            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE costwise_virtual_keys SET revoked = 1 WHERE id = '" + id + "'");
            }
            assertThat(b.refresh()).isEqualTo(1);
            assertThat(b.verify(KeySecrets.whole(id, "new"))).isEmpty();
        });
    }

    @OnBothDatabases
    void givenTableOfAnEarlierVersion_whenOpened_thenItsKeysKeepWorkingAndCanBeRotated(String db) throws Exception {
        String url = database(db);
        String secret;
        String id;
        try (JdbcVirtualKeyStore store = new JdbcVirtualKeyStore(url, clock)) {
            VirtualKeyStore.Issued issued = store.create(SPEC);
            secret = issued.secret();
            id = issued.key().id();
        }
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            // as created before versions and expiry
            s.execute("ALTER TABLE costwise_virtual_keys DROP COLUMN version");
            s.execute("ALTER TABLE costwise_virtual_keys DROP COLUMN expires_at");
        }

        try (JdbcVirtualKeyStore store = new JdbcVirtualKeyStore(url, clock)) {
            assertThat(store.verify(secret)).map(VirtualKey::id).hasValue(id);
            assertThat(store.list().getFirst().expiresAt()).isEmpty();
            String rotated = store.rotate(id).orElseThrow().secret();
            assertThat(store.verify(rotated)).isPresent();
            assertThat(store.verify(secret)).isEmpty();
        }
    }

    /** A test run once on SQLite and once on PostgreSQL; its parameter names the database. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    private @interface OnBothDatabases {}

    /** Something two replicas on one database do. */
    private interface OnTwoReplicas {
        void run(String url, JdbcVirtualKeyStore a, JdbcVirtualKeyStore b) throws Exception;
    }

    private void replicas(String db, OnTwoReplicas test) throws Exception {
        String url = database(db);
        try (JdbcVirtualKeyStore a = new JdbcVirtualKeyStore(url, clock);
                JdbcVirtualKeyStore b = new JdbcVirtualKeyStore(url, clock)) {
            test.run(url, a, b);
        }
    }

    private String database(String kind) {
        return databases.url(kind, dir, "keys");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        databases.close();
    }
}
