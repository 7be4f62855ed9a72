package dev.costwise.gateway.keys;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Virtual keys kept in memory (lost on restart): for tests and a gateway without a ledger database. Also the
 * read cache of {@link JdbcVirtualKeyStore}. Thread-safe.
 */
public class InMemoryVirtualKeyStore implements VirtualKeyStore {
    /** A change that loses a race with another replica's change is tried again this many times. */
    private static final int CHANGE_ATTEMPTS = 3;

    /**
     * A stored key: the public record, the salt and the hash, and a version that every change (rotation, revocation)
     * raises by one, so the newer of two copies is known whatever the replicas' clocks say.
     */
    record Entry(VirtualKey key, String salt, String hash, long version) {
        /**
         * @return {@code true} if this copy is a later state of the key than {@code other}: a higher version, or at
         *     the same version other contents, which only a replica of an earlier Costwise writes (it changed keys
         *     without raising their version); a revoked key stays revoked
         */
        boolean newerThan(Entry other) {
            if (version != other.version) {
                return version > other.version;
            }
            return !other.key.revoked() && !equals(other);
        }
    }

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
                spec.rpm(), spec.tpm(), spec.tags(), clock.instant(), spec.expiresAt(), false, Optional.empty());
        String secret = secrets.newSecret();
        String salt = secrets.newSalt();
        Entry entry = new Entry(key, salt, KeySecrets.hash(salt, secret), 0);
        persistNew(entry);
        merge(entry);
        return new Issued(key, KeySecrets.whole(id, secret));
    }

    @Override
    public Optional<VirtualKey> verify(String presented) {
        Optional<String[]> parts = KeySecrets.split(presented);
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        String id = parts.get()[0];
        String secret = parts.get()[1];
        Entry e = entries.get(id);
        if (e != null && e.key().revoked()) {
            return Optional.empty(); // revocation is final: nothing another replica did can undo it
        }
        if (e == null || !KeySecrets.matches(e.salt(), e.hash(), secret)) {
            // Created or rotated on another replica since this one last looked?
            e = lookUpElsewhere(id, secret).orElse(null);
            if (e == null || e.key().revoked() || !KeySecrets.matches(e.salt(), e.hash(), secret)) {
                return Optional.empty();
            }
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

    /** Answers from the keys held here (a database-backed store adds others' changes as it reads them). */
    @Override
    public boolean anyLive(Instant now) {
        return entries.values().stream().anyMatch(e -> !e.key().revoked() && !e.key().expiredAt(now));
    }

    @Override
    public Optional<Issued> rotate(String id) {
        String secret = secrets.newSecret();
        String salt = secrets.newSalt();
        return changeLive(id, "rotating", e -> new Entry(e.key().rotatedCopy(clock.instant()), salt,
                KeySecrets.hash(salt, secret), e.version() + 1))
                .map(rotated -> new Issued(rotated.key(), KeySecrets.whole(id, secret)));
    }

    @Override
    public boolean revoke(String id) {
        return changeLive(id, "revoking", e -> new Entry(e.key().revokedCopy(), e.salt(), e.hash(), e.version() + 1))
                .isPresent();
    }

    @Override
    public Optional<VirtualKey> update(String id, UnaryOperator<VirtualKey> change) {
        return changeLive(id, "changing", e -> {
            VirtualKey wanted = change.apply(e.key());
            long version = e.version() + 1;
            VirtualKey kept = new VirtualKey(id, wanted.name(), wanted.models(), wanted.budgetLimit(),
                    wanted.budgetWindow(), wanted.rpm(), wanted.tpm(), wanted.tags(), e.key().createdAt(),
                    wanted.expiresAt(), false, e.key().rotatedAt(),
                    wanted.startsNewBudgetCount(e.key()) ? version : e.key().budgetGeneration());
            return new Entry(kept, e.salt(), e.hash(), version);
        }).map(Entry::key);
    }

    /**
     * Applies {@code change} to a live key and stores the result, if the stored key is still the one changed; if
     * another replica changed it first, reads its state and applies {@code change} again.
     *
     * @return the changed entry, or empty if no live key has that id
     */
    private synchronized Optional<Entry> changeLive(String id, String what, UnaryOperator<Entry> change) {
        for (int attempt = 0; attempt < CHANGE_ATTEMPTS; attempt++) {
            Entry e = entries.get(id);
            if (e == null) {
                reloadChanged(id); // created on another replica since this one last read the keys?
                e = entries.get(id);
            }
            if (e == null || e.key().revoked()) {
                return Optional.empty();
            }
            Entry changed = change.apply(e);
            if (persistChange(e, changed)) {
                merge(changed);
                return Optional.of(changed);
            }
            reloadChanged(id);
        }
        throw new IllegalStateException("virtual key " + id + " kept changing on other replicas while this one was "
                + what + " it; try again");
    }

    /**
     * Keeps {@code fresh} unless this store already holds the same or a later state of its key.
     *
     * @return {@code true} if {@code fresh} was kept
     */
    final boolean merge(Entry fresh) {
        return entries.merge(fresh.key().id(), fresh, (held, candidate) -> candidate.newerThan(held) ? candidate
                : held) == fresh;
    }

    /** Stores a new entry durably; nothing to do in memory. */
    void persistNew(Entry entry) {}

    /**
     * Stores a change durably if the stored key is still at {@code before}'s version.
     *
     * @return {@code false} if another replica changed the key first
     */
    boolean persistChange(Entry before, Entry after) {
        return true;
    }

    /**
     * Called when a presented key is unknown here or its secret does not match: looks for a newer state of the key
     * (created or rotated on another replica) and keeps it.
     *
     * @param id the presented key's id
     * @param secret the secret presented with it, which a state read elsewhere may match
     * @return the key's latest state, if there is one
     */
    Optional<Entry> lookUpElsewhere(String id, String secret) {
        return Optional.empty();
    }

    /** Reads a key that a conditional write found changed; nothing can change it elsewhere in memory. */
    void reloadChanged(String id) {}

    @Override
    public void close() {}
}
