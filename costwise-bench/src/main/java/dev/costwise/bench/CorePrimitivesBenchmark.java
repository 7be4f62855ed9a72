package dev.costwise.bench;

import dev.costwise.core.FailureClassifier;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.composition.Router;
import dev.costwise.core.metrics.MetricsCollector;
import dev.costwise.core.metrics.PrimitiveMetrics;
import dev.costwise.core.performance.ResponseCache;
import dev.costwise.core.performance.Throttle;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.CircuitBreakerConfig;
import dev.costwise.core.recovery.Fallback;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.core.recovery.Timeout;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Overhead of each core primitive around a no-op primitive, against calling the no-op directly, and of the stack
 * Cache → Router → Retry → Fallback → Timeout on a cache hit and a cache miss.
 *
 * <p>Every benchmark builds a fresh {@link WorkflowContext} (as a real request does) so records do not pile up; the
 * {@code direct} benchmark pays the same cost, so differences are the primitives' own overhead. Sample mode reports
 * the median ({@code p0.50}) per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CorePrimitivesBenchmark {

    private static final Primitive<String, String> NOOP = (in, ctx) -> in;

    private final AtomicLong counter = new AtomicLong();

    private Primitive<String, String> retry;
    private Primitive<String, String> fallback;
    private Primitive<String, String> timeout;
    private Primitive<String, String> timeoutCallerThread;
    private Primitive<String, String> stackCallerThread;
    private Primitive<String, String> breaker;
    private Primitive<String, String> router;
    private Primitive<String, String> throttle;
    private Primitive<String, String> cache;
    private Primitive<String, String> stack;
    private Primitive<String, String> stackWithMetrics;

    @Setup
    public void setUp() {
        retry = Retry.of("retry", RetryConfig.builder().maxRetries(3).build()).wrap(NOOP);
        fallback = Fallback.<String, String>builder("fallback").primary("a", NOOP).fallback("b", NOOP).build();
        timeout = Timeout.of("timeout", Duration.ofSeconds(5)).wrap(NOOP);
        timeoutCallerThread = Timeout.builder("timeout").timeout(Duration.ofSeconds(5))
                .isolation(Timeout.Isolation.CALLER_THREAD).build().wrap(NOOP);
        breaker = CircuitBreaker.of("breaker", CircuitBreakerConfig.ofDefaults()).wrap(NOOP);
        router = Router.<String, String>builder("router").route("a", NOOP).route("b", NOOP)
                .selector((in, ctx) -> "a").build();
        throttle = Throttle.of("throttle", 64).wrap(NOOP);
        cache = ResponseCache.<String, String>builder("cache").maximumSize(10_000).build().wrap(NOOP);
        stack = stack(null, Timeout.Isolation.VIRTUAL_THREAD);
        stackWithMetrics = stack(MetricsCollector.of(new SimpleMeterRegistry()), Timeout.Isolation.VIRTUAL_THREAD);
        stackCallerThread = stack(null, Timeout.Isolation.CALLER_THREAD);
    }

    private static Primitive<String, String> stack(MetricsCollector metrics, Timeout.Isolation isolation) {
        PrimitiveMetrics m = metrics == null ? PrimitiveMetrics.NONE : metrics;
        Primitive<String, String> bounded = Timeout.builder("timeout").timeout(Duration.ofSeconds(5)).metrics(m)
                .isolation(isolation).build().wrap(NOOP);
        Fallback<String, String> fallback = Fallback.<String, String>builder("fallback").metrics(m)
                .primary("primary", bounded).fallback("backup", NOOP).build();
        Primitive<String, String> retried = Retry.of("retry", RetryConfig.builder().maxRetries(2).metrics(m)
                .classifier(FailureClassifier.anyException()).build()).wrap(fallback);
        Router<String, String> router = Router.<String, String>builder("router").metrics(m)
                .route("cheap", retried).route("premium", retried).selector((in, ctx) -> "cheap").build();
        return ResponseCache.<String, String>builder("cache").maximumSize(10_000).metrics(m).build().wrap(router);
    }

    private static WorkflowContext context() {
        return WorkflowContext.builder("bench").correlationId("bench").build();
    }

    private String uniqueKey() {
        return "k" + counter.incrementAndGet();
    }

    @Benchmark
    public String direct() {
        return NOOP.execute("q", context());
    }

    @Benchmark
    public String retry() {
        return retry.execute("q", context());
    }

    @Benchmark
    public String fallback() {
        return fallback.execute("q", context());
    }

    @Benchmark
    public String timeout() {
        return timeout.execute("q", context());
    }

    @Benchmark
    public String timeoutCallerThread() {
        return timeoutCallerThread.execute("q", context());
    }

    @Benchmark
    public String circuitBreaker() {
        return breaker.execute("q", context());
    }

    @Benchmark
    public String router() {
        return router.execute("q", context());
    }

    @Benchmark
    public String throttle() {
        return throttle.execute("q", context());
    }

    @Benchmark
    public String cacheHit() {
        return cache.execute("q", context());
    }

    @Benchmark
    public String cacheMiss() {
        return cache.execute(uniqueKey(), context());
    }

    @Benchmark
    public String stackCacheHit() {
        return stack.execute("q", context());
    }

    @Benchmark
    public String stackCacheMiss() {
        return stack.execute(uniqueKey(), context());
    }

    @Benchmark
    public String stackCacheMissCallerThreadTimeout() {
        return stackCallerThread.execute(uniqueKey(), context());
    }

    @Benchmark
    public String stackCacheHitWithMetrics() {
        return stackWithMetrics.execute("q", context());
    }

    @Benchmark
    public String stackCacheMissWithMetrics() {
        return stackWithMetrics.execute(uniqueKey(), context());
    }
}
