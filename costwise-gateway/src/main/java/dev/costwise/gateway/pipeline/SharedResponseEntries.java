package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.core.Sleeper;
import dev.costwise.llm.chat.Usage;
import dev.costwise.redis.RedisBudgetStore;
import dev.costwise.redis.RedisOptions;
import dev.costwise.redis.RedisUnavailableException;
import dev.costwise.llm.spi.BudgetStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The gateway's response cache entries in Redis, shared by every replica: an answer cached through one gateway is a
 * hit through another.
 *
 * <p>Each entry is {@code <prefix>:gwcache:<cache key>} (the cache key keeps its per-key scope and pipeline),
 * compressed with Deflater and expired by Redis ({@code PX} = the pipeline's TTL): one line of JSON (format, model,
 * cost, route, usage, the answer's length and the entry's id), then the answer's bytes as they are, so reading it
 * back holds the answer once, beside the compressed value, and never as a JSON tree or a base64 string; concurrent
 * hits of one entry on a replica share that one answer ({@link LiveSharedAnswers}). An answer larger than
 * {@code redis.max_entry_size} is not stored: each replica must be able to read back what any of them writes. An
 * entry that cannot be read (an earlier format, corrupt or truncated bytes) is a miss: logged once and dropped, so
 * the next request refills it; one too large for this replica (over its own {@code redis.max_entry_size}, or its
 * heap) is a miss here but kept for the replicas that can read it. One script reads the entry and, on a
 * miss, takes the key's fill lock ({@code SET NX PX}); replicas that miss a locked key poll (10 ms doubling to 200 ms)
 * until the holder stores the answer, so concurrent misses across replicas make one upstream call. A holder that
 * ends without an answer drops its lock and leaves a mark for its waiters ({@code <entry>:ended:<its token>}, kept
 * {@link #LOCK_WAIT}): a holder that failed upstream marks its failure ({@link #abandon(String, Optional)},
 * {@link SharedFillFailure}), and its waiters answer with it rather than each running the same retries against the
 * same failing provider; after any other end (an answer not stored) they call upstream themselves, without the lock,
 * at once rather than in turn. A holder that dies leaves no mark: its lock expires, one waiter takes it over and the
 * others wait for that one; waiters give up after {@link #LOCK_WAIT} in all and call upstream themselves. The lock a
 * request holds is remembered per thread: the gateway runs each request on its own (virtual) thread from lookup to
 * store.
 *
 * <p>With a budget that applies, the lookup, lock and budget reservation run as one script on the shared connection
 * ({@link #lookupOrReserve}), and so do the settlement, store and unlock ({@link #putSettling}): a budgeted miss costs
 * two round trips, a hit one. The other scripts use this class's own small Jedis pool. When
 * Redis fails a command, the entry is treated as a miss and the shared connection is told, so it marks Redis down,
 * alerts, and the cache is bypassed until its probe sees Redis again. Thread-safe.
 */
final class SharedResponseEntries implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedResponseEntries.class);
    /** How long a filler may hold a key before others may take it. */
    static final Duration LOCK_TTL = Duration.ofSeconds(30);
    /** How long a replica waits for another's fill before calling upstream itself. */
    static final Duration LOCK_WAIT = Duration.ofSeconds(10);
    private static final Duration POLL_FIRST = Duration.ofMillis(10);
    private static final Duration POLL_MAX = Duration.ofMillis(200);
    /** The format written: 1 (an earlier Costwise's) kept the answer in base64 inside one JSON object. */
    private static final int FORMAT = 2;
    /** The longest header line read; an entry without a line break by then is of another format. */
    private static final int MAX_HEADER = 64 * 1024;

    /**
     * Returns {1, value} on a hit, {4, mark} when the holder awaited (KEYS[3] its end mark, ARGV[3] = '1') ended
     * without an answer, {2} when this caller took the fill lock, {3, holder's token} when another caller holds it.
     */
    private static final byte[] LOOKUP_OR_LOCK = bytes("""
            local v = redis.call('GET', KEYS[1])
            if v then return {1, v} end
            if ARGV[3] == '1' then
              local ended = redis.call('GET', KEYS[3])
              if ended then return {4, ended} end
            end
            if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
            return {3, redis.call('GET', KEYS[2])}
            """);
    private static final byte[] STORE_AND_UNLOCK = bytes("""
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
            return 1
            """);
    /** Drops the lock if still held by ARGV[1], leaving its waiters the end mark KEYS[2] = ARGV[2] for ARGV[3] ms. */
    private static final byte[] UNLOCK = bytes("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """);
    /** The end mark of a holder that failed in a way its waiters would not: they call upstream themselves. */
    private static final byte[] CALL_YOURSELVES = new byte[0];

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RedisClient client;
    private final String prefix;
    private final Sleeper sleeper;
    private final BooleanSupplier available;
    private final Runnable noticeOutage;
    private final long maxEntryBytes;
    /** Tells a wait interrupted by the gateway's stop from one interrupted by anyone else. */
    private final UpstreamCutoff cutoff;
    /** Fill locks the current request holds: cache key → lock token. */
    private final ThreadLocal<Map<String, byte[]>> held = ThreadLocal.withInitial(HashMap::new);

    /** The answers of entries that requests on this replica hold now: concurrent hits share one. */
    private final LiveSharedAnswers answers = new LiveSharedAnswers();

    /** Scripts run on this pool (retries included): round trips not counted by the shared connection. */
    private final java.util.concurrent.atomic.LongAdder roundTrips = new java.util.concurrent.atomic.LongAdder();
    /** Entries read as misses, not dropped, because they were too large for this replica. */
    private final java.util.concurrent.atomic.LongAdder tooLargeReads = new java.util.concurrent.atomic.LongAdder();
    /** Runs the scripts that touch entries and budget counters together, on the shared connection. */
    private final RedisBudgetStore budgets;

    /**
     * @param maxEntryBytes the largest answer stored ({@code redis.max_entry_size}); a larger stored one is read as a
     *     miss
     * @param cutoff the gateway's stop, which a wait for another replica's fill tells from anyone else's interrupt
     */
    SharedResponseEntries(RedisOptions options, BooleanSupplier available, Runnable noticeOutage,
            RedisBudgetStore budgets, long maxEntryBytes, UpstreamCutoff cutoff) {
        this.budgets = budgets;
        this.cutoff = cutoff;
        this.maxEntryBytes = maxEntryBytes;
        this.prefix = options.keyPrefix() + ":gwcache:";
        this.sleeper = options.sleeper();
        this.available = available;
        this.noticeOutage = noticeOutage;
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) options.connectTimeout().toMillis())
                .socketTimeoutMillis((int) options.socketTimeout().toMillis())
                .database(JedisURIHelper.getDBIndex(options.uri()))
                .ssl(JedisURIHelper.isRedisSSLScheme(options.uri()))
                .clientName("costwise-gateway-cache");
        String user = JedisURIHelper.getUser(options.uri());
        String password = JedisURIHelper.getPassword(options.uri());
        if (user != null) {
            config.user(user);
        }
        if (password != null) {
            config.password(password);
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(options.poolSize());
        pool.setMaxIdle(options.poolSize());
        pool.setMinIdle(0);
        pool.setMaxWait(options.poolWait());
        pool.setJmxEnabled(false);
        this.client = RedisClient.builder().hostAndPort(JedisURIHelper.getHostAndPort(options.uri()))
                .clientConfig(config.build()).poolConfig(pool).build();
    }

    /** @return {@code true} while Redis is known to be down: callers bypass the cache */
    public boolean bypassed() {
        return !available.getAsBoolean();
    }

    /**
     * Looks a key up; on a miss this request takes the key's fill lock, or waits for the replica holding it.
     *
     * @param key the cache key
     * @param maxWait the longest this request may wait for another replica's fill (its time left); at most
     *     {@link #LOCK_WAIT}
     * @return the entry, or empty when this request should call upstream and {@link #put} the answer
     */
    public Optional<ResponseCacheStore.Entry> getOrLock(String key, Duration maxWait) {
        if (bypassed()) {
            return Optional.empty();
        }
        byte[] entry = bytes(prefix + key);
        byte[] lock = bytes(prefix + key + ":lock");
        byte[] token = bytes(UUID.randomUUID().toString());
        Duration limit = maxWait.compareTo(LOCK_WAIT) < 0 ? maxWait : LOCK_WAIT;
        Duration waited = Duration.ZERO;
        Duration pause = POLL_FIRST;
        byte[] awaited = null; // the token of the holder this request waits for
        while (true) {
            List<?> reply;
            try {
                reply = (List<?>) eval(LOOKUP_OR_LOCK, List.of(entry, lock, endMark(key, awaited)),
                        List.of(token, bytes(Long.toString(LOCK_TTL.toMillis())), bytes(awaited == null ? "0" : "1")));
            } catch (JedisException e) {
                failed("lookup", e);
                return Optional.empty();
            } catch (RuntimeException | Error e) {
                // Not Redis but reading its reply failed (a heap too small for the entry): a miss, as in read(), and
                // the entry, never looked at, stays for the replicas that can read it
                held.get().put(key, token); // the lock, if the script took it, is dropped when the request ends
                tooLarge(e);
                return Optional.empty();
            }
            long kind = (Long) reply.get(0);
            if (kind == 1) {
                return read(key, (byte[]) reply.get(1)); // an unreadable entry is a miss this request refills
            }
            if (kind == 2) {
                held.get().put(key, token);
                return Optional.empty();
            }
            if (kind == 4) {
                // the holder ended without an answer: its failure, or call upstream (at once, as the others do)
                byte[] mark = (byte[]) reply.get(1);
                if (mark.length > 0) {
                    SharedFillFailure.decode(mark).ifPresent(failure -> {
                        throw failure;
                    });
                }
                return Optional.empty();
            }
            // a new holder took over from one that died (its lock expired, no mark): wait for this one instead
            awaited = (byte[]) reply.get(1);
            if (waited.compareTo(limit) >= 0) {
                return Optional.empty(); // the holder is slow or gone: call upstream without the lock
            }
            Duration step = pause.compareTo(limit.minus(waited)) < 0 ? pause : limit.minus(waited);
            try {
                sleeper.sleep(step);
            } catch (InterruptedException e) {
                throw cutoff.interrupted(e, "another replica's cache fill");
            }
            waited = waited.plus(step);
            pause = pause.multipliedBy(2).compareTo(POLL_MAX) > 0 ? POLL_MAX : pause.multipliedBy(2);
        }
    }

    /**
     * One round trip on the shared connection: looks a key up and, on a miss, takes its fill lock and reserves
     * {@code amount} against the budgets' {@code claims}. A hit or a lock held elsewhere reserves nothing (then
     * {@link #getOrLock} waits for the holder, polling).
     *
     * @param key the cache key
     * @param claims the budget buckets and limits
     * @param amount the worst-case cost
     * @return what was found; empty when Redis is down (bypass the cache, reserve apart)
     */
    Optional<RedisBudgetStore.Lookup> lookupOrReserve(String key, List<BudgetStore.Claim> claims, Money amount) {
        if (bypassed()) {
            return Optional.empty();
        }
        byte[] token = bytes(UUID.randomUUID().toString());
        try {
            RedisBudgetStore.Lookup found = budgets.lookupOrReserve(prefix + key, prefix + key + ":lock", token,
                    LOCK_TTL, claims, amount);
            if (found instanceof RedisBudgetStore.Lookup.Locked) {
                held.get().put(key, token);
            }
            return Optional.of(found);
        } catch (RedisUnavailableException e) {
            return Optional.empty();
        }
    }

    /**
     * One round trip on the shared connection: settles {@code reservation} with {@code actual}, stores the answer
     * and drops this request's fill lock.
     *
     * @return {@code false} when nothing was done (Redis down, the reservation is this replica's local share, or the
     *     answer does not {@link #fits fit}): settle and {@link #put} apart
     */
    boolean putSettling(String key, ResponseCacheStore.Entry value, Duration ttl, BudgetBook.Reservation reservation,
            Money actual) {
        if (bypassed() || !fits(value)) {
            return false;
        }
        byte[] token = held.get().get(key);
        byte[] encoded = encode(value);
        boolean done = reservation.settleAlong(actual, (store, grant, cost) ->
                store.settleAndStore(grant, cost, prefix + key, prefix + key + ":lock", encoded, ttl,
                        token == null ? new byte[0] : token));
        if (done) {
            held.get().remove(key);
        }
        return done;
    }

    /** @return scripts this cache ran on its own pool (the combined ones count on the shared connection) */
    public long roundTrips() {
        return roundTrips.sum();
    }

    /** @return the largest answer stored ({@code redis.max_entry_size}), in bytes */
    long maxEntryBytes() {
        return maxEntryBytes;
    }

    /** @return whether {@code value} may be stored: its answer is at most {@link #maxEntryBytes()} */
    boolean fits(ResponseCacheStore.Entry value) {
        return value.body().length <= maxEntryBytes;
    }

    /**
     * Stores an answer for {@code ttl} and drops this request's fill lock, if it holds it. An answer that does not
     * {@link #fits fit} is not stored (the lock is dropped all the same).
     *
     * @param key the cache key
     * @param value the answer
     * @param ttl how long Redis keeps it
     */
    public void put(String key, ResponseCacheStore.Entry value, Duration ttl) {
        if (!fits(value)) {
            abandon(key);
            return;
        }
        byte[] token = held.get().remove(key);
        if (bypassed()) {
            return;
        }
        try {
            eval(STORE_AND_UNLOCK, List.of(bytes(prefix + key), bytes(prefix + key + ":lock")),
                    List.of(encode(value), bytes(Long.toString(Math.max(1, ttl.toMillis()))),
                            token == null ? new byte[0] : token));
        } catch (JedisException e) {
            failed("store", e); // the answer is served; it is just not shared
        }
    }

    /**
     * Drops this request's fill lock on {@code key} if it still holds it (its call failed, so nothing is cached and
     * the next caller fills).
     *
     * @param key the cache key
     */
    public void abandon(String key) {
        abandon(key, Optional.empty());
    }

    /**
     * Drops this request's fill lock on {@code key} if it still holds it, telling the requests waiting for it how the
     * fill ended.
     *
     * @param key the cache key
     * @param failure the failure its waiters answer with ({@link SharedFillFailure#encode}); empty to have them call
     *     upstream themselves
     */
    void abandon(String key, Optional<byte[]> failure) {
        byte[] token = held.get().remove(key);
        if (token == null || bypassed()) {
            return;
        }
        try {
            eval(UNLOCK, List.of(bytes(prefix + key + ":lock"), endMark(key, token)),
                    List.of(token, failure.orElse(CALL_YOURSELVES), bytes(Long.toString(LOCK_WAIT.toMillis()))));
        } catch (JedisException e) {
            failed("unlock", e); // the lock expires by itself
        }
    }

    /** @return the key of the mark the holder of {@code token} leaves when it ends without an answer */
    private byte[] endMark(String key, byte[] token) {
        String holder = token == null ? "" : new String(token, StandardCharsets.UTF_8);
        return bytes(prefix + key + ":ended:" + holder);
    }

    /**
     * Runs a script; a connection that broke (a pooled connection from before an outage) is retried once on a fresh
     * pool.
     */
    private Object eval(byte[] script, List<byte[]> keys, List<byte[]> args) {
        roundTrips.increment();
        try {
            return client.eval(script, keys, args);
        } catch (JedisConnectionException e) {
            client.getPool().clear(); // idle connections opened before an outage are dead too
            roundTrips.increment();
            return client.eval(script, keys, args);
        }
    }

    /** Drops every fill lock the current request (thread) still holds. */
    public void abandonAll() {
        Map<String, byte[]> mine = held.get();
        if (mine.isEmpty()) {
            return;
        }
        for (String key : List.copyOf(mine.keySet())) {
            abandon(key);
        }
    }

    private void failed(String what, JedisException e) {
        if (e instanceof JedisDataException) {
            LOG.error("redis cache {} failed: {}", what, e.getMessage());
            return;
        }
        noticeOutage.run();
    }

    /**
     * @return the entry as stored: compressed, a header line (with a new {@code id}, by which hits on this replica
     *     share the answer while a request holds it: {@link LiveSharedAnswers}), then the answer's bytes
     */
    private byte[] encode(ResponseCacheStore.Entry e) {
        ObjectNode header = JSON.createObjectNode();
        Usage u = e.usage();
        header.put("v", FORMAT).put("model", e.modelUsed()).put("cost", e.cost().toString()).put("route", e.route())
                .put("body", e.body().length).put("id", answers.storing(e));
        header.putArray("usage").add(u.inputTokens()).add(u.cachedInputTokens()).add(u.cacheWriteTokens())
                .add(u.cacheWrite1hTokens()).add(u.outputTokens()).add(u.reasoningTokens()).add(u.estimated());
        ByteArrayOutputStream out = new ByteArrayOutputStream(e.body().length / 2 + 64);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, deflater, 8192)) {
            z.write(JSON.writeValueAsBytes(header)); // one line: JSON escapes every line break inside strings
            z.write('\n');
            z.write(e.body());
        } catch (IOException ex) {
            throw new UncheckedIOException("writing to memory does not fail", ex);
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    /**
     * Reads an entry Redis returned. Anything that goes wrong makes it a miss, never the request's failure (an entry
     * only saves a call): it is logged and dropped, so the next request refills it instead of failing on it again.
     *
     * @return the entry, or empty
     */
    Optional<ResponseCacheStore.Entry> read(String key, byte[] stored) {
        try {
            return decode(stored, maxEntryBytes, answers);
        } catch (TooLarge | Error e) {
            tooLarge(e);
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            unreadable(key, e);
            return Optional.empty();
        }
    }

    /**
     * An entry too large for this replica (over its {@code redis.max_entry_size}, written by a replica with a larger
     * one, or over what its heap holds) is a miss here but not dropped: it is good for every replica that can read it.
     */
    private void tooLarge(Throwable e) {
        tooLargeReads.increment();
        LOG.warn("shared cache entry too large for this replica, read as a miss and kept: {}", e.toString());
    }

    /** @return entries read as misses, and kept, because they were too large for this replica */
    long tooLargeReads() {
        return tooLargeReads.sum();
    }

    /** An entry's answer is over the limit of the replica reading it: not corrupt, so not dropped. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long size, long maxBody) {
            super("an answer of " + size + " bytes, over redis.max_entry_size (" + maxBody + ")");
        }
    }

    private void unreadable(String key, Throwable e) {
        LOG.warn("unreadable shared cache entry dropped, read as a miss: {}", e.toString());
        try {
            client.del(bytes(prefix + key));
        } catch (JedisException ex) {
            failed("drop", ex); // it expires by itself
        }
    }

    /**
     * @param maxBody the largest answer read
     * @param answers the answers requests here hold: an entry whose answer is among them is not decoded again (an
     *     entry without an id, from an earlier Costwise, always is)
     * @return the entry, or empty for bytes of an earlier format (read as a miss and refilled)
     * @throws TooLarge if its answer is over {@code maxBody}
     * @throws IOException if the bytes are not an entry (corrupt, truncated)
     */
    static Optional<ResponseCacheStore.Entry> decode(byte[] stored, long maxBody, LiveSharedAnswers answers)
            throws IOException {
        Inflater inflater = new Inflater();
        try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(stored), inflater, 8192)) {
            Optional<byte[]> line = headerLine(in);
            JsonNode header = line.isPresent() ? JSON.readTree(line.get()) : null;
            if (header == null || header.path("v").asInt() != FORMAT) {
                return Optional.empty();
            }
            long size = header.path("body").asLong(-1);
            if (size < 0) {
                throw new IOException("an entry without its answer's length");
            }
            if (size > maxBody) {
                throw new TooLarge(size, maxBody);
            }
            String id = header.path("id").asText("");
            return Optional.of(id.isEmpty() ? entry(header, in, (int) size)
                    : answers.shared(id, () -> entry(header, in, (int) size)));
        } finally {
            inflater.end();
        }
    }

    /** @return the entry: its header's fields, and the answer's {@code size} bytes read from {@code in} */
    private static ResponseCacheStore.Entry entry(JsonNode header, InputStream in, int size) throws IOException {
        byte[] body = new byte[size];
        if (in.readNBytes(body, 0, body.length) != body.length) {
            throw new EOFException("a truncated entry");
        }
        JsonNode u = header.path("usage");
        Usage usage = new Usage(u.get(0).asLong(), u.get(1).asLong(), u.get(2).asLong(), u.get(3).asLong(),
                u.get(4).asLong(), u.get(5).asLong(), u.get(6).asBoolean());
        return new ResponseCacheStore.Entry(body, usage, header.path("model").asText(),
                Money.of(header.path("cost").asText()), header.path("route").asText());
    }

    /** @return the first line, without its line break; empty if there is none within {@link #MAX_HEADER} bytes */
    private static Optional<byte[]> headerLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0 || line.size() == MAX_HEADER) {
                return Optional.empty(); // format 1 was one JSON object, without a line break
            }
            line.write(b);
        }
        return Optional.of(line.toByteArray());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
    }
}
