package dev.costwise.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.FailureClassifier;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.testing.Contexts;
import dev.costwise.core.testing.FakeTicker;
import dev.costwise.core.testing.RecordingSleeper;
import dev.costwise.core.testing.Transient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AttemptBudgetTest {

    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger upstreamCalls = new AtomicInteger();
    private final Retry retry = Retry.of("retry", RetryConfig.builder().maxRetries(3).jitter(0)
            .initialDelay(Duration.ofMillis(10)).sleeper(new RecordingSleeper(ticker)).retryOn(Transient.class).build());

    private Primitive<String, String> down(String name) {
        return (in, ctx) -> {
            upstreamCalls.incrementAndGet();
            throw new Transient(name + " down");
        };
    }

    @Test
    void givenBudgetOfFour_whenFallbacksOfRetriesAllFail_thenOnlyFourUpstreamCallsAreMade() {
        WorkflowContext ctx = Contexts.on(ticker);
        AttemptBudget.install(ctx, 4);
        Fallback<String, String> fallback = Fallback.<String, String>builder("llm")
                .primary("a", retry.wrap(down("a"))).fallback("b", retry.wrap(down("b")))
                .fallback("c", retry.wrap(down("c"))).build();

        // unbounded this would be 3 targets × 4 attempts = 12 calls
        assertThatThrownBy(() -> fallback.execute("q", ctx))
                .isInstanceOf(AttemptBudgetExceededException.class)
                .hasMessageContaining("maxAttempts=4")
                .hasCauseInstanceOf(Transient.class);
        assertThat(upstreamCalls).hasValue(4);
        assertThat(AttemptBudget.of(ctx).orElseThrow().remaining()).isZero();
    }

    @Test
    void givenBudgetOfFour_whenRetryWrapsFallback_thenOnlyFourUpstreamCallsAreMade() {
        WorkflowContext ctx = Contexts.on(ticker);
        AttemptBudget.install(ctx, 4);
        Retry retryAll = Retry.of("retry", retry.config().toBuilder().classifier(FailureClassifier.anyException()).build());
        Primitive<String, String> p = retryAll.wrap(Fallback.<String, String>builder("llm")
                .primary("a", down("a")).fallback("b", down("b")).build());

        assertThatThrownBy(() -> p.execute("q", ctx)).isInstanceOf(AttemptBudgetExceededException.class);
        assertThat(upstreamCalls).hasValue(4);
    }

    @Test
    void givenNoBudget_whenFallbacksOfRetriesFail_thenEveryAttemptIsMade() {
        Fallback<String, String> fallback = Fallback.<String, String>builder("llm")
                .primary("a", retry.wrap(down("a"))).fallback("b", retry.wrap(down("b"))).build();

        assertThatThrownBy(() -> fallback.execute("q", Contexts.on(ticker)))
                .isInstanceOf(AllFallbacksFailedException.class);
        assertThat(upstreamCalls).hasValue(8);
    }

    @Test
    void givenZeroAttempts_whenInstalling_thenFailsNamingParameterAndValue() {
        assertThatThrownBy(() -> AttemptBudget.install(Contexts.on(ticker), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be >= 1, was 0");
    }
}
