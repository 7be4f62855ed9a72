package dev.costwise.redis;

import dev.costwise.llm.alert.Alert;
import dev.costwise.llm.alert.AlertSeverity;
import dev.costwise.llm.alert.AlertSink;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Hears when Redis becomes unreachable and when it answers again. Methods are called on the thread that noticed
 * (a request's, or the background probe's), so they must return at once and should not throw; an exception is logged
 * and dropped.
 */
public interface RedisHealthListener {

    /** Hears nothing. */
    RedisHealthListener NONE = new RedisHealthListener() {};

    /**
     * Redis stopped answering: shared state is suspended and every piece runs on local state.
     *
     * @param redis the Redis URL, password masked
     * @param cause what failed
     */
    default void onUnavailable(String redis, Throwable cause) {}

    /**
     * Redis answers again; spend made locally meanwhile has been pushed back and sharing has resumed.
     *
     * @param redis the Redis URL, password masked
     * @param downFor how long it was unreachable
     */
    default void onRecovered(String redis, Duration downFor) {}

    /**
     * A listener that raises a {@link AlertSeverity#CRITICAL} alert {@code redis-unavailable} on an outage and an
     * {@link AlertSeverity#INFO} alert {@code redis-recovered} on recovery, with the same dedup key so a pager can
     * resolve the incident.
     *
     * @param sink where the alerts go
     * @param clock stamps the alerts
     * @return the listener
     */
    static RedisHealthListener alerting(AlertSink sink, Clock clock) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(clock, "clock");
        return new RedisHealthListener() {
            @Override
            public void onUnavailable(String redis, Throwable cause) {
                sink.send(new Alert("redis-unavailable", AlertSeverity.CRITICAL, "REDIS ALERT: " + redis
                        + " is unreachable (" + cause.getClass().getSimpleName() + "); serving on local state: cache "
                        + "bypassed, budgets and rate limits on this replica's share", "redis:" + redis,
                        clock.instant()));
            }

            @Override
            public void onRecovered(String redis, Duration downFor) {
                sink.send(new Alert("redis-recovered", AlertSeverity.INFO, "REDIS: " + redis
                        + " is reachable again after " + downFor.toMillis() + " ms; shared state resumed",
                        "redis:" + redis, clock.instant()));
            }
        };
    }
}
