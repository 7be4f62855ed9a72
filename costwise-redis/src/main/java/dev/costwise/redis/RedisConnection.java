package dev.costwise.redis;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * One pooled client to Redis with short timeouts, a round-trip counter and a health state.
 *
 * <p>While Redis answers, {@link #call} runs a command and counts one round trip. When a command fails to connect or
 * times out, the connection is marked down: the {@link RedisHealthListener} hears of it, every later call fails at once
 * with {@link RedisUnavailableException} (so an outage costs a request nothing but one failed attempt), and a
 * background virtual thread probes with {@code PING}, backing off from {@link RedisOptions#probeInitialBackoff()} to
 * {@link RedisOptions#probeMaxBackoff()}. When a probe answers, the registered recovery tasks run (budgets push back
 * the spend made locally meanwhile) and only then are calls let through again.
 *
 * <p>An epoch key ({@code <prefix>:epoch}, a random value written only if absent) is read when the connection opens;
 * if it holds another value when Redis comes back, Redis lost its data (restarted without persistence, or flushed)
 * and some replica wrote a new epoch, and recovery tasks are told so. Every replica sees the change, whichever
 * recovers first.
 *
 * <p>Thread-safe. Close it to stop the probe and release the pool.
 */
public final class RedisConnection implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisConnection.class.getName());

    /** What to do when Redis answers again after an outage, before calls are let through. */
    @FunctionalInterface
    interface RecoveryTask {
        /**
         * @param dataLost {@code true} when Redis came back without the data it held before the outage
         */
        void recover(boolean dataLost);
    }

    private static final String EPOCH_SCRIPT =
            "redis.call('SET', KEYS[1], ARGV[1], 'NX') return redis.call('GET', KEYS[1])";

    private final RedisOptions options;
    private final RedisClient client;
    private final String where;
    private final String epochKey;
    private final LongAdder roundTrips = new LongAdder();
    private final LongAdder outages = new LongAdder();
    private final AtomicBoolean available = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String epoch = "";
    private final List<RecoveryTask> recoveryTasks = new CopyOnWriteArrayList<>();
    private volatile Thread recovering;
    private volatile long downSinceNanos;

    private RedisConnection(RedisOptions options) {
        this.options = options;
        this.where = options.safeUri();
        this.epochKey = options.keyPrefix() + ":epoch";
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(options.connectTimeout()))
                .socketTimeoutMillis(millis(options.socketTimeout()))
                .database(JedisURIHelper.getDBIndex(options.uri()))
                .ssl(JedisURIHelper.isRedisSSLScheme(options.uri()))
                .clientName("costwise");
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
        this.client = RedisClient.builder()
                .hostAndPort(JedisURIHelper.getHostAndPort(options.uri()))
                .clientConfig(config.build())
                .poolConfig(pool)
                .build();
    }

    /**
     * Opens a pool to Redis. Does not fail when Redis is down: the connection starts down and the probe runs.
     *
     * @param options where Redis is and how to behave
     * @return the connection
     * @throws IllegalArgumentException if Redis answers but refuses the URL's settings (a database number it does not
     *     have, a wrong user or password): waiting would not help
     */
    public static RedisConnection open(RedisOptions options) {
        RedisConnection connection = new RedisConnection(Objects.requireNonNull(options, "options"));
        try {
            connection.epoch = connection.call(connection::readEpoch);
        } catch (RedisUnavailableException e) {
            // marked down; the probe is running
        } catch (JedisDataException e) {
            connection.close();
            throw new IllegalArgumentException("redis at " + connection.where + " refused this connection: "
                    + e.getMessage() + " (check the database number, user and password of the URL)", e);
        }
        return connection;
    }

    /** @return the options this connection was opened with */
    public RedisOptions options() {
        return options;
    }

    /** @return {@code true} while Redis answers and shared state is in use */
    public boolean isAvailable() {
        return available.get();
    }

    /** @return commands sent to Redis so far (each a network round trip), probes excluded */
    public long roundTrips() {
        return roundTrips.sum();
    }

    /** @return how many times Redis became unreachable */
    public long outages() {
        return outages.sum();
    }

    /** Prefixes {@code parts} with the key prefix, joined by {@code :}. */
    String key(String... parts) {
        return options.keyPrefix() + ":" + String.join(":", parts);
    }

    void onRecovery(RecoveryTask task) {
        recoveryTasks.add(Objects.requireNonNull(task, "task"));
    }

    /**
     * Runs one command.
     *
     * @throws RedisUnavailableException if Redis is down or the command could not reach it
     * @throws JedisDataException if Redis answered with an error (a bug: wrong type, script error)
     */
    <T> T call(Function<UnifiedJedis, T> command) {
        if (!available.get() && Thread.currentThread() != recovering) {
            throw new RedisUnavailableException("redis at " + where + " is unavailable; using local state", null);
        }
        roundTrips.increment();
        try {
            return command.apply(client);
        } catch (JedisDataException e) {
            throw e;
        } catch (JedisConnectionException e) {
            markDown(e);
            throw new RedisUnavailableException("redis at " + where + " is unreachable: " + e.getMessage(), e);
        } catch (JedisException e) {
            throw new RedisUnavailableException("redis at " + where + " failed a command: " + e.getMessage(), e);
        }
    }

    /** Runs a script by its SHA-1, loading it with {@code EVAL} on {@code NOSCRIPT}. */
    Object eval(LuaScript script, List<String> keys, List<String> args) {
        try {
            return call(c -> c.evalsha(script.sha1(), keys, args));
        } catch (JedisNoScriptException e) {
            return call(c -> c.eval(script.source(), keys, args));
        }
    }

    /** Binary form of {@link #eval}, for values that are not text. */
    Object evalBinary(LuaScript script, List<byte[]> keys, List<byte[]> args) {
        try {
            return call(c -> c.evalsha(script.sha1Bytes(), keys, args));
        } catch (JedisNoScriptException e) {
            return call(c -> c.eval(script.sourceBytes(), keys, args));
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void markDown(Throwable cause) {
        if (closed.get() || Thread.currentThread() == recovering || !available.compareAndSet(true, false)) {
            return;
        }
        downSinceNanos = System.nanoTime();
        outages.increment();
        LOG.log(Level.WARNING, "redis at {0} is unreachable, serving on local state: {1}", where, cause.toString());
        try {
            options.listener().onUnavailable(where, cause);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "redis health listener failed on outage", e);
        }
        Thread.ofVirtual().name("costwise-redis-probe").start(this::probeUntilBack);
    }

    private void probeUntilBack() {
        Duration backoff = options.probeInitialBackoff();
        while (!closed.get()) {
            try {
                options.sleeper().sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (closed.get()) {
                return;
            }
            if (tryRecover()) {
                return;
            }
            backoff = backoff.multipliedBy(2);
            if (backoff.compareTo(options.probeMaxBackoff()) > 0) {
                backoff = options.probeMaxBackoff();
            }
        }
    }

    /** One probe: PING, then the recovery tasks, then open the gate. */
    private boolean tryRecover() {
        try {
            client.getPool().clear(); // connections opened before the outage are dead
            client.ping();
            recovering = Thread.currentThread();
            try {
                String now = readEpoch(client);
                boolean dataLost = !now.equals(epoch);
                for (RecoveryTask task : recoveryTasks) {
                    task.recover(dataLost);
                }
                epoch = now;
            } finally {
                recovering = null;
            }
        } catch (JedisException | RedisUnavailableException e) {
            return false;
        }
        available.set(true);
        Duration down = Duration.ofNanos(System.nanoTime() - downSinceNanos);
        LOG.log(Level.INFO, "redis at {0} is reachable again after {1} ms; shared state resumed", where,
                down.toMillis());
        try {
            options.listener().onRecovered(where, down);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "redis health listener failed on recovery", e);
        }
        return true;
    }

    /** Writes an epoch if Redis has none and returns the one it holds: a new value means Redis lost its data. */
    private String readEpoch(UnifiedJedis c) {
        Object held = c.eval(EPOCH_SCRIPT, List.of(epochKey), List.of(UUID.randomUUID().toString()));
        return String.valueOf(held);
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    /** Stops the probe and closes the pool. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "RedisConnection[" + where + (isAvailable() ? ", up" : ", down") + "]";
    }
}
