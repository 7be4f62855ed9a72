package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.keys.VirtualKey;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who sent a request.
 *
 * @param keyId the virtual key's id, {@code master} for the master key, or {@code anonymous} when the gateway runs
 *     without keys
 * @param key the virtual key, if the caller used one
 * @param admin {@code true} for the master key (and for anyone when no key is configured at all)
 */
public record Caller(String keyId, Optional<VirtualKey> key, boolean admin) {
    /** The caller of a gateway that has no keys configured. */
    public static final Caller ANONYMOUS = new Caller("anonymous", Optional.empty(), true);
    /** The holder of the master key. */
    public static final Caller MASTER = new Caller("master", Optional.empty(), true);

    public Caller {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(key, "key");
    }

    /** @return a caller using a virtual key */
    public static Caller of(VirtualKey key) {
        return new Caller(key.id(), Optional.of(key), false);
    }

    /** @return the tags recorded on this caller's ledger rows */
    public Map<String, String> tags() {
        if (key.isEmpty()) {
            return Map.of("key", keyId);
        }
        java.util.HashMap<String, String> t = new java.util.HashMap<>(key.get().tags());
        t.put("key", keyId);
        return t;
    }
}
