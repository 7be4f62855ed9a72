package dev.costwise.core.composition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.testing.Transient;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParallelTest {

    private static Primitive<String, String> recording(String answer) {
        return (in, ctx) -> {
            ctx.record("model", "call", Map.of("answer", answer));
            return answer + ":" + in;
        };
    }

    @Test
    void givenTwoBranches_whenRun_thenBothAnswerAndTheirRecordsReachTheParent() {
        WorkflowContext ctx = WorkflowContext.of("t");
        Parallel<String, String> p = Parallel.<String, String>builder("compare")
                .branch("cheap", recording("c")).branch("premium", recording("p")).build();

        BranchResults<String> results = p.execute("q", ctx);

        assertThat(results.values()).containsExactly(Map.entry("cheap", "c:q"), Map.entry("premium", "p:q"));
        assertThat(results.allSucceeded()).isTrue();
        assertThat(ctx.records("call")).extracting(r -> r.branch()).containsExactly("cheap", "premium");
        assertThat(ctx.records("parallel")).hasSize(1);
    }

    @Test
    void givenFailFast_whenOneBranchFails_thenSiblingIsInterruptedAndFailureRethrown() throws InterruptedException {
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch slowInterrupted = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Transient boom = new Transient("boom");
        Parallel<String, String> p = Parallel.<String, String>builder("fan-out")
                .branch("slow", (in, ctx) -> {
                    slowStarted.countDown();
                    try {
                        never.await();
                        return "late";
                    } catch (InterruptedException e) {
                        slowInterrupted.countDown();
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("cancelled", e);
                    }
                })
                .branch("bad", (in, ctx) -> {
                    try {
                        slowStarted.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw boom;
                }).build();

        assertThatThrownBy(() -> p.execute("q", WorkflowContext.of("t"))).isSameAs(boom);
        assertThat(slowInterrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void givenCollectAll_whenOneBranchFails_thenSuccessesAndFailuresAreReturnedTogether() {
        Transient boom = new Transient("boom");
        Parallel<String, String> p = Parallel.<String, String>builder("fan-out").mode(Parallel.Mode.COLLECT_ALL)
                .branch("good", recording("g")).branch("bad", (in, ctx) -> {
                    throw boom;
                }).build();

        BranchResults<String> results = p.execute("q", WorkflowContext.of("t"));

        assertThat(results.value("good")).contains("g:q");
        assertThat(results.failures()).containsExactly(Map.entry("bad", boom));
        assertThat(results.allSucceeded()).isFalse();
    }

    @Test
    void givenDeadline_whenBranchesOverrunIt_thenFailsWithDeadlineExceeded() {
        CountDownLatch never = new CountDownLatch(1);
        Parallel<String, String> p = Parallel.<String, String>builder("slow-fan-out").branch("stuck", (in, ctx) -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late";
        }).build();
        WorkflowContext ctx = WorkflowContext.builder("t").timeout(java.time.Duration.ofMillis(50)).build();

        assertThatThrownBy(() -> p.execute("q", ctx)).isInstanceOf(dev.costwise.core.DeadlineExceededException.class)
                .hasMessageContaining("'slow-fan-out'");
    }

    @Test
    void givenAttemptBudget_whenBranchesRun_thenTheyShareIt() {
        WorkflowContext ctx = WorkflowContext.of("t");
        dev.costwise.core.recovery.AttemptBudget budget = dev.costwise.core.recovery.AttemptBudget.install(ctx, 3);
        Primitive<String, String> takesOne = (in, c) -> {
            dev.costwise.core.recovery.AttemptBudget.of(c).orElseThrow().tryAcquire();
            return in;
        };
        Parallel.<String, String>builder("p").branch("a", takesOne).branch("b", takesOne).build().execute("q", ctx);

        assertThat(budget.remaining()).isZero();
    }

    @Test
    void givenNoBranches_whenBuilding_thenFails() {
        assertThatThrownBy(() -> Parallel.<String, String>builder("p").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("parallel 'p' needs at least one branch, had 0");
    }
}
