package dev.costwise.redis;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.params.SetParams;

/**
 * Documents (text, typically JSON) that every process on the same Redis and key prefix can read for a while, under
 * {@code <prefix>:doc:<kind>:<id>}. One round trip per call; Redis expires them. Thread-safe.
 */
public final class RedisDocuments {
    private final RedisConnection redis;
    private final String kind;

    private RedisDocuments(RedisConnection redis, String kind) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.kind = Objects.requireNonNull(kind, "kind");
        if (kind.isBlank() || kind.contains(":")) {
            throw new IllegalArgumentException("a document kind is a word without ':', was '" + kind + "'");
        }
    }

    /**
     * @param redis the connection
     * @param kind the kind of document, part of each key (such as {@code response})
     * @return the documents of that kind
     */
    public static RedisDocuments on(RedisConnection redis, String kind) {
        return new RedisDocuments(redis, kind);
    }

    /**
     * Stores a document, replacing one of the same id.
     *
     * @param id its id
     * @param document its text
     * @param ttl how long Redis keeps it
     * @throws RedisUnavailableException if Redis cannot be reached
     */
    public void put(String id, String document, Duration ttl) {
        long millis = Math.max(1, ttl.toMillis());
        redis.call(c -> c.set(key(id), document, SetParams.setParams().px(millis)));
    }

    /**
     * @param id an id
     * @return the document, if stored and not expired
     * @throws RedisUnavailableException if Redis cannot be reached
     */
    public Optional<String> get(String id) {
        return Optional.ofNullable(redis.call(c -> c.get(key(id))));
    }

    /**
     * Keeps a stored document for {@code ttl} from now, leaving its text as it is; nothing if none is stored.
     *
     * @param id its id
     * @param ttl how long Redis keeps it from now
     * @throws RedisUnavailableException if Redis cannot be reached
     */
    public void keep(String id, Duration ttl) {
        long millis = Math.max(1, ttl.toMillis());
        redis.call(c -> c.pexpire(key(id), millis));
    }

    /**
     * @param id an id
     * @return {@code true} if a document was there and is now gone
     * @throws RedisUnavailableException if Redis cannot be reached
     */
    public boolean delete(String id) {
        return redis.call(c -> c.del(key(id))) > 0;
    }

    private String key(String id) {
        return redis.key("doc", kind, id);
    }
}
