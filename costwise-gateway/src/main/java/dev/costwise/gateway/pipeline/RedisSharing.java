package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.GatewayStartException;
import dev.costwise.gateway.config.GatewayConfig.RedisSettings;
import dev.costwise.llm.alert.AlertSink;
import dev.costwise.llm.spi.BudgetStore;
import dev.costwise.redis.RedisDocuments;
import dev.costwise.redis.RedisHealthListener;
import dev.costwise.redis.RedisOptions;
import dev.costwise.redis.RedisSharedState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What gateway replicas share through Redis when {@code redis.url} is set: budget counters (the Redis
 * {@link BudgetStore}), the response cache ({@link SharedResponseEntries}), the virtual keys' rpm/tpm windows
 * ({@link SharedKeyLimits}) and stored documents ({@link #documents}: the Responses API's stored responses).
 *
 * <p>Connecting never fails because Redis is down: the gateway starts on local state (cache bypassed, budgets and rate
 * limits on this replica's {@code local_share}) and sharing resumes by itself once Redis answers. Outages and
 * recoveries raise the {@code redis-unavailable} / {@code redis-recovered} alerts. Thread-safe; close it on shutdown.
 */
public final class RedisSharing implements AutoCloseable {
    /** Read through the shared connection to make it notice an outage that the cache's own client ran into. */
    private static final BudgetStore.Bucket HEALTH_READ = new BudgetStore.Bucket("health-read", Instant.EPOCH);

    private final RedisSettings settings;
    private final RedisSharedState state;
    private final SharedResponseEntries entries;
    private final SharedKeyLimits keyLimits;

    private RedisSharing(RedisSettings settings, RedisSharedState state, UpstreamCutoff cutoff) {
        this.settings = settings;
        this.state = state;
        this.entries = new SharedResponseEntries(state.connection().options(), this::available, this::noticeOutage,
                state.budgetStore(), settings.maxEntryBytes(), cutoff);
        this.keyLimits = new SharedKeyLimits(state);
    }

    /**
     * Opens the connection (without waiting for Redis to answer).
     *
     * @param settings the {@code redis:} section of the config
     * @param alerts where outage and recovery alerts go
     * @param clock wall time for budget windows, rate windows and alerts
     * @param requestTimeout the gateway's deadline for one request: a budget reservation's lease outlasts it
     * @param cutoff the gateway's stop: a wait for another replica's cache fill interrupted by it is a shutdown
     * @return the shared state
     */
    public static RedisSharing connect(RedisSettings settings, AlertSink alerts, Clock clock, Duration requestTimeout,
            UpstreamCutoff cutoff) {
        Objects.requireNonNull(settings, "settings");
        RedisOptions defaults = RedisOptions.ofDefaults();
        // No call of this gateway holds a reservation past its deadline; the minute covers settling after it.
        Duration byDeadline = requestTimeout.plusMinutes(1);
        Duration lease = byDeadline.compareTo(defaults.reservationLease()) > 0
                ? byDeadline : defaults.reservationLease();
        RedisOptions options = defaults.toBuilder()
                .reservationLease(lease)
                .url(settings.url())
                .keyPrefix(settings.keyPrefix())
                .localShare(settings.localShare())
                .connectTimeout(settings.timeout())
                .socketTimeout(settings.timeout())
                .listener(RedisHealthListener.alerting(alerts, clock))
                .clock(clock)
                .build();
        try {
            RedisSharing sharing = new RedisSharing(settings, RedisSharedState.connect(options), cutoff);
            // cut off from Redis, a replica holds the reservations Redis last showed only as long as their calls run
            sharing.state.budgetStore().callsEndWithin(byDeadline);
            return sharing;
        } catch (IllegalArgumentException e) {
            throw new GatewayStartException("redis.url: " + e.getMessage());
        }
    }

    /** @return the budget counters every replica shares */
    public BudgetStore budgetStore() {
        return state.budgetStore();
    }

    /**
     * @param kind the kind of document, part of each key
     * @return documents every replica can read for a while (the Responses API's stored responses)
     */
    public RedisDocuments documents(String kind) {
        return state.documents(kind);
    }

    /** @return the shared response cache entries */
    SharedResponseEntries entries() {
        return entries;
    }

    /** @return the shared rpm/tpm windows of virtual keys */
    SharedKeyLimits keyLimits() {
        return keyLimits;
    }

    /**
     * @return Redis round trips made so far by this replica: the shared connection's (budgets, key limits, the
     *     combined cache-and-budget scripts) plus the cache pool's own
     */
    public long roundTrips() {
        return state.connection().roundTrips() + entries.roundTrips();
    }

    /** @return {@code true} while Redis answers and state is shared */
    public boolean available() {
        return state.connection().isAvailable();
    }

    /** @return the state for {@code /ready}: {@code ok}, or {@code degraded: …} while serving on local state */
    public String status() {
        return available() ? "ok (" + settings.safeUrl() + ")"
                : "degraded: " + settings.safeUrl() + " unreachable; cache bypassed, budgets and rate limits on this "
                        + "replica's share (" + settings.localShare() + ")";
    }

    /** A read through the shared connection: if Redis is down it marks itself down, alerts and starts probing. */
    private void noticeOutage() {
        state.budgetStore().state(HEALTH_READ);
    }

    @Override
    public void close() {
        entries.close();
        state.close();
    }

    @Override
    public String toString() {
        return "RedisSharing[" + settings + "]";
    }
}
