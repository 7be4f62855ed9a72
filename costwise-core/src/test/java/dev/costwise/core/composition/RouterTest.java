package dev.costwise.core.composition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.MetricsCollector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RouterTest {

    private final AtomicInteger premiumCalls = new AtomicInteger();

    private Router.Builder<String, String> router() {
        return Router.<String, String>builder("tier")
                .route("cheap", (in, c) -> "cheap:" + in)
                .route("premium", (in, c) -> {
                    premiumCalls.incrementAndGet();
                    return "premium:" + in;
                })
                .selector((in, c) -> in.length() > 5 ? "premium" : in.equals("?") ? "mystery" : "cheap");
    }

    @Test
    void givenSelector_whenExecuted_thenRunsTheChosenRouteRecordsItAndCountsIt() {
        Router<String, String> r = router().build();
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThat(r.execute("long prompt", ctx)).isEqualTo("premium:long prompt");
        assertThat(r.execute("hi", ctx)).isEqualTo("cheap:hi");

        assertThat(ctx.records("route")).extracting(x -> x.attributes().get("route")).containsExactly("premium", "cheap");
        assertThat(r.routeCounts()).containsExactly(Map.entry("cheap", 1L), Map.entry("premium", 1L));
    }

    @Test
    void givenInput_whenSelecting_thenAnswersWithoutRunningOrCounting() {
        Router<String, String> r = router().build();

        assertThat(r.select("long prompt", WorkflowContext.of("t"))).isEqualTo("premium");

        assertThat(premiumCalls).hasValue(0);
        assertThat(r.routeCounts()).containsEntry("premium", 0L);
    }

    @Test
    void givenUnknownRouteAndDefault_whenExecuted_thenTakesTheDefaultAndRecordsWhatWasRequested() {
        Router<String, String> r = router().defaultRoute("cheap").build();
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThat(r.execute("?", ctx)).isEqualTo("cheap:?");
        assertThat(r.select("?", ctx)).isEqualTo("cheap");
        assertThat(ctx.records("route").get(0).attributes()).containsEntry("route", "cheap").containsEntry("requested", "mystery");
    }

    @Test
    void givenUnknownRouteAndNoDefault_whenExecuted_thenFailsListingKnownRoutes() {
        Router<String, String> r = router().build();

        assertThatThrownBy(() -> r.execute("?", WorkflowContext.of("t")))
                .isInstanceOf(UnknownRouteException.class)
                .hasMessage("router 'tier' has no route 'mystery' and no default route; known routes: [cheap, premium]");
        assertThatThrownBy(() -> r.select("?", WorkflowContext.of("t"))).isInstanceOf(UnknownRouteException.class);
    }

    @Test
    void givenDispatch_whenRouting_thenTheCallersOperationRunsOnTheChosenRouteRecordedCountedAndTimedAsExecute() {
        MetricsCollector metrics = MetricsCollector.of(new SimpleMeterRegistry());
        Router<String, String> r = router().defaultRoute("cheap").metrics(metrics).build();
        WorkflowContext ctx = WorkflowContext.of("t");

        Integer length = r.dispatch("long prompt", ctx, route -> route.length());
        String other = r.dispatch("?", ctx, route -> "other operation of " + route);

        assertThat(length).isEqualTo(7);
        assertThat(other).isEqualTo("other operation of cheap");

        assertThat(premiumCalls).as("the route's own primitive is not run").hasValue(0);
        assertThat(ctx.records("route"))
                .extracting(x -> x.attributes().get("route") + " " + x.attributes().get("requested"))
                .containsExactly("premium null", "cheap mystery");
        assertThat(r.routeCounts()).containsExactly(Map.entry("cheap", 1L), Map.entry("premium", 1L));
        assertThat(metrics.snapshot("tier").routeCounts()).isEqualTo(Map.of("cheap", 1L, "premium", 1L));
        assertThat(metrics.snapshot("tier").calls()).isEqualTo(2);
    }

    @Test
    void givenDispatchToAnUnknownRouteWithoutDefault_whenRouting_thenFailsAsExecuteDoesWithoutRunningTheOperation() {
        MetricsCollector metrics = MetricsCollector.of(new SimpleMeterRegistry());
        Router<String, String> r = router().metrics(metrics).build();
        AtomicInteger ran = new AtomicInteger();

        assertThatThrownBy(() -> r.dispatch("?", WorkflowContext.of("t"), route -> ran.incrementAndGet()))
                .isInstanceOf(UnknownRouteException.class).hasMessageContaining("no route 'mystery'");
        assertThat(ran).hasValue(0);
        assertThat(metrics.registry().get("costwise.primitive.calls").tag("primitive", "tier")
                .tag("outcome", "failure").counter().count()).isEqualTo(1.0);
    }

    @Test
    void givenNoRoutesOrBadDefault_whenBuilding_thenFails() {
        assertThatThrownBy(() -> Router.<String, String>builder("tier").selector((in, c) -> "x").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("router 'tier' needs at least one route, had 0");
        assertThatThrownBy(() -> router().defaultRoute("gold").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("defaultRoute of router 'tier' must be one of [cheap, premium], was 'gold'");
    }

    @Test
    void givenMetricsCollector_whenRouting_thenSnapshotHasCallsAndRouteCounts() {
        MetricsCollector metrics = MetricsCollector.of(new SimpleMeterRegistry());
        Router<String, String> r = router().metrics(metrics).build();
        for (int i = 0; i < 3; i++) {
            r.execute("hi", WorkflowContext.of("t"));
        }
        r.execute("long prompt", WorkflowContext.of("t"));

        assertThat(metrics.snapshot("tier").routeCounts()).isEqualTo(Map.of("cheap", 3L, "premium", 1L));
        assertThat(metrics.snapshot("tier").calls()).isEqualTo(4);
        assertThat(metrics.registry().get("costwise.primitive.calls").tag("primitive", "tier")
                .tag("outcome", "success").counter().count()).isEqualTo(4.0);
    }
}
