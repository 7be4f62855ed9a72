package dev.costwise.llm.resilience;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** A scheduler whose timers fire only when the test fires them; it keeps the delay each was set for. */
final class ManualScheduler extends ScheduledThreadPoolExecutor {

    private final List<Timer> timers = new CopyOnWriteArrayList<>();

    ManualScheduler() {
        super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Timer timer = new Timer(command, Duration.ofNanos(unit.toNanos(delay)));
        timers.add(timer);
        return timer;
    }

    /** @return the delay of every timer set so far, in order */
    List<Duration> delays() {
        return timers.stream().map(t -> t.delay).toList();
    }

    /** Runs every timer that is neither cancelled nor run yet, on the calling thread. */
    void fireAll() {
        timers.forEach(FutureTask::run);
    }

    /** @return whether every timer set so far was cancelled */
    boolean allCancelled() {
        return timers.stream().allMatch(FutureTask::isCancelled);
    }

    private static final class Timer extends FutureTask<Void> implements ScheduledFuture<Void> {
        private final Duration delay;

        Timer(Runnable command, Duration delay) {
            super(command, null);
            this.delay = delay;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(delay);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
