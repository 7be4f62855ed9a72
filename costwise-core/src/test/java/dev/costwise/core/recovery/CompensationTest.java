package dev.costwise.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.testing.Transient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CompensationTest {

    private final List<String> log = new CopyOnWriteArrayList<>();

    private Compensation.Builder<String> saga() {
        return Compensation.<String>builder("checkout")
                .step("reserve", (in, c) -> in + "+reserved", (out, c) -> log.add("release " + out))
                .step("charge", (in, c) -> in + "+charged", (out, c) -> log.add("refund " + out));
    }

    @Test
    void givenAllStepsSucceed_whenRun_thenNoCompensationRuns() {
        assertThat(saga().build().execute("order", WorkflowContext.of("t"))).isEqualTo("order+reserved+charged");
        assertThat(log).isEmpty();
    }

    @Test
    void givenThirdStepFails_whenRun_thenCompletedStepsAreCompensatedInReverseOrder() {
        Transient boom = new Transient("ship failed");
        Compensation<String> saga = saga().step("ship", (in, c) -> {
            throw boom;
        }, (out, c) -> log.add("unship")).build();
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThatThrownBy(() -> saga.execute("order", ctx)).isSameAs(boom);

        assertThat(log).containsExactly("refund order+reserved+charged", "release order+reserved");
        assertThat(ctx.records("compensate")).extracting(r -> r.attributes().get("step")).containsExactly("charge", "reserve");
    }

    @Test
    void givenCompensationFails_whenRun_thenItIsSuppressedAndOthersStillRun() {
        IllegalStateException refundFailed = new IllegalStateException("refund failed");
        Transient boom = new Transient("ship failed");
        Compensation<String> saga = Compensation.<String>builder("checkout")
                .step("reserve", (in, c) -> in, (out, c) -> log.add("release"))
                .step("charge", (in, c) -> in, (out, c) -> {
                    throw refundFailed;
                })
                .step("ship", (in, c) -> {
                    throw boom;
                }, (out, c) -> log.add("unship")).build();

        assertThatThrownBy(() -> saga.execute("order", WorkflowContext.of("t")))
                .isSameAs(boom)
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(refundFailed));
        assertThat(log).containsExactly("release");
    }

    @Test
    void givenNoSteps_whenBuilding_thenFails() {
        assertThatThrownBy(() -> Compensation.<String>builder("checkout").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("saga 'checkout' needs at least one step, had 0");
    }
}
