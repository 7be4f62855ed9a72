package dev.costwise.planner.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.llm.budget.BudgetWindow;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ServiceTier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Maps the gateway's example configuration (config/costwise.example.yaml on the gateway branch). */
class GatewayPipelineReaderTest {

    private final GatewayPipelineReader reader = new GatewayPipelineReader(ModelCatalogs.bundled());

    private static String config() throws IOException {
        try (InputStream in = GatewayPipelineReaderTest.class.getResourceAsStream("/traces/gateway-config.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void givenAutoPipeline_whenRead_thenRoutesRulesFallbacksCacheRetryAndBudgetAreMapped() throws IOException {
        PipelineSpec p = reader.read(config(), "auto", "costwise.example.yaml");

        RouterSpec router = p.router().orElseThrow();
        assertThat(router.routes().keySet()).containsExactly("premium", "long", "code", "cheap", "default",
                "downgrade:global-daily");
        assertThat(((Target.Single) router.routes().get("premium")).site().model()).isEqualTo("gpt-4o");
        // priced deployments keep their configured names (catalog entries at the configured prices)
        assertThat(((Target.Single) router.routes().get("cheap")).site().model()).isEqualTo("llama-3.1-8b");
        assertThat(((Target.Single) router.routes().get("downgrade:global-daily")).site().model())
                .isEqualTo("local-llama");
        RouteRule premium = router.rules().getFirst();
        assertThat(premium.matches(Optional.of("complex"), "x", 0.5)).isTrue();
        assertThat(premium.matches(Optional.of("complex"), "x", 0.9)).isFalse();
        assertThat(router.rules().get(1).matches(Optional.empty(), "a".repeat(20_000), 0)).isTrue();
        assertThat(router.rules().get(2).matches(Optional.empty(), "fix this SQL", 0)).isTrue();
        assertThat(p.fallbacks()).extracting(CallSite::model).containsExactly("gpt-4o-mini", "local-llama");
        assertThat(p.cache()).contains(new CacheSpec(Duration.ofMinutes(10), 10_000));
        assertThat(p.retry().orElseThrow().maxRetries()).isEqualTo(2);
        assertThat(p.budget().orElseThrow().limit()).hasToString("25");
        assertThat(p.budget().orElseThrow().exhaustedRoute()).contains("downgrade:global-daily");
    }

    @Test
    void givenAFlexDeploymentWithAStandardFallback_whenRead_thenOnlyTheDeploymentAsksForFlex() {
        String yaml = """
                models:
                  - {name: o4-mini, provider: openai}
                  - {name: o4-mini-flex, provider: openai, model: o4-mini, service_tier: flex}
                pipelines:
                  o4-mini-flex:
                    fallbacks: [o4-mini]
                """;

        PipelineSpec p = reader.read(yaml, "o4-mini-flex", "flex.yaml");

        CallSite primary = ((Target.Single) p.router().orElseThrow().routes().get("default")).site();
        // named as the gateway names the deployment (headers, ledger, per-model budgets), at o4-mini's prices
        assertThat(primary.model()).isEqualTo("o4-mini-flex");
        assertThat(primary.serviceTier()).contains(ServiceTier.FLEX);
        assertThat(p.fallbacks()).singleElement().satisfies(f -> assertThat(f.serviceTier()).isEmpty());
    }

    /**
     * The gateway caches every pipeline by default (per virtual key, for an hour, up to 10,000 answers) and retries
     * a failed call twice (exponential from 200 ms up to 5 s); a pipeline's cache block sets only the fields it names
     * over what it inherits, and {@code true} turns an inherited cache back on with its settings.
     */
    @Test
    void givenNoCacheOrRetrySection_whenRead_thenTheGatewaysDefaultCacheAndRetriesHold() {
        String yaml = """
                models:
                  - {name: gpt-4o, provider: openai}
                defaults:
                  cache: {ttl: 5m, enabled: false}
                pipelines:
                  plain: {default_route: gpt-4o}
                  on: {default_route: gpt-4o, cache: true}
                  shared: {default_route: gpt-4o, cache: {scope: shared, max_entries: 50}}
                """;

        PipelineSpec bare = reader.read("models: [{name: gpt-4o, provider: openai}]\n", "gpt-4o", "gw.yaml");
        PipelineSpec off = reader.read(yaml, "plain", "gw.yaml");
        PipelineSpec on = reader.read(yaml, "on", "gw.yaml");
        PipelineSpec shared = reader.read(yaml, "shared", "gw.yaml");

        assertThat(bare.cache()).contains(new CacheSpec(Duration.ofHours(1), 10_000, true));
        assertThat(bare.retry()).contains(new RetrySpec(2, Duration.ofMillis(200), Duration.ofSeconds(5)));
        assertThat(off.cache()).isEmpty();
        assertThat(on.cache()).contains(new CacheSpec(Duration.ofMinutes(5), 10_000, true));
        assertThat(shared.cache()).contains(new CacheSpec(Duration.ofMinutes(5), 50, false));
    }

    @Test
    void givenUnknownPipeline_whenRead_thenErrorListsThePipelines() {
        assertThatThrownBy(() -> reader.read(config(), "nope", "costwise.example.yaml"))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("no pipeline or model named 'nope'")
                .hasMessageContaining("auto");
    }

    @Test
    void givenARouteForAnAlmostSpentBudget_whenRead_thenItMatchesOnlyFromThatUtilizationOn() {
        String yaml = """
                models:
                  - {name: smart, provider: openai, model: gpt-4o}
                  - {name: thinker, provider: openai, model: o4-mini}
                pipelines:
                  auto:
                    routes:
                      - {name: premium, model: smart, when: {complexity: complex, budget_utilization_below: 0.8}}
                      - {name: frugal, model: thinker, max_reasoning_effort: low,
                         when: {complexity: complex, budget_utilization_above: 0.8}}
                    default_route: smart
                """;

        RouterSpec router = reader.read(yaml, "auto", "inline.yaml").router().orElseThrow();

        RouteRule frugal = router.rules().get(1);
        assertThat(frugal.matches(Optional.of("complex"), "x", 0.5)).isFalse();
        assertThat(frugal.matches(Optional.of("complex"), "x", 0.8)).isTrue();
        assertThat(frugal.matches(Optional.of("simple"), "x", 0.9)).isFalse();
        assertThat(router.rules().getFirst().matches(Optional.of("complex"), "x", 0.8)).isFalse();
    }

    @Test
    void givenAPipelineWithOnlyADefaultRoute_whenRead_thenEveryRequestGoesToItLikeTheGatewaySendsThem() {
        String yaml = """
                models:
                  - {name: small, provider: openai, model: gpt-4o-mini}
                  - {name: local, provider: ollama, model: llama3.2}
                groups:
                  pool: [small, local]
                pipelines:
                  auto:
                    default_route: pool
                """;

        PipelineSpec p = reader.read(yaml, "auto", "inline.yaml");

        assertThat(((Target.Single) p.router().orElseThrow().routes().get("default")).site().model())
                .isEqualTo("small");
        assertThat(p.fallbacks()).extracting(CallSite::model).containsExactly("local");
    }

    @Test
    void givenAPipelineWithNeitherRoutesNorADefaultRoute_whenRead_thenTheErrorSaysWhyNoModelServesIt() {
        String yaml = """
                models:
                  - {name: small, provider: openai, model: gpt-4o-mini}
                pipelines:
                  auto:
                    fallbacks: [small]
                """;

        assertThatThrownBy(() -> reader.read(yaml, "auto", "inline.yaml")).isInstanceOf(ScenarioException.class)
                .hasMessage("inline.yaml: pipelines.auto: has neither routes nor a default_route, and 'auto' is no"
                        + " configured model, alias or group: no model serves its requests (the gateway tries only"
                        + " the fallbacks, if any); add a default_route");
    }

    @Test
    void givenABudgetDowngradingToAGroup_whenRead_thenTheGroupsRestAndNotThePipelinesFallbacksFollowTheDowngrade() {
        String yaml = """
                models:
                  - {name: gpt-4o, provider: openai}
                  - {name: gpt-4o-mini, provider: openai}
                  - {name: gpt-4.1-nano, provider: openai}
                  - {name: gpt-4.1, provider: openai}
                groups:
                  cheap: [gpt-4o-mini, gpt-4.1-nano]
                pipelines:
                  main: {default_route: gpt-4o, fallbacks: [gpt-4.1]}
                budgets:
                  - {name: global, limit: "5", on_exhausted: downgrade, downgrade_to: cheap}
                """;

        PipelineSpec p = reader.read(yaml, "main", "gw.yaml");

        BudgetSpec budget = p.budget().orElseThrow();
        assertThat(((Target.Single) p.router().orElseThrow().routes().get("downgrade:global")).site().model())
                .isEqualTo("gpt-4o-mini");
        assertThat(budget.exhaustedFallbacks()).extracting(CallSite::model).containsExactly("gpt-4.1-nano");
        assertThat(p.fallbacks()).extracting(CallSite::model).containsExactly("gpt-4.1");
        assertThat(budget.window()).as("the gateway's default window").isEqualTo(BudgetWindow.monthly(ZoneOffset.UTC));
    }

    private static final String WORKFLOW = """
            models:
              - {name: gpt-4o, provider: openai}
              - {name: gpt-4o-mini, provider: openai}
              - {name: gpt-4.1-mini, provider: openai}
              - {name: o4-flex, provider: openai, model: o4-mini, service_tier: flex}
            aliases: {smart: gpt-4o}
            groups: {pool: [gpt-4o-mini, gpt-4.1-mini]}
            defaults: {baseline: gpt-4.1-mini}
            pipelines:
              auto:
                workflow: true
                validate: true
                routes:
                  - {name: cheap, model: pool, when: {max_chars: 10}}
                  - {name: again, model: gpt-4o-mini}
                  - {name: batch, model: o4-flex}
                default_route: smart
              plain:
                workflow: true
                routes: [{name: cheap, model: gpt-4o-mini}]
                default_route: gpt-4o
                baseline: smart
            """;

    @Test
    void givenAWorkflowPipeline_whenRead_thenItsRoutesModelsAreTheExecutorsAndItsDefaultRouteTheOrchestrator() {
        RouterSpec auto = reader.read(WORKFLOW, "auto", "gw.yaml").router().orElseThrow();
        RouterSpec plain = reader.read(WORKFLOW, "plain", "gw.yaml").router().orElseThrow();

        // route conditions are ignored; a group gives every member, a model named twice executes once
        assertThat(auto.rules()).isEmpty();
        assertThat(auto.defaultRoute()).isEqualTo(GatewayPipelineReader.WORKFLOW_ROUTE);
        Target.Workflow w = (Target.Workflow) auto.routes().get(GatewayPipelineReader.WORKFLOW_ROUTE);
        assertThat(w.executors()).extracting(CallSite::model).containsExactly("gpt-4o-mini", "gpt-4.1-mini",
                "o4-mini");
        assertThat(w.executors().getLast().serviceTier()).contains(ServiceTier.FLEX);
        assertThat(w.orchestrator().model()).isEqualTo("gpt-4o");
        assertThat(w.baseline()).isEqualTo("gpt-4.1-mini"); // the defaults' baseline
        assertThat(w.validate()).isTrue();
        Target.Workflow p = (Target.Workflow) plain.routes().get(GatewayPipelineReader.WORKFLOW_ROUTE);
        assertThat(p.baseline()).isEqualTo("gpt-4o"); // the pipeline's own, through its alias
        assertThat(p.validate()).isFalse();
    }

    @Test
    void givenAWorkflowWithoutRoutesOrDefaultRoute_whenRead_thenRefusedAsTheGatewayRefusesIt() {
        String noRoutes = WORKFLOW.replace("routes: [{name: cheap, model: gpt-4o-mini}]", "routes: []");
        String noOrchestrator = WORKFLOW.replace("    default_route: gpt-4o\n", "");

        assertThatThrownBy(() -> reader.read(noRoutes, "plain", "gw.yaml")).isInstanceOf(ScenarioException.class)
                .hasMessage("gw.yaml: pipelines.plain.workflow: the multi-model workflow needs routes naming the"
                        + " executor models");
        assertThatThrownBy(() -> reader.read(noOrchestrator, "plain", "gw.yaml"))
                .isInstanceOf(ScenarioException.class).hasMessage("gw.yaml: pipelines.plain.default_route: the"
                        + " multi-model workflow needs default_route: the orchestrator (premium) model");
    }
}
