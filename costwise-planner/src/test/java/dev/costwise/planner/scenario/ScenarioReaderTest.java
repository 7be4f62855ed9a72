package dev.costwise.planner.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.llm.catalog.ModelCatalogs;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScenarioReaderTest {

    private final ScenarioReader reader = ScenarioReader.of(ModelCatalogs.bundled());

    private static String scenario(String after) {
        return """
                name: t
                traffic:
                  requestsPerDay: 100
                  promptTokens: {uniform: {min: 10, max: 20}}
                  outputTokens: {lognormal: {median: 300, sigma: 0.5}}
                before:
                  model: gpt-4o
                after:
                """ + after.indent(2);
    }

    @Test
    void givenMisspelledModel_whenRead_thenErrorNamesSourcePathAndSuggestion() {
        assertThatThrownBy(() -> reader.readScenario(scenario("""
                router:
                  routes:
                    mini: gpt-4o-mni
                """), "t.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("t.yaml: after.router.routes.mini")
                .hasMessageContaining("gpt-4o-mni");
    }

    @Test
    void givenUnknownPipelineField_whenRead_thenErrorListsTheFields() {
        assertThatThrownBy(() -> reader.readScenario(scenario("model: gpt-4o\ncahce: {ttl: 1h}\n"), "t.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("after: unknown field 'cahce'").hasMessageContaining("cache");
    }

    @Test
    void givenATypoAtTheTopLevelOrInTrafficOrABadSamplingMode_whenRead_thenErrorNamesTheFieldNotIgnoresIt() {
        String ok = scenario("model: gpt-4o-mini\n");

        assertThatThrownBy(() -> reader.readScenario(ok + "monthlyBugdet: 5\n", "t.yaml"))
                .hasMessageContaining("t.yaml: (top level): unknown field 'monthlyBugdet'")
                .hasMessageContaining("monthlyBudget");
        assertThatThrownBy(() -> reader.readScenario(ok.replace("requestsPerDay: 100",
                "requestsPerDay: 100\n  requestPerDay: 99"), "t.yaml"))
                .hasMessageContaining("t.yaml: traffic: unknown field 'requestPerDay'");
        assertThatThrownBy(() -> reader.readScenario(ok + "failureSampling: randm\n", "t.yaml"))
                .hasMessageContaining("t.yaml: failureSampling: must be stratified or random, was 'randm'");
        assertThat(reader.readScenario(ok + "failureSampling: random\n", "t.yaml")).isNotNull();
    }

    @Test
    void givenRuleToUnknownRouteOrBadTier_whenRead_thenErrorNamesTheRoute() {
        assertThatThrownBy(() -> reader.readScenario(scenario("""
                router:
                  routes: {a: gpt-4o}
                  rules: [{class: x, route: b}]
                """), "t.yaml")).hasMessageContaining("route 'b'").hasMessageContaining("[a]");
        assertThatThrownBy(() -> reader.readScenario(scenario("""
                router:
                  routes: {a: gpt-4o}
                budget: {daily: 10, tiers: [{below: 0.5, route: z}]}
                """), "t.yaml")).hasMessageContaining("budget tier names route 'z'");
    }

    @Test
    void givenABudgetTierWithABadField_whenRead_thenTheErrorNamesItsPathOnce() {
        assertThatThrownBy(() -> reader.readScenario(scenario("""
                model: gpt-4o
                budget: {daily: 10, tiers: [{below: lots, route: z}]}
                """), "t.yaml")).hasMessage("t.yaml: after.budget.tiers[0].below: expected a number, was \"lots\"");
        assertThatThrownBy(() -> reader.readScenario(scenario("""
                model: gpt-4o
                budget: {daily: 10, tiers: [{below: 1.5, route: z}]}
                """), "t.yaml"))
                .hasMessage("t.yaml: after.budget.tiers[0]: budget tier below must be in (0, 1], was 1.5");
    }

    @Test
    void givenBadDistributionOrDuration_whenRead_thenErrorNamesFieldAndValue() {
        assertThatThrownBy(() -> reader.readScenario("""
                name: t
                traffic: {requestsPerDay: 10, promptTokens: {uniform: {min: 50, max: 5}}, outputTokens: 1}
                before: {model: gpt-4o}
                after: {model: gpt-4o}
                """, "t.yaml")).hasMessageContaining("traffic.promptTokens").hasMessageContaining("min=50 max=5");
        assertThatThrownBy(() -> reader.readScenario(scenario("model: gpt-4o\ncache: {ttl: soon}\n"), "t.yaml"))
                .hasMessageContaining("after.cache.ttl").hasMessageContaining("'soon'");
    }

    @Test
    void givenOutOfRangeRetryOrCacheTtl_whenRead_thenTheErrorNamesTheFieldOnceAndTheValueAsWritten() {
        assertThatThrownBy(() -> reader.readScenario(scenario("model: gpt-4o\nretry: {maxRetries: -1}\n"), "t.yaml"))
                .hasMessage("t.yaml: after.retry.maxRetries: must be a whole number >= 0, was -1");
        assertThatThrownBy(() -> reader.readScenario(scenario("model: gpt-4o\ncache: {ttl: 0s}\n"), "t.yaml"))
                .hasMessage("t.yaml: after.cache.ttl: must be positive, was '0s'");
    }

    @Test
    void givenProblemsInSeveralPlaces_whenAScenarioIsRead_thenEveryProblemIsListedWithItsPath() {
        String yaml = """
                name: t
                monthlyBugdet: 5
                traffic:
                  requestsPerDay: 100
                  promptTokens: {uniform: {min: 50, max: 5}}
                  outputTokens: 300
                before:
                  model: gpt-4o
                  retry: {maxRetries: -1}
                after:
                  router:
                    routes:
                      mini: gpt-4o-mni
                      premium: {model: gpt-4o, outputTokens: 0}
                  fallbacks: [gpt-4o-mini, lama3.2]
                  cache: {ttl: 0s}
                """;

        assertThatThrownBy(() -> reader.readScenario(yaml, "t.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("t.yaml: 7 problems:\n  - (top level): unknown field 'monthlyBugdet'")
                .hasMessageContaining("\n  - traffic.promptTokens: uniform needs 1 <= min <= max, was min=50 max=5")
                .hasMessageContaining("\n  - before.retry.maxRetries: must be a whole number >= 0, was -1")
                .hasMessageContaining("\n  - after.router.routes.mini: unknown model 'gpt-4o-mni'")
                .hasMessageContaining("\n  - after.router.routes.premium.outputTokens: fixed tokens must be >= 1")
                .hasMessageContaining("\n  - after.fallbacks[1]: unknown model 'lama3.2'")
                .hasMessageContaining("\n  - after.cache.ttl: must be positive, was '0s'");
    }

    @Test
    void givenProblemsInSeveralPlaces_whenAPipelineFileIsRead_thenEveryProblemIsListedWithItsPath() {
        String yaml = """
                pipeline:
                  model: {model: gpt-4o, serviceTier: fast}
                  retry: {maxRetries: 2, initialDelay: soon}
                  budget: {daily: 0}
                  fallbacks: [gpt-4o-mni]
                """;

        assertThatThrownBy(() -> reader.readPipeline(yaml, "p.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("p.yaml: 4 problems:\n  - pipeline.model.serviceTier: expected default,"
                        + " flex or priority, was 'fast'")
                .hasMessageContaining("\n  - pipeline.fallbacks[0]: unknown model 'gpt-4o-mni'")
                .hasMessageContaining("\n  - pipeline.retry.initialDelay: expected a duration such as 30s")
                .hasMessageContaining("\n  - pipeline.budget.daily: must be positive, was 0");
    }

    @Test
    void givenFullScenario_whenRead_thenEveryPartIsThere() {
        Scenario s = reader.readScenario(scenario("""
                cache: {ttl: 30m, maxSize: 10}
                router:
                  routes:
                    cheap: {model: gpt-4o-mini, outputTokens: {normal: {mean: 200, stdDev: 20}}}
                    plan:
                      steps:
                        - {model: claude-sonnet-4-5, inputTokens: 100, outputTokens: 50, label: plan}
                        - gemini-2.5-pro:free
                  rules: [{keywords: [Hours, price], route: cheap}]
                  default: plan
                retry: {maxRetries: 2, initialDelay: 500ms}
                fallbacks: [llama3.2]
                budget: {daily: 5.50, exhausted: cheap}
                """), "t.yaml");

        PipelineSpec after = s.after();
        assertThat(after.cache()).contains(new CacheSpec(Duration.ofMinutes(30), 10));
        assertThat(after.router().orElseThrow().routes().get("plan")).isInstanceOf(Target.Steps.class);
        assertThat(after.router().orElseThrow().rules().getFirst().matches(java.util.Optional.empty(),
                "What are your HOURS?")).isTrue();
        assertThat(after.retry().orElseThrow().delayBefore(2)).isEqualTo(Duration.ofSeconds(1));
        assertThat(after.fallbacks().getFirst().model()).isEqualTo("llama3.2:3b");
        assertThat(after.budget().orElseThrow().limit()).hasToString("5.5");
        assertThat(s.traffic().outputTokens()).isEqualTo(new TokenDistribution.LogNormal(300, 0.5));
        assertThat(s.seed()).isEqualTo(42);
    }

    @Test
    void givenDistributions_whenSampled_thenStayInBoundsAndNearTheirMeans() {
        SplittableRandom r = new SplittableRandom(1);
        TokenDistribution uniform = new TokenDistribution.Uniform(10, 20);
        TokenDistribution lognormal = new TokenDistribution.LogNormal(400, 0.6);
        double sum = 0;
        for (int i = 0; i < 20_000; i++) {
            assertThat(uniform.sample(r)).isBetween(10L, 20L);
            sum += lognormal.sample(r);
        }
        assertThat(sum / 20_000).isCloseTo(lognormal.mean(), org.assertj.core.api.Assertions.within(15.0));
        assertThat(new TokenDistribution.Normal(5, 100).sample(r)).isGreaterThanOrEqualTo(1);
    }
}
