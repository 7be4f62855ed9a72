package dev.costwise.core.composition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.testing.Transient;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SequentialAndConditionalTest {

    @Test
    void givenSteps_whenRunInSequence_thenEachConsumesThePreviousOutput() {
        Primitive<String, Integer> length = (in, c) -> in.length();
        Sequential<String, String> seq = Sequential.start("pipe", "trim", (String in, WorkflowContext c) -> in.trim())
                .then("length", length).then("describe", (Integer n, WorkflowContext c) -> n + " chars");
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThat(seq.execute("  hello ", ctx)).isEqualTo("5 chars");
        assertThat(ctx.records("step")).extracting(r -> r.attributes().get("step")).containsExactly("trim", "length", "describe");
    }

    @Test
    void givenFailingStep_whenRunInSequence_thenLaterStepsDoNotRun() {
        AtomicInteger later = new AtomicInteger();
        Sequential<String, String> seq = Sequential.<String, String>start("pipe", "fail", (String in, WorkflowContext c) -> {
            throw new Transient("x");
        }).<String>then("later", (String in, WorkflowContext c) -> {
            later.incrementAndGet();
            return in;
        });

        assertThatThrownBy(() -> seq.execute("x", WorkflowContext.of("t"))).isInstanceOf(Transient.class);
        assertThat(later).hasValue(0);
    }

    @Test
    void givenPredicate_whenConditionalRuns_thenChoosesBranchAndRecordsIt() {
        Conditional<String, String> c = Conditional.of("long?", (in, ctx) -> in.length() > 3,
                (in, ctx) -> "big", (in, ctx) -> "small");
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThat(c.execute("hello", ctx)).isEqualTo("big");
        assertThat(c.execute("hi", ctx)).isEqualTo("small");
        assertThat(ctx.records("condition")).extracting(r -> r.attributes().get("branch")).containsExactly("then", "else");
    }
}
