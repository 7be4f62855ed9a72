package dev.costwise.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Records the gateway's periodic chores instead of running them, so a test runs each pass when it chooses. */
final class CapturingScheduler extends ScheduledThreadPoolExecutor {
    /** A chore, its first delay in {@code unit}s and its interval. */
    record Scheduled(Runnable chore, long initialDelay, Duration interval) {}

    final List<Scheduled> scheduled = new ArrayList<>();

    CapturingScheduler() {
        super(1);
    }

    @Override
    public synchronized ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
            TimeUnit unit) {
        scheduled.add(new Scheduled(command, initialDelay, Duration.of(delay, unit.toChronoUnit())));
        return super.schedule(() -> { }, 1, TimeUnit.DAYS);
    }

    /** @return the one chore scheduled at {@code interval} */
    synchronized Scheduled every(Duration interval) {
        List<Scheduled> matching = scheduled.stream().filter(s -> s.interval().equals(interval)).toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one chore every " + interval + ", scheduled: " + scheduled);
        }
        return matching.getFirst();
    }
}
