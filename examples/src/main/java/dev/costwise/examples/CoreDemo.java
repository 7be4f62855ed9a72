package dev.costwise.examples;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.FailureClassifier;
import dev.costwise.core.Money;
import dev.costwise.core.Primitive;
import dev.costwise.core.Sleeper;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.MetricsCollector;
import dev.costwise.core.metrics.MetricsSnapshot;
import dev.costwise.core.performance.ResponseCache;
import dev.costwise.core.recovery.AttemptBudget;
import dev.costwise.core.recovery.Backoff;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.CircuitBreakerConfig;
import dev.costwise.core.recovery.Fallback;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Retry, fallback, circuit breaker and cache over a simulated flaky service, on a simulated clock (seeded, so every run
 * prints the same thing, and instant: backoff advances the clock instead of sleeping).
 *
 * <p>Stack: {@code cache → fallback(primary = breaker(retry(flaky premium)), backup = cheap model)}. Phase 1: the
 * premium service fails 30% of the time and retries hide it. Phase 2: it goes down; retries give up, the breaker
 * opens and the fallback answers without calling the dead service. Phase 3: after the breaker's wait, a probe
 * succeeds and the breaker closes.
 *
 * <p>Run: {@code mvn -q -pl examples -am package -DskipTests -Prun-example}
 */
public final class CoreDemo {

    /** The service's transient failure (think HTTP 503). */
    static final class ServiceUnavailable extends RuntimeException {
        ServiceUnavailable(String message) {
            super(message);
        }
    }

    /** A clock the demo advances by hand. */
    static final class SimulatedTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    private CoreDemo() {}

    public static void main(String[] args) {
        SimulatedTicker clock = new SimulatedTicker();
        Sleeper sleeper = d -> clock.advance(d);
        SplittableRandom random = new SplittableRandom(42);
        AtomicBoolean outage = new AtomicBoolean();
        AtomicLong premiumCalls = new AtomicLong();
        MetricsCollector metrics = MetricsCollector.of(new SimpleMeterRegistry());

        Primitive<String, String> premium = (prompt, ctx) -> {
            premiumCalls.incrementAndGet();
            clock.advance(Duration.ofMillis(400));
            if (outage.get() || random.nextDouble() < 0.3) {
                throw new ServiceUnavailable("premium: 503 Service Unavailable");
            }
            return "premium answer to '" + prompt + "'";
        };
        Primitive<String, String> cheap = (prompt, ctx) -> {
            clock.advance(Duration.ofMillis(100));
            return "cheap answer to '" + prompt + "'";
        };

        FailureClassifier classifier = FailureClassifier.retryOn(ServiceUnavailable.class);
        Retry retry = Retry.of("premium-retry", RetryConfig.builder().maxRetries(2).backoff(Backoff.exponential())
                .initialDelay(Duration.ofMillis(200)).maxDelay(Duration.ofSeconds(2)).jitter(0.2)
                .random(new SplittableRandom(7)).classifier(classifier).sleeper(sleeper).metrics(metrics).build());
        CircuitBreaker breaker = CircuitBreaker.of("premium-breaker", CircuitBreakerConfig.builder()
                .consecutiveFailures(3).waitDurationInOpenState(Duration.ofSeconds(30)).permittedCallsInHalfOpenState(1)
                .classifier(classifier).ticker(clock).metrics(metrics).build());
        Fallback<String, String> fallback = Fallback.<String, String>builder("llm-fallback")
                .primary("premium", breaker.wrap(retry.wrap(premium)))
                .fallback("cheap", cheap)
                .classifier(classifier).metrics(metrics).build();
        ResponseCache<String, String> cache = ResponseCache.<String, String>builder("response-cache")
                .ttl(Duration.ofMinutes(10)).maximumSize(1_000).ticker(clock)
                .savedOnHit(answer -> answer.startsWith("premium") ? Money.of("0.0150") : Money.of("0.0004"))
                .ttlFor(answer -> answer.startsWith("cheap") ? Optional.of(Duration.ofMinutes(1)) : Optional.empty())
                .metrics(metrics).build();
        Primitive<String, String> app = cache.wrap(fallback);

        List<String> prompts = List.of("summarise the report", "translate to French", "summarise the report",
                "write a haiku", "translate to French", "classify this ticket");

        System.out.println("== Phase 1: premium is flaky (30% 503s), retries hide it ==");
        prompts.forEach(p -> run(app, p, clock));

        System.out.println("\n== Phase 2: premium is down; retries give up, the breaker opens, cheap answers ==");
        outage.set(true);
        List.of("draft an email", "explain recursion", "name a cat", "plan a trip").forEach(p -> run(app, p, clock));

        System.out.println("\n== Phase 3: 30 s later premium is back; a probe closes the breaker ==");
        outage.set(false);
        clock.advance(Duration.ofSeconds(30));
        List.of("solve 2+2", "solve 2+2").forEach(p -> run(app, p, clock));

        System.out.println("\nPremium service was called " + premiumCalls.get() + " times; breaker is "
                + breaker.state() + ".");
        System.out.println("Cache stats: " + cache.stats() + ", hit rate "
                + String.format("%.0f%%", cache.stats().hitRate() * 100));
        System.out.println("\n== Metrics snapshots (MetricsCollector.snapshot(name)) ==");
        for (MetricsSnapshot s : metrics.snapshots().values()) {
            System.out.println(describe(s));
        }
    }

    private static void run(Primitive<String, String> app, String prompt, Ticker clock) {
        WorkflowContext ctx = WorkflowContext.builder("core-demo").ticker(clock).timeout(Duration.ofSeconds(10)).build();
        AttemptBudget.install(ctx, 4);
        String answer;
        try {
            answer = app.execute(prompt, ctx);
        } catch (RuntimeException e) {
            answer = "FAILED: " + e.getMessage();
        }
        System.out.printf("%-24s -> %s%n", prompt, answer);
        for (StepRecord r : ctx.records()) {
            System.out.printf("    %-16s %-14s %s%n", r.primitive(), r.event(), r.attributes());
        }
    }

    private static String describe(MetricsSnapshot s) {
        StringBuilder b = new StringBuilder(s.primitive()).append(": calls=").append(s.calls())
                .append(" ok=").append(s.successes()).append(" failed=").append(s.failures());
        if (s.cacheHits() + s.cacheMisses() > 0) {
            b.append(" hits=").append(s.cacheHits()).append(" misses=").append(s.cacheMisses())
                    .append(String.format(" hitRate=%.2f", s.cacheHitRate())).append(" saved=").append(s.moneySaved().format());
        }
        if (s.retries() > 0) {
            b.append(" retries=").append(s.retriesByReason());
        }
        if (!s.fallbacksAnswered().isEmpty()) {
            b.append(" answeredBy=").append(s.fallbacksAnswered()).append(" skipped=").append(s.fallbacksSkipped());
        }
        if (!s.rejections().isEmpty()) {
            b.append(" rejected=").append(s.rejections());
        }
        return b.toString();
    }
}
