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
     * @throws IllegalArgumentException if the document is larger than the store takes
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
     * @param maxBytes the largest document put there ({@code redis.max_entry_size}): every replica reads one back whole
     *     within the Redis timeout, which a larger one may well exceed
     * @return them as a store of stored responses
     */
    static ResponseDocuments redis(RedisDocuments redis, long maxBytes) {
        return new ResponseDocuments() {
            @Override
            public void put(String id, String document, Duration ttl) {
                long bytes = utf8Length(document);
                if (bytes > maxBytes) {
                    throw new IllegalArgumentException("its " + bytes + " bytes are more than redis.max_entry_size, "
                            + maxBytes);
                }
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

            private static long utf8Length(String s) {
                long bytes = 0;
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a pair: 4
                }
                return bytes;
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
