package dev.costwise.gateway.keys;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Virtual keys created through the admin API. Keys are stored hashed (SHA-256 of a per-key random salt and the
 * secret), so the secret is shown once, at creation or rotation, and can never be read back.
 *
 * <p>A key reads {@code sk-cw-<id>-<secret>}: the id finds the record, the salted hash verifies the secret in constant
 * time. Implementations are thread-safe.
 */
public interface VirtualKeyStore extends AutoCloseable {

    /**
     * Creates a key.
     *
     * @param spec what the key may do (its {@code id}, {@code createdAt} and {@code revoked} are ignored)
     * @return the key and its secret, shown once
     */
    Issued create(VirtualKey spec);

    /**
     * Finds the key a caller presented.
     *
     * @param presented the whole key from the {@code Authorization} header
     * @return the key, if it exists, is not revoked and the secret matches
     */
    Optional<VirtualKey> verify(String presented);

    /** @return every key, revoked ones included, without secrets */
    List<VirtualKey> list();

    /**
     * Whether any key is live: neither revoked nor expired. Asked on every request of a gateway without a master key
     * (which is open only while no key is live), so implementations answer from memory.
     *
     * @param now the time expiries are judged at
     * @return {@code true} if some key is live
     */
    default boolean anyLive(Instant now) {
        return list().stream().anyMatch(k -> !k.revoked() && !k.expiredAt(now));
    }

    /**
     * Replaces a key's secret; the old one stops working at once.
     *
     * @param id the key's id
     * @return the key and its new secret, or empty if no live key has that id
     * @throws IllegalStateException if other replicas kept changing the key while this one tried to rotate it
     */
    Optional<Issued> rotate(String id);

    /**
     * Changes a live key's settings (name, models, budget, limits, tags, expiry); its secret, id and creation time
     * stay, so callers keep using the key they have.
     *
     * @param id the key's id
     * @param change from the key as it is to the key as it should be; called again if another replica changed the
     *     key meanwhile, and may throw to refuse the change
     * @return the changed key, or empty if no live key has that id
     * @throws IllegalStateException if other replicas kept changing the key while this one tried to change it
     */
    Optional<VirtualKey> update(String id, UnaryOperator<VirtualKey> change);

    /**
     * Revokes a key.
     *
     * @param id the key's id
     * @return {@code true} if a live key was revoked
     * @throws IllegalStateException if other replicas kept changing the key while this one tried to revoke it
     */
    boolean revoke(String id);

    @Override
    void close();

    /**
     * A key and its secret, returned once.
     *
     * @param key the record
     * @param secret the whole key to give the caller
     */
    record Issued(VirtualKey key, String secret) {
        @Override
        public String toString() {
            return "Issued[" + key.id() + "]";
        }
    }
}
