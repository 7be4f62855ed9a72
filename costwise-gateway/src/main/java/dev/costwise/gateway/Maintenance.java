package dev.costwise.gateway;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's background chores (rolling up old ledger records, picking up virtual keys changed on other
 * replicas), run one at a time off the request path. A chore that fails is logged and runs again at its next turn.
 */
final class Maintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final ScheduledExecutorService scheduler;

    /** @param scheduler runs the chores; shut down by {@link #close()} */
    Maintenance(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** One daemon platform thread: SQLite's driver blocks in native code, which would pin a virtual thread. */
    static ScheduledExecutorService newScheduler() {
        return Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon(true).name("costwise-maintenance").factory());
    }

    /**
     * Runs {@code chore} after {@code firstDelay}, then every {@code interval} after the previous run ends.
     *
     * @param what names the chore in the log
     */
    void every(String what, Duration firstDelay, Duration interval, Runnable chore) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                chore.run();
            } catch (RuntimeException e) {
                LOG.warn("{} failed, trying again in {}: {}", what, interval, e.getMessage());
            }
        }, firstDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the schedule; waits a few seconds for a chore in progress (its current transaction) to end. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("a maintenance chore did not stop within {}", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
