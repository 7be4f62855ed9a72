package dev.costwise.gateway.keys;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Virtual keys kept in memory (lost on restart): for tests and a gateway without a ledger database. Also the
 * read cache of {@link JdbcVirtualKeyStore}. Thread-safe.
 */
public class InMemoryVirtualKeyStore implements VirtualKeyStore {
    /** A stored key: the public record, the salt and the hash. */
    record Entry(VirtualKey key, String salt, String hash) {}

    final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    final KeySecrets secrets = new KeySecrets();
    final Clock clock;

    /** @param clock stamps creation and rotation times */
    public InMemoryVirtualKeyStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Issued create(VirtualKey spec) {
        String id = secrets.newId();
        while (entries.containsKey(id)) {
            id = secrets.newId();
        }
        VirtualKey key = new VirtualKey(id, spec.name(), spec.models(), spec.budgetLimit(), spec.budgetWindow(),
                spec.rpm(), spec.tpm(), spec.tags(), clock.instant(), false);
        String secret = secrets.newSecret();
        String salt = secrets.newSalt();
        Entry entry = new Entry(key, salt, KeySecrets.hash(salt, secret));
        persistNew(entry);
        entries.put(id, entry);
        return new Issued(key, KeySecrets.whole(id, secret));
    }

    @Override
    public Optional<VirtualKey> verify(String presented) {
        Optional<String[]> parts = KeySecrets.split(presented);
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        Entry e = entries.get(parts.get()[0]);
        if (e == null || e.key().revoked() || !KeySecrets.matches(e.salt(), e.hash(), parts.get()[1])) {
            return Optional.empty();
        }
        return Optional.of(e.key());
    }

    @Override
    public List<VirtualKey> list() {
        List<VirtualKey> out = new ArrayList<>();
        entries.values().forEach(e -> out.add(e.key()));
        out.sort(Comparator.comparing(VirtualKey::createdAt).thenComparing(VirtualKey::id));
        return out;
    }

    @Override
    public synchronized Optional<Issued> rotate(String id) {
        Entry e = entries.get(id);
        if (e == null || e.key().revoked()) {
            return Optional.empty();
        }
        String secret = secrets.newSecret();
        String salt = secrets.newSalt();
        Entry rotated = new Entry(e.key().rotatedAt(clock.instant()), salt, KeySecrets.hash(salt, secret));
        persistUpdate(rotated);
        entries.put(id, rotated);
        return Optional.of(new Issued(rotated.key(), KeySecrets.whole(id, secret)));
    }

    @Override
    public synchronized boolean revoke(String id) {
        Entry e = entries.get(id);
        if (e == null || e.key().revoked()) {
            return false;
        }
        Entry revoked = new Entry(e.key().revokedCopy(), e.salt(), e.hash());
        persistUpdate(revoked);
        entries.put(id, revoked);
        return true;
    }

    /** Stores a new entry durably; nothing to do in memory. */
    void persistNew(Entry entry) {}

    /** Stores a changed entry durably; nothing to do in memory. */
    void persistUpdate(Entry entry) {}

    @Override
    public void close() {}
}
