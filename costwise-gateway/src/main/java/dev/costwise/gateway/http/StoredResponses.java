package dev.costwise.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.redis.RedisDocuments;
import dev.costwise.redis.RedisUnavailableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Responses API's stored responses ({@code store}, the default), so that a request may continue one with
 * {@code previous_response_id} and {@code GET} or {@code DELETE} it.
 *
 * <p>Each entry keeps only its own turn (the input items of its request and the output items of its answer) and the id
 * it continued, so memory grows with the conversation, not with its square; {@link #conversation} walks the chain back.
 * Entries live for {@link #TTL} after they are written: in Redis when the gateway shares state there (so any replica
 * can continue a response another stored), else in this replica's memory within {@link #MAX_BYTES} in all (Caffeine
 * evicts the least used beyond that). While Redis is down, new entries go to memory and are found there. A
 * conversation one of whose turns is gone cannot be continued. An entry is visible only to the key that created it.
 * Thread-safe.
 */
final class StoredResponses {
    /** How long a response can be continued or read. */
    static final Duration TTL = Duration.ofHours(1);
    /** The memory all entries may take, counted as the length of their JSON. */
    static final long MAX_BYTES = 16L * 1024 * 1024;
    /** The longest chain {@link #conversation} follows. */
    private static final int MAX_TURNS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(StoredResponses.class);

    private record Entry(String keyId, Optional<String> previousId, ArrayNode turn, ObjectNode response) {}

    private final Cache<String, Entry> entries;
    private final Optional<RedisDocuments> shared;
    private final ObjectMapper json;

    /**
     * @param ticker the time TTLs in memory are measured with
     * @param shared where replicas share entries, if the gateway shares state in Redis
     * @param json writes and reads the shared entries
     */
    StoredResponses(Ticker ticker, Optional<RedisDocuments> shared, ObjectMapper json) {
        this.entries = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(TTL).maximumWeight(MAX_BYTES)
                .<String, Entry>weigher((id, e) -> weight(e)).build();
        this.shared = shared;
        this.json = json;
    }

    /**
     * @param id the response's id
     * @param keyId the key that created it
     * @param previousId the response it continued, if any
     * @param turn the request's input items and the answer's output items, in order
     * @param response the response as answered (for {@code GET})
     */
    void put(String id, String keyId, Optional<String> previousId, ArrayNode turn, ObjectNode response) {
        Entry entry = new Entry(keyId, previousId, turn, response);
        if (shared.isPresent()) {
            try {
                shared.get().put(id, encode(entry), TTL);
                return;
            } catch (RedisUnavailableException e) {
                LOG.debug("response {} kept in this replica's memory: {}", id, e.getMessage());
            }
        }
        entries.put(id, entry);
    }

    /**
     * @param id a response id
     * @param keyId the key asking
     * @return every item of the conversation up to and including that response, oldest first; empty if it (or an
     *     earlier turn) is not stored for this key
     */
    Optional<ArrayNode> conversation(String id, String keyId) {
        Deque<ArrayNode> turns = new ArrayDeque<>();
        Optional<String> next = Optional.of(id);
        while (next.isPresent()) {
            Entry e = find(next.get()).orElse(null);
            if (e == null || !e.keyId().equals(keyId) || turns.size() >= MAX_TURNS) {
                return Optional.empty();
            }
            turns.addFirst(e.turn());
            next = e.previousId();
        }
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        turns.forEach(items::addAll);
        return Optional.of(items);
    }

    /** @return the stored response, if it is stored for this key */
    Optional<ObjectNode> response(String id, String keyId) {
        return find(id).filter(e -> e.keyId().equals(keyId)).map(e -> e.response().deepCopy());
    }

    /** @return {@code true} if the response was stored for this key and is now deleted */
    boolean delete(String id, String keyId) {
        if (find(id).filter(e -> e.keyId().equals(keyId)).isEmpty()) {
            return false;
        }
        entries.invalidate(id);
        shared.ifPresent(s -> {
            try {
                s.delete(id);
            } catch (RedisUnavailableException e) {
                LOG.warn("response {} stays in Redis until it expires: {}", id, e.getMessage());
            }
        });
        return true;
    }

    /** The entry in Redis, else in memory (written while Redis was down, or with no Redis at all). */
    private Optional<Entry> find(String id) {
        if (shared.isPresent()) {
            try {
                Optional<String> stored = shared.get().get(id);
                if (stored.isPresent()) {
                    return Optional.of(decode(stored.get()));
                }
            } catch (RedisUnavailableException e) {
                LOG.debug("response {} looked up in this replica's memory: {}", id, e.getMessage());
            }
        }
        return Optional.ofNullable(entries.getIfPresent(id));
    }

    private String encode(Entry e) {
        ObjectNode node = json.createObjectNode().put("key", e.keyId());
        e.previousId().ifPresent(p -> node.put("previous", p));
        node.set("turn", e.turn());
        node.set("response", e.response());
        return node.toString();
    }

    private Entry decode(String stored) {
        try {
            JsonNode node = json.readTree(stored);
            return new Entry(node.path("key").asText(), Optional.ofNullable(node.path("previous").textValue()),
                    (ArrayNode) node.get("turn"), (ObjectNode) node.get("response"));
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("a stored response in Redis is not one this gateway wrote", e);
        }
    }

    private static int weight(Entry e) {
        return (int) Math.min(Integer.MAX_VALUE, length(e.turn()) + length(e.response()) + 128);
    }

    private static long length(JsonNode node) {
        return node.toString().length();
    }
}
