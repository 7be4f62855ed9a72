package dev.costwise.llm.alert;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts over HTTP in the background: a bounded queue, one drain at a time on the executor, retries with
 * backoff. The caller's {@link #offer} never blocks. Logs name the sink, never its URL or key (both may be secrets).
 */
final class QueuedDelivery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueuedDelivery.class);

    private final String sinkName;
    private final HttpClient client;
    private final Function<Alert, HttpRequest> toRequest;
    private final AlertDelivery settings;
    private final Executor executor;
    private final Optional<ExecutorService> owned;
    private final BlockingQueue<Alert> queue;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private final Object idle = new Object();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder retries = new LongAdder();

    QueuedDelivery(String sinkName, AlertDelivery settings, Function<Alert, HttpRequest> toRequest) {
        this.sinkName = sinkName;
        this.settings = settings;
        this.toRequest = toRequest;
        this.client = settings.httpClient().orElseGet(
                () -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
        if (settings.executor().isPresent()) {
            this.executor = settings.executor().get();
            this.owned = Optional.empty();
        } else {
            ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
            this.executor = virtual;
            this.owned = Optional.of(virtual);
        }
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    }

    void offer(Alert alert) {
        pending.incrementAndGet();
        if (!queue.offer(alert)) {
            finished();
            dropped.increment();
            LOG.warn("{}: queue of {} is full; alert '{}' dropped", sinkName, settings.queueCapacity(),
                    alert.rule());
            return;
        }
        schedule();
    }

    DeliveryStats stats() {
        return new DeliveryStats(delivered.sum(), failed.sum(), dropped.sum(), retries.sum());
    }

    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (pending.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    private void schedule() {
        if (draining.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                draining.set(false);
                LOG.warn("{}: executor refused the delivery task; {} alerts stay queued", sinkName, queue.size());
            }
        }
    }

    private void drain() {
        try {
            Alert alert;
            while ((alert = queue.poll()) != null) {
                try {
                    deliver(alert);
                } finally {
                    finished();
                }
            }
        } finally {
            draining.set(false);
            if (!queue.isEmpty()) {
                schedule();
            }
        }
    }

    private void finished() {
        if (pending.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    private void deliver(Alert alert) {
        Duration backoff = settings.initialBackoff();
        for (int attempt = 1; ; attempt++) {
            Optional<Duration> retryAfter = Optional.empty();
            String failure;
            try {
                HttpResponse<String> response = client.send(toRequest.apply(alert),
                        HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    delivered.increment();
                    return;
                }
                if (status / 100 == 4 && status != 429) {
                    failed.increment();
                    LOG.warn("{}: alert '{}' refused with HTTP {} ({}); not retried", sinkName, alert.rule(), status,
                            abbreviate(response.body()));
                    return;
                }
                failure = "HTTP " + status;
                retryAfter = response.headers().firstValue("retry-after").flatMap(QueuedDelivery::seconds);
            } catch (IOException e) {
                failure = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.increment();
                return;
            }
            if (attempt >= settings.maxAttempts()) {
                failed.increment();
                LOG.warn("{}: alert '{}' not delivered after {} attempts; last failure: {}", sinkName, alert.rule(),
                        attempt, failure);
                return;
            }
            retries.increment();
            Duration wait = retryAfter.filter(r -> r.compareTo(settings.maxBackoff()) <= 0)
                    .map(r -> r.compareTo(settings.initialBackoff()) > 0 ? r : settings.initialBackoff())
                    .orElse(backoff);
            try {
                settings.sleeper().sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.increment();
                return;
            }
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
        }
    }

    private static Optional<Duration> seconds(String header) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String abbreviate(String body) {
        String oneLine = body.replaceAll("\\s+", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
    }

    @Override
    public void close() {
        owned.ifPresent(ExecutorService::shutdown);
    }
}
