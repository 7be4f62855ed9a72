package dev.costwise.redis;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The shared Redis on 127.0.0.1:6379 that tests use without stopping it. Every test run writes under its own random
 * key prefix and deletes its keys after. Under {@code CI=true} a missing server fails the test instead of skipping it.
 * Shared with the gateway's tests through this module's test jar.
 */
public final class SharedRedis {

    public static final String URL = "redis://127.0.0.1:6379";

    /**
     * The fixed time tests run their clocks at: today, 10:00 UTC. Redis expires keys by its own wall clock
     * ({@code PEXPIREAT}), so a fixed date would turn into a test that fails once its keys' expiries are past.
     * Mid-day, so that a clock moved by a lease or a minute stays in the same day.
     */
    public static final Instant TODAY_AT_TEN = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(10));

    private SharedRedis() {}

    /** Skips the test when Redis is not running here, or fails it on CI. */
    public static void requireRunning() {
        try (RedisClient client = RedisClient.create(URL)) {
            client.ping();
        } catch (RuntimeException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but no Redis answers at " + URL + ": " + e);
            }
            Assumptions.abort("no Redis at " + URL + " (" + e.getMessage() + "); skipped outside CI");
        }
    }

    /** @return a fresh key prefix no other run uses */
    public static String randomPrefix() {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return "costwise-test-" + HexFormat.of().formatHex(random);
    }

    /** @return the keys matching {@code pattern} (a SCAN glob) */
    public static List<String> keys(String url, String pattern) {
        List<String> found = new ArrayList<>();
        try (RedisClient client = RedisClient.create(url)) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams match = new ScanParams().match(pattern).count(500);
            do {
                ScanResult<String> page = client.scan(cursor, match);
                found.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return found;
    }

    /** @return the milliseconds Redis keeps {@code key} for yet, as its {@code PTTL} answers */
    public static long pttl(String url, String key) {
        try (RedisClient client = RedisClient.create(url)) {
            return client.pttl(key);
        }
    }

    /** Deletes every key under {@code prefix}. */
    public static void deleteAll(String url, String prefix) {
        try (RedisClient client = RedisClient.create(url)) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams match = new ScanParams().match(prefix + ":*").count(500);
            do {
                ScanResult<String> page = client.scan(cursor, match);
                if (!page.getResult().isEmpty()) {
                    client.del(page.getResult().toArray(String[]::new));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
    }
}
