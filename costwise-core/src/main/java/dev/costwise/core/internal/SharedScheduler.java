package dev.costwise.core.internal;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The default timer of caller-thread timeouts: one daemon thread, created on first use, that removes cancelled
 * timers at once. Inject your own through the builder to control its lifecycle. Not public API.
 */
public final class SharedScheduler {

    private SharedScheduler() {}

    private static final class Holder {
        static final ScheduledExecutorService INSTANCE = create();

        private static ScheduledExecutorService create() {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "costwise-timeout-timer");
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            return executor;
        }
    }

    /** @return the shared scheduler */
    public static ScheduledExecutorService get() {
        return Holder.INSTANCE;
    }
}
