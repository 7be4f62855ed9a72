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
    void givenNoBranches_whenBuilding_thenFails() {
        assertThatThrownBy(() -> Parallel.<String, String>builder("p").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("parallel 'p' needs at least one branch, had 0");
    }
}
