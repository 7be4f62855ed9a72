package dev.costwise.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.FailureClassifier;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.MetricsCollector;
import dev.costwise.core.metrics.MetricsSnapshot;
import dev.costwise.core.testing.CallersMistake;
import dev.costwise.core.testing.Contexts;
import dev.costwise.core.testing.FakeTicker;
import dev.costwise.core.testing.Transient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FallbackTest {

    private final FakeTicker ticker = new FakeTicker();
    private final FailureClassifier classifier = FailureClassifier.retryOn(Transient.class);

    private static Primitive<String, String> failing(RuntimeException e) {
        return (in, ctx) -> {
            throw e;
        };
    }

    @Test
    void givenPrimaryDown_whenCalled_thenFallbackAnswersAndRecordsWhyPrimaryWasSkipped() {
        WorkflowContext ctx = Contexts.on(ticker);
        Fallback<String, String> f = Fallback.<String, String>builder("llm").classifier(classifier)
                .primary("gpt", failing(new Transient("503"))).fallback("claude", (in, c) -> "claude:" + in).build();

        assertThat(f.execute("q", ctx)).isEqualTo("claude:q");

        assertThat(ctx.records("fallback")).extracting(r -> r.attributes()).containsExactly(
                Map.of("target", "gpt", "outcome", "skipped", "reason", "Transient"),
                Map.of("target", "claude", "outcome", "answered", "reason", "ok"));
    }

    @Test
    void givenCallersMistake_whenPrimaryFails_thenNoFallbackIsTriedAndThePrimaryIsRecordedFailedNotSkipped() {
        WorkflowContext ctx = Contexts.on(ticker);
        Fallback<String, String> f = Fallback.<String, String>builder("llm").classifier(classifier)
                .primary("gpt", failing(new CallersMistake("invalid request")))
                .fallback("claude", (in, c) -> "x").build();

        assertThatThrownBy(() -> f.execute("q", ctx)).isInstanceOf(CallersMistake.class);
        assertThat(ctx.records("fallback")).singleElement().extracting(r -> r.attributes().get("outcome"))
                .isEqualTo("failed");
    }

    @Test
    void givenCallersMistake_whenPrimaryFails_thenNoFallbackIsTried() {
        AtomicInteger fallbackCalls = new AtomicInteger();
        Fallback<String, String> f = Fallback.<String, String>builder("llm").classifier(classifier)
                .primary("gpt", failing(new CallersMistake("invalid request")))
                .fallback("claude", (in, c) -> {
                    fallbackCalls.incrementAndGet();
                    return "x";
                }).build();

        assertThatThrownBy(() -> f.execute("q", Contexts.on(ticker))).isInstanceOf(CallersMistake.class);
        assertThat(fallbackCalls).hasValue(0);
    }

    @Test
    void givenEveryTargetDown_whenCalled_thenOneErrorCarriesEveryCause() {
        Transient a = new Transient("a down");
        Transient b = new Transient("b down");
        Transient c = new Transient("c down");
        Fallback<String, String> f = Fallback.<String, String>builder("llm").classifier(classifier)
                .primary("a", failing(a)).fallback("b", failing(b)).fallback("c", failing(c)).build();

        assertThatThrownBy(() -> f.execute("q", Contexts.on(ticker)))
                .isInstanceOf(AllFallbacksFailedException.class)
                .hasMessage("fallback 'llm': all 3 targets failed: a=Transient (Transient), b=Transient (Transient), "
                        + "c=Transient (Transient)")
                .hasCause(c)
                .satisfies(e -> {
                    assertThat(e.getSuppressed()).containsExactly(a, b, c);
                    assertThat(((AllFallbacksFailedException) e).causes()).containsOnlyKeys("a", "b", "c");
                });
    }

    @Test
    void givenPrimaryCircuitOpen_whenCalled_thenPrimaryIsSkippedWithoutACall() {
        CircuitBreaker breaker = CircuitBreaker.of("gpt-breaker", CircuitBreakerConfig.builder()
                .consecutiveFailures(1).ticker(ticker).build());
        AtomicInteger primaryCalls = new AtomicInteger();
        Primitive<String, String> guarded = breaker.wrap((in, ctx) -> {
            primaryCalls.incrementAndGet();
            throw new Transient("down");
        });
        assertThatThrownBy(() -> guarded.execute("q", Contexts.on(ticker))).isInstanceOf(Transient.class);
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        WorkflowContext ctx = Contexts.on(ticker);
        Fallback<String, String> f = Fallback.<String, String>builder("llm").classifier(classifier)
                .primary("gpt", guarded).fallback("local", (in, c) -> "local").build();

        assertThat(f.execute("q", ctx)).isEqualTo("local");

        assertThat(primaryCalls).hasValue(1);
        assertThat(ctx.records("fallback").get(0).attributes()).containsEntry("reason", "circuit_open");
    }

    @Test
    void givenMetricsCollector_whenFallingBack_thenSnapshotCountsByTargetAndReason() {
        MetricsCollector metrics = MetricsCollector.of(new SimpleMeterRegistry());
        Fallback<String, String> f = Fallback.<String, String>builder("llm").classifier(classifier).metrics(metrics)
                .primary("gpt", failing(new Transient("x"))).fallback("claude", (in, c) -> "ok").build();

        f.execute("q", Contexts.on(ticker));
        f.execute("q", Contexts.on(ticker));

        MetricsSnapshot s = metrics.snapshot("llm");
        assertThat(s.fallbacksAnswered()).isEqualTo(Map.of("claude", 2L));
        assertThat(s.fallbacksSkipped()).isEqualTo(Map.of("gpt", Map.of("Transient", 2L)));
        assertThat(s.calls()).isEqualTo(2);
    }

    @Test
    void givenNoPrimary_whenBuilding_thenFails() {
        assertThatThrownBy(() -> Fallback.<String, String>builder("llm").fallback("b", (in, c) -> "b").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'llm' needs a primary").hasMessageContaining("[b]");
        assertThatThrownBy(() -> Fallback.<String, String>builder("llm").primary("a", (in, c) -> "a").fallback("a", (in, c) -> "a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a' was already used");
    }
}
