package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.keys.VirtualKey;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who sent a request.
 *
 * @param keyId the virtual key's id, {@code master} for the master key, or {@code anonymous} when the gateway runs
 *     without keys
 * @param key the virtual key, if the caller used one
 * @param admin {@code true} for the master key (and for anyone when no key is configured at all)
 * @param requestTags tags the request itself adds to its ledger rows (never one its key sets)
 */
public record Caller(String keyId, Optional<VirtualKey> key, boolean admin, Map<String, String> requestTags) {
    /** The caller of a gateway that has no keys configured. */
    public static final Caller ANONYMOUS = new Caller("anonymous", Optional.empty(), true, Map.of());
    /** The holder of the master key. */
    public static final Caller MASTER = new Caller("master", Optional.empty(), true, Map.of());
    /** The ids of the callers without a virtual key, which no virtual key may take. */
    public static final Set<String> RESERVED_KEY_IDS = Set.of(MASTER.keyId(), ANONYMOUS.keyId());

    public Caller {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(key, "key");
        requestTags = Map.copyOf(requestTags);
    }

    /** @return a caller using a virtual key */
    public static Caller of(VirtualKey key) {
        return new Caller(key.id(), Optional.of(key), false, Map.of());
    }

    /** @return this caller, with the tags its request adds */
    public Caller withRequestTags(Map<String, String> tags) {
        return tags.isEmpty() && requestTags.isEmpty() ? this : new Caller(keyId, key, admin, tags);
    }

    /**
     * @return the scope of this caller's own cache entries: {@code key:<id>} for a virtual key, else the bare
     *     {@code master} or {@code anonymous}, which no key id can produce, whatever id a key has
     */
    public String cacheScope() {
        return key.isPresent() ? "key:" + keyId : keyId;
    }

    /**
     * @param model a model, alias, group or pipeline name
     * @return whether this caller may call it: any name without a virtual key, else a name its key allows
     */
    public boolean mayUse(String model) {
        return key.isEmpty() || key.get().allows(model);
    }

    /** @return the tags its key sets (none without a virtual key) */
    public Map<String, String> keyTags() {
        return key.map(VirtualKey::tags).orElse(Map.of());
    }

    /** @return the tags recorded on this caller's ledger rows: the request's, the key's, and {@code key} */
    public Map<String, String> tags() {
        if (key.isEmpty() && requestTags.isEmpty()) {
            return Map.of("key", keyId);
        }
        java.util.HashMap<String, String> t = new java.util.HashMap<>(requestTags);
        t.putAll(keyTags());
        t.put("key", keyId);
        return t;
    }
}
