package dev.costwise.gateway.config;

import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.config.GatewayConfig.RouteTest;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.pipeline.RouteSelector;
import dev.costwise.gateway.pipeline.WorkflowPreview;
import dev.costwise.gateway.pipeline.WorkflowPreviews;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the routing test cases written in a config ({@code tests: - input: …, expect_route: …}) as the gateway routes
 * them: through its routes' conditions, or, for a workflow pipeline ({@code workflow: true}), which ignores them,
 * through the workflow's classification ({@code workflow:<complexity>}), as route explain previews it.
 */
public final class RouteTests {
    private RouteTests() {}

    /**
     * @param config the config
     * @return one line per failed test ({@code tests[1]: "…" took route 'cheap', expected 'premium'}); empty if all
     *     pass
     */
    public static List<String> run(GatewayConfig config) {
        List<String> failures = new ArrayList<>();
        RouteSelector router = new RouteSelector();
        WorkflowPreviews workflows = new WorkflowPreviews(config);
        for (int i = 0; i < config.tests().size(); i++) {
            RouteTest t = config.tests().get(i);
            Pipeline p = pipelineOf(t, config.pipelines()).orElse(null);
            if (p == null) {
                failures.add("tests[" + i + "]: no pipeline to test (add pipelines or set model)");
                continue;
            }
            String name = pipelineNameOf(t, config.pipelines());
            String route;
            String executor = "";
            if (workflows.runs(name)) {
                WorkflowPreview w;
                try {
                    w = workflows.preview(name, t.input());
                } catch (GatewayException e) { // as the gateway answers it: no executor can take the task
                    failures.add("tests[" + i + "]: \"" + shown(t.input()) + "\" " + e.getMessage());
                    continue;
                }
                route = WorkflowPreviews.routeOf(w);
                executor = " (executor " + w.executor().name() + ")";
            } else {
                route = router.choose(p, t.input(), t.input(), 0).name();
            }
            if (!route.equals(t.expectRoute())) {
                failures.add("tests[" + i + "]: \"" + shown(t.input()) + "\" took route '" + route + "'" + executor
                        + ", expected '" + t.expectRoute() + "'");
            }
        }
        return failures;
    }

    /** @return the input's first 50 characters, never half an emoji */
    private static String shown(String in) {
        return in.codePointCount(0, in.length()) > 50 ? in.substring(0, in.offsetByCodePoints(0, 50)) + "…" : in;
    }

    /** @return the pipeline {@code test} runs through: the one it names, else {@code auto}, else the first */
    static Optional<Pipeline> pipelineOf(RouteTest test, Map<String, Pipeline> pipelines) {
        return Optional.ofNullable(pipelines.get(pipelineNameOf(test, pipelines)));
    }

    /** @return the name of the pipeline {@code test} runs through; empty when there is none */
    static String pipelineNameOf(RouteTest test, Map<String, Pipeline> pipelines) {
        return test.model().orElseGet(() -> pipelines.containsKey("auto") ? "auto"
                : pipelines.keySet().stream().findFirst().orElse(""));
    }
}
