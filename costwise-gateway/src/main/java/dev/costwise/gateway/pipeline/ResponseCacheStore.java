package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.CacheScope;
import dev.costwise.gateway.config.GatewayConfig.CacheSettings;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.llm.cache.RequestBodyKey;
import dev.costwise.llm.chat.Usage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caches whole answers per pipeline, keyed by the SHA-256 of the canonical request ({@link RequestBodyKey}, which
 * the planner's replay keys on too: every field that changes the output, with object keys sorted; {@code stream},
 * {@code stream_options}, {@code user} and {@code metadata} left out) and scoped per virtual key unless the pipeline
 * shares its cache. Errors are never cached. With
 * {@link SharedResponseEntries} (config {@code redis.url}) entries live in Redis and are shared by every replica.
 *
 * <p>Local entries are bounded twice: per pipeline by {@code max_entries}, and for every pipeline together by a byte
 * budget ({@code server.cache_memory}, default a quarter of the heap), because each model name has its own pipeline
 * and sixty models of 10,000 entries each would otherwise outgrow any small heap. When the budget is spent a new
 * answer is not cached until expiry or eviction frees room: {@link #rejectedForMemory()} counts it, and so does
 * {@code costwise_cache_not_stored_total{reason="memory_full"}}, and the log says so at most every five minutes
 * ({@link UncachedAnswers}). Thread-safe.
 */
public final class ResponseCacheStore {
    private final ConcurrentHashMap<String, Cache<String, Entry>> caches = new ConcurrentHashMap<>();
    private final RequestBodyKey bodyKey;
    private final Ticker ticker;
    private final Optional<SharedResponseEntries> shared;
    private final long memoryBudget;
    private final AtomicLong memoryUsed = new AtomicLong();
    private final UncachedAnswers uncached;

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
        this(json, ticker, Optional.empty(), Runtime.getRuntime().maxMemory() / 4,
                new UncachedAnswers(new SimpleMeterRegistry(), ticker));
    }

    /**
     * @param json the shared mapper
     * @param ticker measures TTLs of local entries
     * @param redis when replicas share cache entries through Redis, the connection to it: entries then live there
     *     instead of in this process
     * @param memoryBudget the most bytes local entries of every pipeline hold together
     * @param registry where the count of answers not cached, by reason, is kept
     * @return the cache
     */
    public static ResponseCacheStore create(ObjectMapper json, Ticker ticker, Optional<RedisSharing> redis,
            long memoryBudget, MeterRegistry registry) {
        return new ResponseCacheStore(json, ticker, redis.map(RedisSharing::entries), memoryBudget,
                new UncachedAnswers(registry, ticker));
    }

    ResponseCacheStore(ObjectMapper json, Ticker ticker, Optional<SharedResponseEntries> shared, long memoryBudget,
            UncachedAnswers uncached) {
        if (memoryBudget <= 0) {
            throw new IllegalArgumentException("memoryBudget must be positive, was " + memoryBudget);
        }
        this.bodyKey = new RequestBodyKey(json);
        this.ticker = ticker;
        this.shared = shared;
        this.memoryBudget = memoryBudget;
        this.uncached = uncached;
    }

    /**
     * @return {@code true} when entries live in Redis: a miss there also takes the key's fill lock or waits for its
     *     holder, so concurrent identical misses across every replica, this one included, make one upstream call
     */
    public boolean sharedAcrossReplicas() {
        return shared.isPresent();
    }

    /** @return {@code true} while the shared store is unreachable: requests skip the cache ({@code bypass}) */
    public boolean bypassed() {
        return shared.isPresent() && shared.get().bypassed();
    }

    /**
     * Gives up this request's claim to fill {@code key} after its call failed, so another request may fill it.
     * Nothing to do for a local cache.
     *
     * @param key the key
     */
    public void abandon(String key) {
        shared.ifPresent(s -> s.abandon(key));
    }

    /**
     * Gives up this request's claim to fill {@code key} after its call failed upstream: with a shared store, the
     * requests on every replica that waited for it answer with the same failure when it is a provider's transient one
     * ({@link SharedFillFailure}), rather than each retrying the failing provider. Nothing to do for a local cache.
     *
     * @param key the key
     * @param failure how the call failed
     */
    public void abandonFailed(String key, GatewayException.UpstreamFailed failure) {
        shared.ifPresent(s -> s.abandon(key, SharedFillFailure.encode(failure)));
    }

    /** Gives up every fill this request (thread) claimed and did not store: its call failed or was not cached. */
    public void abandonUnfilled() {
        shared.ifPresent(SharedResponseEntries::abandonAll);
    }

    /**
     * The key of a request.
     *
     * @param settings the pipeline's cache settings
     * @param pipeline the pipeline's name
     * @param callerScope the caller's own scope ({@link Caller#cacheScope()}), unless the pipeline shares its cache
     * @param request the request body
     * @return the key
     */
    public String key(CacheSettings settings, String pipeline, String callerScope, ObjectNode request) {
        String scope = settings.scope() == CacheScope.SHARED ? "*" : callerScope;
        return scope + "|" + pipeline + "|" + bodyKey.digest(request);
    }

    /** @return the cached answer, if any; with a shared store a miss also claims the fill (or waits for it) */
    public Optional<Entry> get(String pipeline, CacheSettings settings, String key) {
        return get(pipeline, settings, key, SharedResponseEntries.LOCK_WAIT);
    }

    /**
     * @param maxWait the longest to wait for another replica filling the same key (the request's time left)
     * @return the cached answer, if any; with a shared store a miss also claims the fill (or waits for it)
     */
    public Optional<Entry> get(String pipeline, CacheSettings settings, String key, Duration maxWait) {
        if (shared.isPresent()) {
            return shared.get().getOrLock(key, maxWait);
        }
        return Optional.ofNullable(cache(pipeline, settings).getIfPresent(key));
    }

    /**
     * Stores an answer. In Redis, one larger than {@code redis.max_entry_size} is not stored (and counted as
     * {@code too_large}): every replica must be able to read back what one writes.
     */
    public void put(String pipeline, CacheSettings settings, String key, Entry entry) {
        if (shared.isPresent()) {
            SharedResponseEntries s = shared.get();
            if (!s.fits(entry)) {
                uncached.skipped(UncachedAnswers.Reason.TOO_LARGE, () -> "an answer of " + entry.body().length
                        + " bytes was not cached: it is over redis.max_entry_size (" + s.maxEntryBytes() + " bytes), "
                        + "the largest entry every replica reads back; raise it if the replicas' heaps have room");
            }
            s.put(key, entry, settings.ttl()); // drops the fill lock, stored or not
            return;
        }
        long weight = weight(key, entry);
        if (!reserveMemory(weight)) {
            // Expired entries of caches nobody reads stay until maintenance runs: run it, then try once more.
            caches.values().forEach(Cache::cleanUp);
            if (!reserveMemory(weight)) {
                uncached.skipped(UncachedAnswers.Reason.MEMORY_FULL, () -> "response cache full: an answer of "
                        + weight + " bytes was not cached, as entries not yet expired hold " + memoryUsed.get()
                        + " of its " + memoryBudget + " bytes (server.cache_memory); repeats of such answers are paid "
                        + "misses until entries expire. Raise server.cache_memory (or the heap), or lower the "
                        + "pipelines' cache ttl or max_entries");
                return;
            }
        }
        cache(pipeline, settings).asMap().merge(key, entry, (old, fresh) -> {
            memoryUsed.addAndGet(-weight(key, old)); // a replaced entry gives its bytes back
            return fresh;
        });
    }

    private boolean reserveMemory(long weight) {
        if (memoryUsed.addAndGet(weight) <= memoryBudget) {
            return true;
        }
        memoryUsed.addAndGet(-weight);
        return false;
    }

    /** @return bytes held by local entries (an estimate: bodies, keys and a fixed overhead per entry) */
    public long memoryUsed() {
        return memoryUsed.get();
    }

    /** @return answers not cached because the byte budget was spent */
    public long rejectedForMemory() {
        return uncached.count(UncachedAnswers.Reason.MEMORY_FULL);
    }

    /** Bytes an entry holds: its body, its key (Latin-1 hex) and ~200 bytes of objects around them. */
    private static long weight(String key, Entry entry) {
        return entry.body().length + key.length() + 200L;
    }

    /** @return entries held across every pipeline */
    public long size() {
        return caches.values().stream().mapToLong(Cache::estimatedSize).sum();
    }

    private Cache<String, Entry> cache(String pipeline, CacheSettings settings) {
        return caches.computeIfAbsent(pipeline, p -> Caffeine.newBuilder().ticker(ticker)
                .expireAfterWrite(settings.ttl()).maximumSize(settings.maxEntries())
                // Expired and evicted entries give their bytes back (not replaced ones: put does that itself).
                .<String, Entry>evictionListener((k, v, cause) -> memoryUsed.addAndGet(-weight(k, v)))
                .executor(Runnable::run)
                .build());
    }

}
