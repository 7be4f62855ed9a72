package dev.costwise.gateway.http;

import dev.costwise.redis.RedisDocuments;
import dev.costwise.redis.RedisUnavailableException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * Where the Responses API's stored responses outlive the process: Redis when replicas share state there, else the
 * ledger's database. Each document expires after the TTL it was put with. Implementations are thread-safe.
 */
public interface ResponseDocuments {

    /**
     * Stores a document, replacing one of the same id.
     *
     * @param id its id
     * @param document its text
     * @param ttl how long it is kept
     * @throws Unavailable if the store cannot be reached
     */
    void put(String id, String document, Duration ttl);

    /**
     * @param id an id
     * @return the document, if stored and not expired
     * @throws Unavailable if the store cannot be reached
     */
    Optional<String> get(String id);

    /**
     * Keeps stored documents for {@code ttl} from now, leaving their text as it is; ids not stored are skipped.
     *
     * @param ids their ids
     * @param ttl how long they are kept from now
     * @throws Unavailable if the store cannot be reached
     */
    void keep(Collection<String> ids, Duration ttl);

    /**
     * @param id an id
     * @throws Unavailable if the store cannot be reached
     */
    void delete(String id);

    /** The store could not be reached; the caller keeps the document in memory meanwhile. */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what failed, without secrets
         * @param cause the store's own failure
         */
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param redis the response documents in Redis
     * @return them as a store of stored responses
     */
    static ResponseDocuments redis(RedisDocuments redis) {
        return new ResponseDocuments() {
            @Override
            public void put(String id, String document, Duration ttl) {
                call(() -> {
                    redis.put(id, document, ttl);
                    return null;
                });
            }

            @Override
            public Optional<String> get(String id) {
                return call(() -> redis.get(id));
            }

            @Override
            public void keep(Collection<String> ids, Duration ttl) {
                call(() -> {
                    ids.forEach(id -> redis.keep(id, ttl));
                    return null;
                });
            }

            @Override
            public void delete(String id) {
                call(() -> redis.delete(id));
            }

            private <T> T call(java.util.function.Supplier<T> op) {
                try {
                    return op.get();
                } catch (RedisUnavailableException e) {
                    throw new Unavailable(e.getMessage(), e);
                }
            }
        };
    }
}
