package dev.costwise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.planner.Planner;
import dev.costwise.planner.scenario.GatewayPipelineReader;
import dev.costwise.planner.scenario.ScenarioException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The planner's reader of a gateway configuration accepts what the gateway's config loader accepts and refuses what it
 * refuses, with the gateway's problem line (both modules are on this module's class path).
 */
class PlannerReadsConfigLikeTheGatewayTest {

    private static final String BASE = """
            models:
              - {name: gpt-4o, provider: openai, api_key: sk-test}
              - {name: gpt-4o-mini, provider: openai, api_key: sk-test}
              - {name: haiku, provider: anthropic, model: claude-haiku-4-5, api_key: sk-test}
            pipelines:
              auto: {default_route: gpt-4o}
            """;

    private final ConfigLoader gateway = new ConfigLoader(name -> null);
    private final GatewayPipelineReader planner = new GatewayPipelineReader(Planner.ofDefaults().catalog());

    @ParameterizedTest
    @ValueSource(strings = {
        "models[0]: {name: gpt-4o, provider: openai, api_key: sk-test, prompt_caching: tools_and_system}",
        "models[2]: {name: haiku, provider: anthropic, model: claude-haiku-4-5, api_key: sk-test,"
                + " prompt_caching: always}",
        "models[2]: {name: haiku, provider: anthropic, model: claude-haiku-4-5, api_key: sk-test,"
                + " service_tier: flex}",
        "models[0]: {name: gpt-4o, provider: openai, api_key: sk-test, service_tier: cheap}",
        "models[0]: {name: gpt-4o, provider: openai, api_key: sk-test, price: {input: \"2.5\"}}",
        "budgets: [{name: b, limit: \"5\", window: week}]",
        "budgets: [{name: b, limit: \"5\", scope: tenant}]",
        "budgets: [{name: b, limit: \"5\", window: day, on_exhausted: downgrade}]",
        "budgets: [{name: b, limit: \"5\", downgrade_to: gpt-4o-mini}]",
        "budgets: [{name: b, limit: \"-5\"}]",
        "budgets: [{name: b, limit: \"5\"}, {name: b, limit: \"6\"}]",
        "pipelines.auto: {default_route: gpt-4o, retry: {max_delay: 100ms}}",
    })
    void givenAConfigWithOneProblem_whenReadByBoth_thenThePlannerRefusesItWithTheGatewaysProblemLine(String change) {
        String yaml = changed(change);

        List<String> problems = problems(yaml);
        assertThat(problems).hasSize(1);
        assertThatThrownBy(() -> planner.read(yaml, "auto", "gw.yaml")).isInstanceOf(ScenarioException.class)
                .hasMessage("gw.yaml: " + problems.getFirst());
    }

    /** A problem in each of three models, a route, a fallback and two budgets: both list every one. */
    @Test
    void givenAConfigWithSeveralProblems_whenReadByBoth_thenThePlannerListsTheGatewaysProblems() {
        String yaml = BASE.replace("api_key: sk-test}\n  - {name: gpt-4o-mini", "api_key: sk-test, service_tier:"
                + " cheap}\n  - {name: gpt-4o-mini").replace("auto: {default_route: gpt-4o}", "auto: {default_route:"
                + " gpt-4o, fallbacks: [gpt-4.1], routes: [{name: r, model: nano}]}") + """
                budgets:
                  - {name: b, limit: "5", window: week}
                  - {name: c, limit: five}
                """;

        List<String> problems = problems(yaml);
        assertThat(problems).hasSize(5);
        assertThatThrownBy(() -> planner.read(yaml, "auto", "gw.yaml")).isInstanceOf(ScenarioException.class)
                .hasMessage("gw.yaml: 5 problems:\n  - " + String.join("\n  - ", problems));
    }

    @Test
    void givenValuesTheGatewayAccepts_whenReadByBoth_thenBothAcceptThem() {
        String yaml = changed("budgets: [{name: a, scope: GLOBAL, window: Day, limit: \"$5\", on_exhausted: Downgrade,"
                + " downgrade_to: gpt-4o-mini}, {name: b, scope: model, limit: \"0\"}]")
                .replace("model: claude-haiku-4-5, api_key: sk-test}",
                        "model: claude-haiku-4-5, api_key: sk-test, prompt_caching: tools_and_system}")
                .replace("auto: {default_route: gpt-4o}", "auto: {default_route: gpt-4o, cache: false}");

        GatewayConfig config = gateway.parse(yaml, "gw.yaml");

        assertThat(config.budgets()).hasSize(2);
        assertThatCode(() -> planner.read(yaml, "auto", "gw.yaml")).doesNotThrowAnyException();
        assertThat(planner.read(yaml, "auto", "gw.yaml").budgets()).hasSize(2);
    }

    /** @return the base configuration with one section (or one model, or the auto pipeline) replaced */
    private static String changed(String change) {
        if (change.startsWith("budgets:")) {
            return BASE + change + "\n";
        }
        if (change.startsWith("pipelines.auto: ")) {
            return BASE.replace("auto: {default_route: gpt-4o}", "auto: " + change.substring(16));
        }
        int model = change.charAt("models[".length()) - '0';
        List<String> lines = new java.util.ArrayList<>(BASE.lines().toList());
        lines.set(1 + model, "  - " + change.substring(change.indexOf(':') + 2));
        return String.join("\n", lines) + "\n";
    }

    private List<String> problems(String yaml) {
        try {
            gateway.parse(yaml, "gw.yaml");
            return List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }
}
