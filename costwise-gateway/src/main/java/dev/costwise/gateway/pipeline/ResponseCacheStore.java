package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.CacheScope;
import dev.costwise.gateway.config.GatewayConfig.CacheSettings;
import dev.costwise.llm.chat.Usage;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caches whole answers per pipeline, keyed by the SHA-256 of the canonical request (every field that changes the
 * output, with object keys sorted; {@code stream}, {@code stream_options}, {@code user} and {@code metadata} left out)
 * and scoped per virtual key unless the pipeline shares its cache. Errors are never cached. Thread-safe.
 */
public final class ResponseCacheStore {
    private static final Set<String> NOT_IN_KEY = Set.of("stream", "stream_options", "user", "metadata");

    private final ConcurrentHashMap<String, Cache<String, Entry>> caches = new ConcurrentHashMap<>();
    private final ObjectWriter canonical;
    private final Ticker ticker;

    /**
     * A cached answer.
     *
     * @param body the completion JSON as first answered
     * @param usage the tokens it used
     * @param modelUsed the model that answered
     * @param cost what it cost the first time (a hit saves this much)
     * @param route the route it took
     */
    public record Entry(byte[] body, Usage usage, String modelUsed, Money cost, String route) {}

    /**
     * @param json the shared mapper
     * @param ticker measures TTLs
     */
    public ResponseCacheStore(ObjectMapper json, Ticker ticker) {
        this.canonical = json.writer().with(JsonNodeFeature.WRITE_PROPERTIES_SORTED);
        this.ticker = ticker;
    }

    /**
     * The key of a request.
     *
     * @param settings the pipeline's cache settings
     * @param pipeline the pipeline's name
     * @param keyId the caller's key id ({@code anonymous} or {@code master} without a virtual key)
     * @param request the request body
     * @return the key
     */
    public String key(CacheSettings settings, String pipeline, String keyId, ObjectNode request) {
        ObjectNode copy = request.deepCopy();
        copy.remove(NOT_IN_KEY);
        String scope = settings.scope() == CacheScope.SHARED ? "*" : keyId;
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return scope + "|" + pipeline + "|" + HexFormat.of().formatHex(md.digest(canonical.writeValueAsBytes(
                    copy)));
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot hash a JSON tree", e);
        }
    }

    /** @return the cached answer, if any */
    public Optional<Entry> get(String pipeline, CacheSettings settings, String key) {
        return Optional.ofNullable(cache(pipeline, settings).getIfPresent(key));
    }

    /** Stores an answer. */
    public void put(String pipeline, CacheSettings settings, String key, Entry entry) {
        cache(pipeline, settings).put(key, entry);
    }

    /** @return entries held across every pipeline */
    public long size() {
        return caches.values().stream().mapToLong(Cache::estimatedSize).sum();
    }

    private Cache<String, Entry> cache(String pipeline, CacheSettings settings) {
        return caches.computeIfAbsent(pipeline, p -> Caffeine.newBuilder().ticker(ticker)
                .expireAfterWrite(settings.ttl()).maximumSize(settings.maxEntries()).build());
    }

}
