package dev.costwise.planner.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * A response cache: exact-match on the request, entries expire after {@code ttl}, least recently used entries are
 * evicted beyond {@code maxSize}.
 *
 * @param ttl time to live, positive
 * @param maxSize most entries, at least 1
 * @param perKey {@code true} when each virtual key has entries of its own, as the gateway's {@code scope: key} (its
 *     default): a request is then a hit only on an answer to the same key (requests that name no key share theirs)
 */
public record CacheSpec(Duration ttl, long maxSize, boolean perKey) {

    /** Default TTL when a scenario does not give one: one hour, as the spec's Pattern 1. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    /** Default size when a scenario does not give one. */
    public static final long DEFAULT_MAX_SIZE = 100_000;

    public CacheSpec {
        Objects.requireNonNull(ttl, "ttl");
        ScenarioException.require(!ttl.isNegative() && !ttl.isZero(), "cache ttl must be positive, was %s", ttl);
        ScenarioException.require(maxSize >= 1, "cache maxSize must be >= 1, was %s", maxSize);
    }

    /** A cache every caller shares; the components as above. */
    public CacheSpec(Duration ttl, long maxSize) {
        this(ttl, maxSize, false);
    }
}
