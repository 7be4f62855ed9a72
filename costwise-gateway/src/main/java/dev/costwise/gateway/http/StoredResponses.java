package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * The Responses API's stored responses ({@code store}, the default), so that a request may continue one with
 * {@code previous_response_id} and {@code GET} or {@code DELETE} it.
 *
 * <p>Each entry keeps only its own turn (the input items of its request and the output items of its answer) and the id
 * it continued, so memory grows with the conversation, not with its square; {@link #conversation} walks the chain back.
 * Entries live in this replica's memory for {@link #TTL} after they are written, within {@link #MAX_BYTES} in all
 * (Caffeine evicts the least used beyond that); a conversation one of whose turns is gone cannot be continued. An
 * entry is visible only to the key that created it. Thread-safe.
 */
final class StoredResponses {
    /** How long a response can be continued or read. */
    static final Duration TTL = Duration.ofHours(1);
    /** The memory all entries may take, counted as the length of their JSON. */
    static final long MAX_BYTES = 16L * 1024 * 1024;
    /** The longest chain {@link #conversation} follows. */
    private static final int MAX_TURNS = 10_000;

    private record Entry(String keyId, Optional<String> previousId, ArrayNode turn, ObjectNode response) {}

    private final Cache<String, Entry> entries;

    /** @param ticker the time TTLs are measured with */
    StoredResponses(Ticker ticker) {
        this.entries = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(TTL).maximumWeight(MAX_BYTES)
                .<String, Entry>weigher((id, e) -> weight(e)).build();
    }

    /**
     * @param id the response's id
     * @param keyId the key that created it
     * @param previousId the response it continued, if any
     * @param turn the request's input items and the answer's output items, in order
     * @param response the response as answered (for {@code GET})
     */
    void put(String id, String keyId, Optional<String> previousId, ArrayNode turn, ObjectNode response) {
        entries.put(id, new Entry(keyId, previousId, turn, response));
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
            Entry e = entries.getIfPresent(next.get());
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
        Entry e = entries.getIfPresent(id);
        return e == null || !e.keyId().equals(keyId) ? Optional.empty() : Optional.of(e.response().deepCopy());
    }

    /** @return {@code true} if the response was stored for this key and is now deleted */
    boolean delete(String id, String keyId) {
        Entry e = entries.getIfPresent(id);
        if (e == null || !e.keyId().equals(keyId)) {
            return false;
        }
        entries.invalidate(id);
        return true;
    }

    private static int weight(Entry e) {
        return (int) Math.min(Integer.MAX_VALUE, length(e.turn()) + length(e.response()) + 128);
    }

    private static long length(JsonNode node) {
        return node.toString().length();
    }
}
