package dev.costwise.gateway.config;

import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.config.GatewayConfig.RouteTest;
import dev.costwise.gateway.pipeline.RouteSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs the routing test cases written in a config ({@code tests: - input: …, expect_route: …}). */
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
        for (int i = 0; i < config.tests().size(); i++) {
            RouteTest t = config.tests().get(i);
            Pipeline p = pipelineOf(t, config.pipelines()).orElse(null);
            if (p == null) {
                failures.add("tests[" + i + "]: no pipeline to test (add pipelines or set model)");
                continue;
            }
            String route = router.choose(p, t.input(), t.input(), 0).name();
            if (!route.equals(t.expectRoute())) {
                String in = t.input();
                String shown = in.codePointCount(0, in.length()) > 50
                        ? in.substring(0, in.offsetByCodePoints(0, 50)) + "…" : in; // never half an emoji
                failures.add("tests[" + i + "]: \"" + shown + "\" took route '" + route + "', expected '"
                        + t.expectRoute() + "'");
            }
        }
        return failures;
    }

    /** @return the pipeline {@code test} runs through: the one it names, else {@code auto}, else the first */
    static Optional<Pipeline> pipelineOf(RouteTest test, Map<String, Pipeline> pipelines) {
        String name = test.model().orElseGet(() -> pipelines.containsKey("auto") ? "auto"
                : pipelines.keySet().stream().findFirst().orElse(""));
        return Optional.ofNullable(pipelines.get(name));
    }
}
