package dev.costwise.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkflowContextScopeTest {

    private static List<String> events(List<StepRecord> records) {
        return records.stream().map(StepRecord::event).toList();
    }

    @Test
    void givenTwoScopesOfOneContext_whenEachRecords_thenEachSeesWhatCameBeforeItAndItsOwnAndTheParentSeesAll() {
        WorkflowContext ctx = WorkflowContext.builder("t").tag(WorkflowContext.TAG_TEAM, "support").build();
        ctx.record("router", "route");
        WorkflowContext first = ctx.scope();
        WorkflowContext second = ctx.scope();

        first.record("model", "a1");
        second.record("model", "b1");
        ctx.record("other", "late");
        first.record("model", "a2");

        assertThat(events(first.records())).containsExactly("route", "a1", "a2");
        assertThat(events(second.records())).containsExactly("route", "b1");
        assertThat(events(ctx.records())).containsExactly("route", "a1", "b1", "late", "a2");
        assertThat(first.correlationId()).isEqualTo(ctx.correlationId());
        assertThat(first.tags()).isEqualTo(ctx.tags());
        assertThat(first.metadata()).isSameAs(ctx.metadata());
    }

    @Test
    void givenAScopeOfAScopeAndAForkMergedIntoIt_whenTheyRecord_thenEveryRecordReachesTheRoot() {
        WorkflowContext ctx = WorkflowContext.of("t");
        WorkflowContext outer = ctx.scope();
        outer.record("metered", "before");
        WorkflowContext inner = outer.scope();
        WorkflowContext branch = inner.fork("b");
        branch.record("model", "in-branch");

        inner.merge(branch);
        inner.record("model", "inner");

        assertThat(events(inner.records())).containsExactly("before", "in-branch", "inner");
        assertThat(events(ctx.records())).containsExactly("before", "in-branch", "inner");
        assertThat(ctx.records().get(1).branch()).isEqualTo("b");
    }

    @Test
    void givenAScope_whenMergedOrItsDeadlineNarrowed_thenTheMergeIsRefusedAndTheParentsDeadlineKept() {
        WorkflowContext ctx = WorkflowContext.builder("t").timeout(Duration.ofMinutes(1)).build();
        WorkflowContext scope = ctx.scope();
        scope.record("model", "cost");

        scope.narrowDeadline(Duration.ofMillis(1));

        assertThatThrownBy(() -> ctx.merge(scope)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scope");
        assertThat(ctx.records()).hasSize(1);
        assertThat(ctx.remaining().orElseThrow()).isGreaterThan(Duration.ofSeconds(30));
    }
}
