package dev.costwise.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.composition.Router;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class MetricsCollectorTest {

    @Test
    void givenThrowingListener_whenPrimitiveRuns_thenTheCallStillSucceeds() {
        PrimitiveMetrics broken = new PrimitiveMetrics() {
            @Override
            public void onCall(String primitive, String type, long nanos, boolean success) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onRoute(String primitive, String route) {
                throw new IllegalStateException("listener bug");
            }
        };
        Router<String, String> r = Router.<String, String>builder("r").route("a", (in, c) -> "ok")
                .selector((in, c) -> "a").metrics(broken).build();

        assertThat(r.execute("x", WorkflowContext.of("t"))).isEqualTo("ok");
    }

    @Test
    void givenUnknownName_whenSnapshotting_thenAllZeros() {
        MetricsSnapshot s = MetricsCollector.of(new SimpleMeterRegistry()).snapshot("nobody");

        assertThat(s.calls()).isZero();
        assertThat(s.cacheHitRate()).isEqualTo(1.0);
        assertThat(s.failureRate()).isZero();
    }

    @Test
    void givenCalls_whenSnapshotting_thenLatencyPercentilesAreReported() {
        MetricsCollector metrics = MetricsCollector.of(new SimpleMeterRegistry());
        for (int i = 1; i <= 100; i++) {
            metrics.onCall("p", "test", i * 1_000_000L, i % 10 != 0);
        }

        MetricsSnapshot s = metrics.snapshot("p");

        assertThat(s.calls()).isEqualTo(100);
        assertThat(s.failures()).isEqualTo(10);
        assertThat(s.p50().toMillis()).isBetween(40L, 60L);
        assertThat(s.p99()).isGreaterThanOrEqualTo(s.p95()).isGreaterThanOrEqualTo(s.p50());
        assertThat(metrics.snapshots()).containsOnlyKeys("p");
    }
}
