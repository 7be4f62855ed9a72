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
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
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
 * as OpenAI keeps them), and a new turn keeps every earlier one of its conversation as long as itself, so a response
 * that can be read can be continued. They live in a {@link ResponseDocuments} store that outlives the process (Redis
 * when the gateway shares state there, else the ledger's database), so a restart or another replica can continue them;
 * with neither, or while the store cannot be reached or refuses an entry (whatever the failure, or an entry larger than
 * the store takes), in this replica's memory within {@link #MAX_BYTES} in all (Caffeine evicts the least used beyond
 * that), where they are found too. An entry that memory cannot hold either is not stored: {@link #put} says so, the
 * log names it, and continuing or reading it says it was never stored. A deleted response leaves a mark for the
 * TTL, without its turn or answer, so that continuing a later turn of its conversation is refused naming it as
 * deleted; a turn otherwise gone (expired before this rule, or evicted from memory) is named as expired. An entry is
 * visible only to the key that created it. Thread-safe.
 */
final class StoredResponses {
    /** The memory all entries may take, counted as the length of their JSON. */
    static final long MAX_BYTES = 16L * 1024 * 1024;
    /** How many ids of responses answered but not stored are remembered, to say so when one is asked for. */
    private static final int MAX_UNSTORED = 10_000;
    /** The longest chain {@link #conversation} follows. */
    private static final int MAX_TURNS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(StoredResponses.class);

    /** A response's own turn, or ({@code deleted}) the mark a deleted one leaves. */
    private record Entry(String keyId, Optional<String> previousId, ArrayNode turn, ObjectNode response,
            boolean deleted) {}

    /** A response cannot be continued: not stored for this key, or an earlier turn of it is gone. */
    static final class NotContinuable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean mayHaveExpired;

        NotContinuable(String message, boolean mayHaveExpired) {
            super(message);
            this.mayHaveExpired = mayHaveExpired;
        }

        /** @return {@code false} when the response is known never to have been stored: its TTL is beside the point */
        boolean mayHaveExpired() {
            return mayHaveExpired;
        }
    }

    private final Cache<String, Entry> entries;
    /** Ids answered but stored nowhere, and why: so that asking for one does not blame expiry or store: false. */
    private final Cache<String, String> unstored;
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
        // evictions run on the writing thread, so that put can tell whether memory kept the entry it was given
        this.entries = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(ttl).maximumWeight(MAX_BYTES)
                .<String, Entry>weigher((id, e) -> weight(e)).executor(Runnable::run).build();
        this.unstored = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(ttl).maximumSize(MAX_UNSTORED).build();
        this.ttl = ttl;
        this.durable = durable;
        this.json = json;
    }

    /** @return how long a response can be continued or read */
    Duration ttl() {
        return ttl;
    }

    /**
     * A stored conversation a request continues.
     *
     * @param items every item of the conversation, oldest first
     * @param ids the ids of its turns, newest (the one continued) first
     */
    record Conversation(ArrayNode items, List<String> ids) {}

    /**
     * @param id the response's id
     * @param keyId the key that created it
     * @param continued the conversation it continued, if any: its turns are kept as long as this one, so that what
     *     can be read can be continued
     * @param turn the request's input items and the answer's output items, in order
     * @param response the response as answered (for {@code GET})
     * @return {@code false} if it could not be stored anywhere (neither the store nor memory took it), so its id
     *     cannot be continued or read; the log names it
     */
    boolean put(String id, String keyId, Optional<Conversation> continued, ArrayNode turn, ObjectNode response) {
        boolean stored = write(id, new Entry(keyId, continued.map(c -> c.ids().getFirst()), turn, response, false));
        continued.ifPresent(c -> keep(c.ids()));
        return stored;
    }

    /**
     * @param id a response id
     * @param keyId the key asking
     * @return the conversation up to and including that response
     * @throws NotContinuable if it is not stored for this key, or one of its earlier turns is gone
     */
    Conversation conversation(String id, String keyId) {
        Deque<ArrayNode> turns = new ArrayDeque<>();
        List<String> ids = new ArrayList<>();
        String current = id;
        Optional<String> next = Optional.of(id);
        while (next.isPresent()) {
            String wanted = next.get();
            Entry e = find(wanted).filter(f -> f.keyId().equals(keyId)).orElse(null);
            Optional<String> whyNotStored = e == null ? Optional.ofNullable(unstored.getIfPresent(wanted))
                    : Optional.empty();
            if (wanted.equals(id) && (e == null || e.deleted())) {
                throw new NotContinuable(whyNotStored.map(why -> notStored(id, why))
                        .orElse("no stored response '" + id + "' for this key"), whyNotStored.isEmpty());
            }
            if (e == null || e.deleted()) {
                throw new NotContinuable("response '" + id + "' continues '" + wanted + "'"
                        + (current.equals(id) ? "" : " (through '" + current + "')") + ", which "
                        + (e != null ? "was deleted" : whyNotStored.isPresent() ? "was never stored"
                        : "has expired") + ", so its conversation cannot be continued; send the earlier turns in input "
                        + "instead", false);
            }
            if (turns.size() >= MAX_TURNS) {
                throw new NotContinuable("the conversation of '" + id + "' is longer than " + MAX_TURNS + " turns",
                        false);
            }
            turns.addFirst(e.turn());
            ids.add(wanted);
            current = wanted;
            next = e.previousId();
        }
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        turns.forEach(items::addAll);
        return new Conversation(items, List.copyOf(ids));
    }

    /** @return the stored response, if it is stored for this key */
    Optional<ObjectNode> response(String id, String keyId) {
        return find(id).filter(e -> e.keyId().equals(keyId) && !e.deleted()).map(e -> e.response().deepCopy());
    }

    /** @return why a response answered by this replica was not stored, if it was answered here and not stored */
    Optional<String> notStored(String id) {
        return Optional.ofNullable(unstored.getIfPresent(id)).map(why -> notStored(id, why));
    }

    private static String notStored(String id, String why) {
        return "response '" + id + "' was answered but never stored (" + why + "), so it cannot be read or continued;"
                + " send its turns in input instead";
    }

    /**
     * Forgets a response's turn and answer. What remains until the TTL is over is a mark that it was deleted, so that
     * continuing a later turn of its conversation says so.
     *
     * @return {@code true} if the response was stored for this key and is now deleted
     */
    boolean delete(String id, String keyId) {
        if (find(id).filter(e -> e.keyId().equals(keyId) && !e.deleted()).isEmpty()) {
            return false;
        }
        Entry mark = new Entry(keyId, Optional.empty(), JsonNodeFactory.instance.arrayNode(),
                JsonNodeFactory.instance.objectNode(), true);
        entries.invalidate(id);
        if (durable.isPresent()) {
            try {
                durable.get().put(id, encode(mark), ttl);
                return true;
            } catch (ResponseDocuments.Unavailable e) {
                LOG.warn("response {} stays stored until it expires: {}", id, e.getMessage());
            }
        }
        entries.put(id, mark);
        return true;
    }

    /**
     * Stores an entry in the durable store, else (with none, or when it fails to take it, however) in memory.
     *
     * @return {@code false} if memory could not hold it either
     */
    private boolean write(String id, Entry entry) {
        if (durable.isPresent()) {
            try {
                durable.get().put(id, encode(entry), ttl);
                return true;
            } catch (RuntimeException e) {
                // an answer already billed and sent: whatever the store's failure, memory is the fallback
                LOG.warn("response {} kept in this replica's memory only: {}", id, e.getMessage());
            }
        }
        int weight = weight(entry);
        if (weight < MAX_BYTES) {
            entries.put(id, entry);
            if (entries.policy().getIfPresentQuietly(id) != null) {
                return true;
            }
        }
        String why = weight >= MAX_BYTES ? "its " + weight + " characters are more than the " + MAX_BYTES
                + " this replica's memory keeps stored responses in"
                : "this replica's memory for stored responses, " + MAX_BYTES + " characters, is full";
        unstored.put(id, (durable.isPresent() ? "the response store did not take it and " : "") + why);
        LOG.warn("response {} answered but not stored, so it cannot be continued: {}", id, why);
        return false;
    }

    /** Keeps entries for the TTL from now wherever they are, without changing them. */
    private void keep(List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        durable.ifPresent(s -> {
            try {
                s.keep(ids, ttl);
            } catch (RuntimeException e) {
                LOG.warn("responses {}... expire with their own turns: {}", ids.getFirst(), e.getMessage());
            }
        });
        // a new instance is a write, which Caffeine's expireAfterWrite counts from
        ids.forEach(id -> entries.asMap().computeIfPresent(id, (k, e) -> new Entry(e.keyId(), e.previousId(),
                e.turn(), e.response(), e.deleted())));
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
        if (e.deleted()) {
            node.put("deleted", true);
        }
        node.set("turn", e.turn());
        node.set("response", e.response());
        return node.toString();
    }

    private Entry decode(String stored) {
        try {
            JsonNode node = json.readTree(stored);
            return new Entry(node.path("key").asText(), Optional.ofNullable(node.path("previous").textValue()),
                    (ArrayNode) node.get("turn"), (ObjectNode) node.get("response"),
                    node.path("deleted").asBoolean(false));
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
