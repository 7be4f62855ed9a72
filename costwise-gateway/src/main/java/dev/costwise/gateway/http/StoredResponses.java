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
 * it continued, so storage grows with the conversation, not with its square; {@link #conversation} walks the chain
 * back. Entries live for the configured TTL after they are written ({@code server.responses_ttl}, 30 days by default,
 * as OpenAI keeps them): in a {@link ResponseDocuments} store that outlives the process (Redis when the gateway shares
 * state there, else the ledger's database), so a restart or another replica can continue them; with neither, or while
 * the store cannot be reached, in this replica's memory within {@link #MAX_BYTES} in all (Caffeine evicts the least
 * used beyond that), where they are found too. A conversation one of whose turns is gone cannot be continued. An entry
 * is visible only to the key that created it. Thread-safe.
 */
final class StoredResponses {
    /** The memory all entries may take, counted as the length of their JSON. */
    static final long MAX_BYTES = 16L * 1024 * 1024;
    /** The longest chain {@link #conversation} follows. */
    private static final int MAX_TURNS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(StoredResponses.class);

    private record Entry(String keyId, Optional<String> previousId, ArrayNode turn, ObjectNode response) {}

    private final Cache<String, Entry> entries;
    private final Duration ttl;
    private final Optional<ResponseDocuments> durable;
    private final ObjectMapper json;

    /**
     * @param ticker the time TTLs in memory are measured with
     * @param ttl how long a response can be continued or read
     * @param durable the store that outlives this process, if any
     * @param json writes and reads the stored entries
     */
    StoredResponses(Ticker ticker, Duration ttl, Optional<ResponseDocuments> durable, ObjectMapper json) {
        this.entries = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(ttl).maximumWeight(MAX_BYTES)
                .<String, Entry>weigher((id, e) -> weight(e)).build();
        this.ttl = ttl;
        this.durable = durable;
        this.json = json;
    }

    /** @return how long a response can be continued or read */
    Duration ttl() {
        return ttl;
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
        if (durable.isPresent()) {
            try {
                durable.get().put(id, encode(entry), ttl);
                return;
            } catch (ResponseDocuments.Unavailable e) {
                LOG.warn("response {} kept in this replica's memory only: {}", id, e.getMessage());
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
        durable.ifPresent(s -> {
            try {
                s.delete(id);
            } catch (ResponseDocuments.Unavailable e) {
                LOG.warn("response {} stays stored until it expires: {}", id, e.getMessage());
            }
        });
        return true;
    }

    /** The entry in the durable store, else in memory (written while the store was down, or with none at all). */
    private Optional<Entry> find(String id) {
        if (durable.isPresent()) {
            try {
                Optional<String> stored = durable.get().get(id);
                if (stored.isPresent()) {
                    return Optional.of(decode(stored.get()));
                }
            } catch (ResponseDocuments.Unavailable e) {
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
            throw new IllegalStateException("a stored response is not one this gateway wrote", e);
        }
    }

    private static int weight(Entry e) {
        return (int) Math.min(Integer.MAX_VALUE, length(e.turn()) + length(e.response()) + 128);
    }

    private static long length(JsonNode node) {
        return node.toString().length();
    }
}
