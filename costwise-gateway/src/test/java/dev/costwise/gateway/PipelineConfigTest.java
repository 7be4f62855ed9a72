package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.RouteTests;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pipelines that load but could not do what they say: each is refused with its path, as {@code costwise config
 * check} and {@code serve} report it, instead of surprising a caller at run time.
 */
class PipelineConfigTest {
    private static List<String> problemsOf(String yaml) {
        return ((ConfigException) assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get)
                .parse(yaml, "c.yaml")).isInstanceOf(ConfigException.class).actual()).problems();
    }

    private static void loads(String yaml) {
        new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "c.yaml");
    }

    @Test
    void givenARoutedPipelineOfANameOfItsOwnWithoutDefaultRoute_whenLoaded_thenTheDefaultRouteIsRequired() {
        assertThat(problemsOf("""
                models: [{name: mini, provider: sim}]
                pipelines:
                  auto:
                    routes:
                      - {name: code, model: mini, when: {keywords: [code]}}
                tests:
                  - {input: "hello", expect_route: default}
                """)).containsExactly("pipelines.auto.default_route: is required: 'auto' is not a model, alias or "
                + "group, so a request none of its routes takes would have no model to go to (the gateway would "
                + "answer it 404); name the model for them, e.g. default_route: mini");
    }

    @Test
    void givenARoutedPipelineWhoseOtherRequestsHaveAModel_whenLoaded_thenNoDefaultRouteIsNeeded() {
        String models = """
                models: [{name: mini, provider: sim}, {name: big, provider: sim}]
                """;
        loads(models + """
                pipelines:
                  mini: {routes: [{name: code, model: big, when: {keywords: [code]}}]}
                """); // the name itself is a model
        loads(models + """
                pipelines:
                  auto: {routes: [{name: code, model: big, when: {keywords: [code]}}], fallbacks: [mini]}
                """);
        loads(models + """
                pipelines:
                  auto: {routes: [{name: code, model: big, when: {keywords: [code]}}, {name: rest, model: mini}]}
                """); // the last route takes every request
    }

    @Test
    void givenAPipelineUnderAMisspeltModelName_whenLoaded_thenRefusedWithTheNameItMeant() {
        assertThat(problemsOf("""
                models: [{name: gpt-4o-mini, provider: sim}, {name: gpt-4o, provider: sim}]
                pipelines:
                  gpt4o-mini: {fallbacks: [gpt-4o]}
                  cheapest: {retry: {max_retries: 0}}
                """)).containsExactly(
                "pipelines.gpt4o-mini: no model, alias or group is named 'gpt4o-mini' (did you mean gpt-4o-mini?); "
                        + "a pipeline of a name of its own needs routes or a default_route",
                "pipelines.cheapest: no model, alias or group is named 'cheapest'; a pipeline of a name of its own "
                        + "needs routes or a default_route");
    }

    @Test
    void givenPipelinesOfNamesOfTheirOwnWithAModelToGoTo_whenLoaded_thenTheyAreNames() {
        loads("""
                models: [{name: mini, provider: sim}, {name: big, provider: sim}]
                groups: {pool: [mini, big]}
                aliases: {cheap: mini}
                pipelines:
                  pool: {retry: {max_retries: 0}}
                  cheap: {fallbacks: [big]}
                  fast: {default_route: mini, fallbacks: [big]}
                """);
    }

    @Test
    void givenAnEmptyOrBlankKeywordList_whenLoaded_thenRefusedInsteadOfTakingEveryRequestOrNone() {
        assertThat(problemsOf("""
                models: [{name: mini, provider: sim}, {name: big, provider: sim}]
                pipelines:
                  auto:
                    routes:
                      - {name: premium-terms, model: big, when: {keywords: []}}
                      - {name: blank, model: big, when: {keywords: [contract, " "]}}
                    default_route: mini
                """)).containsExactly(
                "pipelines.auto.routes[0].when.keywords: is empty, so the route would take every request: list at "
                        + "least one keyword, or remove keywords",
                "pipelines.auto.routes[1].when.keywords[1]: is blank, so it never matches: remove it");
    }

    @Test
    void givenRoutesThatCanNeverMatchOrTakeTheDefaultsNameAndListsThatRepeatAName_whenLoaded_thenEachIsRefused() {
        assertThat(problemsOf("""
                models: [{name: gpt-4o-mini, provider: sim}, {name: gpt-4o, provider: sim}]
                groups:
                  dupmem: [gpt-4o, gpt-4o]
                defaults:
                  cache: {ttl: 0s}
                pipelines:
                  auto:
                    routes:
                      - {name: never1, model: gpt-4o, when: {min_chars: 500, max_chars: 100}}
                      - name: never2
                        model: gpt-4o
                        when: {budget_utilization_below: 0.5, budget_utilization_above: 0.8}
                      - {name: default, model: gpt-4o, when: {keywords: [pricey]}}
                      - {name: rest, model: gpt-4o-mini}
                      - {name: late, model: gpt-4o, when: {keywords: [code]}}
                    default_route: gpt-4o-mini
                    fallbacks: [gpt-4o-mini, gpt-4o-mini]
                keys:
                  - {id: k, key_sha256: %s, budget_window: day}
                """.formatted(ConfigLoader.sha256Hex("sk-k")))).containsExactly(
                "groups.dupmem[1]: 'gpt-4o' is already groups.dupmem[0]: a member is tried once",
                "defaults.cache.ttl: must be positive (at 0 no answer would be kept; to turn the cache off, set "
                        + "enabled: false), was 0s",
                "pipelines.auto.routes[0].when: can never match: min_chars (500) is above max_chars (100)",
                "pipelines.auto.routes[1].when: can never match: budget_utilization_below (0.5) must be above "
                        + "budget_utilization_above (0.8)",
                "pipelines.auto.routes[2].name: 'default' names the route taken when no rule matches: give this "
                        + "rule another name",
                "pipelines.auto.routes[4]: can never match: route 'rest' before it has no conditions and takes "
                        + "every request",
                "pipelines.auto.fallbacks[1]: 'gpt-4o-mini' is already pipelines.auto.fallbacks[0]: a fallback is "
                        + "tried once",
                "keys[0].budget_window: is the window of the key's budget, and the key has none: set budget, or "
                        + "remove budget_window");
    }

    @Test
    void givenAPromptOfEmoji_whenItsRoutingTestRuns_thenEachEmojiCountsAsOneCharacter() {
        String emoji = "\uD83D\uDE00".repeat(31); // 31 characters, 62 UTF-16 units
        GatewayConfig config = new ConfigLoader(Map.<String, String>of()::get).parse("""
                models: [{name: mini, provider: sim}, {name: big, provider: sim}]
                pipelines:
                  auto:
                    routes:
                      - {name: long, model: big, when: {min_chars: 50}}
                    default_route: mini
                tests:
                  - {input: "%1$s", expect_route: default}
                  - {input: "%1$s%1$s", expect_route: default}
                """.formatted(emoji), "c.yaml");

        assertThat(RouteTests.run(config)).containsExactly("tests[1]: \"" + emoji + emoji.substring(0, 38) + "…\" took "
                + "route 'long', expected 'default'");
    }

    private static final String WORKFLOW = """
            models:
              - {name: gpt-4o-mini, provider: sim}
              - {name: claude-haiku-4-5, provider: sim}
              - {name: gpt-4o, provider: sim}
              - {name: claude-sonnet-4-6, provider: sim}
            pipelines:
              auto:
                workflow: true
                validate: true
                routes:
                  - {name: e1, model: gpt-4o-mini}
                  - {name: e2, model: claude-haiku-4-5}
                  - {name: e3, model: gpt-4o}
                default_route: claude-sonnet-4-6
            """;

    /**
     * A workflow pipeline ignores its routes' conditions: the gateway classifies the task and takes route
     * {@code workflow:<complexity>}, delegating to the cheapest capable executor, as route explain shows. Its routing
     * tests expect that route and report the executor, not the first route without conditions.
     */
    @Test
    void givenAWorkflowPipeline_whenItsRoutingTestsRun_thenTheyReportTheWorkflowRouteAndExecutorAsTheGateway() {
        String tcp = "Explain the difference between TCP and UDP and then give an example for each, with the "
                + "trade-offs in latency, reliability and ordering";
        GatewayConfig config = new ConfigLoader(Map.<String, String>of()::get).parse(WORKFLOW + """
                tests:
                  - {input: "What is 2+2?", expect_route: "workflow:simple"}
                  - {input: "%s", expect_route: "workflow:complex"}
                  - {input: "%1$s", expect_route: "workflow:moderate"}
                """.formatted(tcp), "c.yaml");

        assertThat(RouteTests.run(config)).containsExactly("tests[2]: \"" + tcp.substring(0, 50) + "…\" took route "
                + "'workflow:complex' (executor claude-haiku-4-5), expected 'workflow:moderate'");
    }

    @Test
    void givenAWorkflowPipeline_whenATestExpectsOneOfItsRoutesOrAnUnknownLevel_thenTheExpectationIsRefused() {
        assertThat(problemsOf(WORKFLOW + """
                tests:
                  - {input: "What is 2+2?", expect_route: e1}
                  - {input: "What is 2+2?", expect_route: "workflow:hard"}
                """)).containsExactly(
                "tests[0].expect_route: can never match: pipeline 'auto' runs the workflow (workflow: true), which "
                        + "ignores its routes' conditions and takes route workflow:<complexity>; expect one of "
                        + "workflow:simple, workflow:moderate, workflow:complex, workflow:expert",
                "tests[1].expect_route: can never match: pipeline 'auto' runs the workflow (workflow: true), which "
                        + "ignores its routes' conditions and takes route workflow:<complexity>; expect one of "
                        + "workflow:simple, workflow:moderate, workflow:complex, workflow:expert");
    }

    /** A condition refused for its value is not read as no condition: the next route is not reported unreachable. */
    @Test
    void givenARouteWhoseOnlyConditionIsInvalid_whenLoaded_thenOnlyThatConditionIsReported() {
        assertThat(problemsOf("""
                models: [{name: gpt-4o-mini, provider: sim}, {name: gpt-4o, provider: sim}]
                pipelines:
                  auto:
                    routes:
                      - {name: r3, model: gpt-4o, when: {budget_utilization_below: 1.5}}
                      - {name: r4, model: gpt-4o, when: {max_chars: 100}}
                      - {name: r5, model: gpt-4o, when: {max_chars: -1}}
                      - {name: r6, model: gpt-4o, when: {min_chars: 100}}
                    default_route: gpt-4o-mini
                """)).hasSize(2).allMatch(p -> !p.contains("can never match"))
                .anyMatch(p -> p.startsWith("pipelines.auto.routes[0].when.budget_utilization_below:"))
                .anyMatch(p -> p.startsWith("pipelines.auto.routes[2].when.max_chars:"));
    }

    /** An alias naming another alias is not an unknown name: it is refused for what it is, a cycle named as one. */
    @Test
    void givenAliasesNamingEachOther_whenLoaded_thenEachIsRefusedAsAnAliasOfAnAliasAndTheCycleIsNamed() {
        String models = "models: [{name: gpt-4o-mini, provider: sim}, {name: gpt-4o, provider: sim}]\n";

        assertThat(problemsOf(models + """
                aliases: {a: b, b: a}
                """)).containsExactly(
                "aliases.a: 'b' is an alias, in a cycle (a → b → a): an alias must name a model or group (known: "
                        + "gpt-4o-mini, gpt-4o)",
                "aliases.b: 'a' is an alias, in a cycle (b → a → b): an alias must name a model or group (known: "
                        + "gpt-4o-mini, gpt-4o)");
        assertThat(problemsOf(models + """
                aliases: {fast: mini, mini: gpt-4o-mini}
                """)).containsExactly("aliases.fast: 'mini' is an alias: an alias must name a model or group "
                + "(known: gpt-4o-mini, gpt-4o); name the one it stands for, gpt-4o-mini");
    }
}
