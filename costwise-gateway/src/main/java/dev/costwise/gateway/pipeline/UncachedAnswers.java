package dev.costwise.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the response cache did not keep, and why. Each is counted in {@code costwise_cache_not_stored_total{reason}}
 * (shown at 0 from the start), and each reason is said in the log at most once per {@link #LOG_EVERY}, with how many
 * answers it left out since its last line. Without this a full cache looks like unique traffic: the hit rate drops and
 * every repeat is a paid miss, with nothing to say why. Thread-safe.
 */
final class UncachedAnswers {
    /** The most often one reason is logged. */
    static final Duration LOG_EVERY = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(UncachedAnswers.class);

    /** Why an answer was not cached; {@link #tag()} is the meter's {@code reason}. */
    enum Reason {
        /** The local caches' byte budget ({@code server.cache_memory}) is spent. */
        MEMORY_FULL("memory_full"),
        /** The answer is larger than a shared (Redis) entry may be ({@code redis.max_entry_size}). */
        TOO_LARGE("too_large");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        /** @return the meter's tag value */
        String tag() {
            return tag;
        }
    }

    /**
     * One reason's state.
     *
     * @param counter its meter
     * @param nextLine the ticker's time from which its next log line may be written
     * @param sinceLine answers left out since its last log line
     */
    private record Track(Counter counter, AtomicLong nextLine, AtomicLong sinceLine) {}

    private final Ticker ticker;
    private final Map<Reason, Track> tracks = new EnumMap<>(Reason.class);

    /**
     * @param registry where the counter lives
     * @param ticker measures the interval between log lines
     */
    UncachedAnswers(MeterRegistry registry, Ticker ticker) {
        this.ticker = ticker;
        long now = ticker.read();
        for (Reason r : Reason.values()) {
            Counter c = Counter.builder("costwise.cache.not.stored").tag("reason", r.tag())
                    .description("Answers the response cache did not keep, by reason (memory_full, too_large)")
                    .register(registry);
            tracks.put(r, new Track(c, new AtomicLong(now), new AtomicLong()));
        }
    }

    /**
     * Counts an answer left out of the cache, and logs why unless this reason was logged less than
     * {@link #LOG_EVERY} ago.
     *
     * @param reason why
     * @param why the log line's sentence (built only when it is logged)
     */
    void skipped(Reason reason, Supplier<String> why) {
        Track t = tracks.get(reason);
        t.counter().increment();
        t.sinceLine().incrementAndGet();
        long now = ticker.read();
        long due = t.nextLine().get();
        if (now - due < 0 || !t.nextLine().compareAndSet(due, now + LOG_EVERY.toNanos())) {
            return;
        }
        LOG.warn("{} ({} answer(s) not cached for this reason since its last line; costwise_cache_not_stored_total"
                + "{reason=\"{}\"})", why.get(), t.sinceLine().getAndSet(0), reason.tag());
    }

    /** @return answers left out for {@code reason} since the start */
    long count(Reason reason) {
        return (long) tracks.get(reason).counter().count();
    }
}
