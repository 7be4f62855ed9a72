package dev.costwise.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The answers of shared cache entries that this replica holds right now, by entry id: so that concurrent hits of one
 * Redis entry share one decoded answer instead of decoding a copy each (six hits of a 14 MB answer, each with its own
 * copy beside the compressed entry, need more than the launcher's whole heap). An answer is held weakly: as long as
 * a request on this replica holds it (a hit being written to its client, the miss that stored it), no longer; the
 * cache itself stays in Redis. Concurrent decodes of one entry wait for the first. Each stored entry has a new id,
 * so an answer is never confused with another one stored for the same key. Thread-safe.
 */
final class LiveSharedAnswers {
    private final Cache<String, ResponseCacheStore.Entry> live = Caffeine.newBuilder().weakValues()
            .executor(Runnable::run).build();
    private final ConcurrentHashMap<String, CompletableFuture<ResponseCacheStore.Entry>> decoding =
            new ConcurrentHashMap<>();

    /** Decodes an entry's answer. */
    interface Decoder {
        ResponseCacheStore.Entry decode() throws IOException;
    }

    /**
     * @param entry an answer being stored
     * @return the new id its stored entry carries; the answer is held for hits of that id while its storer holds it
     */
    String storing(ResponseCacheStore.Entry entry) {
        String id = UUID.randomUUID().toString();
        live.put(id, entry);
        return id;
    }

    /**
     * @param id the stored entry's id
     * @param decoder decodes this request's copy of the entry: only when no request here holds its answer already
     * @return the answer, shared with every other request here that reads the same entry meanwhile
     * @throws IOException if the decoder fails (a request that waited for another's failed decode decodes its own)
     */
    ResponseCacheStore.Entry shared(String id, Decoder decoder) throws IOException {
        ResponseCacheStore.Entry held = live.getIfPresent(id);
        if (held != null) {
            return held;
        }
        CompletableFuture<ResponseCacheStore.Entry> mine = new CompletableFuture<>();
        CompletableFuture<ResponseCacheStore.Entry> first = decoding.putIfAbsent(id, mine);
        if (first != null) {
            try {
                return first.join();
            } catch (CompletionException e) {
                return decoder.decode(); // its bytes failed: these may not
            }
        }
        try {
            ResponseCacheStore.Entry decoded = decoder.decode();
            live.put(id, decoded);
            mine.complete(decoded);
            return decoded;
        } catch (IOException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            decoding.remove(id, mine);
        }
    }
}
