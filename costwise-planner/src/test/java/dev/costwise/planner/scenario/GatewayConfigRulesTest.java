package dev.costwise.planner.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.costwise.llm.budget.BudgetWindow;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.catalog.Pricing;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A gateway configuration is accepted and refused by the planner as the gateway's config loader accepts and refuses it,
 * with the gateway's problem line (its path in the file and its message). {@code PlannerReadsConfigLikeTheGatewayTest}
 * in costwise-cli feeds the same files to the gateway itself.
 */
class GatewayConfigRulesTest {

    private final GatewayPipelineReader reader = new GatewayPipelineReader(ModelCatalogs.bundled());

    private static final String MODELS = """
            models:
              - {name: gpt-4o, provider: openai}
              - {name: gpt-4o-mini, provider: openai}
              - {name: haiku, provider: anthropic, model: claude-haiku-4-5}
            pipelines:
              auto: {default_route: gpt-4o}
            """;

    /** @return bad configurations, each with the one problem line the gateway reports for it */
    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(MODELS.replace("provider: openai}\n  - {name: gpt-4o-mini",
                                "provider: openai, prompt_caching: tools_and_system}\n  - {name: gpt-4o-mini"),
                        "models[0].prompt_caching: applies to anthropic models only (OpenAI, Gemini and DeepSeek"
                                + " cache prompts on their own); this model's provider is 'openai'"),
                Arguments.of(MODELS.replace("model: claude-haiku-4-5}", "model: claude-haiku-4-5,"
                                + " prompt_caching: everything}"),
                        "models[2].prompt_caching: expected none or tools_and_system, was 'everything'"),
                Arguments.of(MODELS.replace("model: claude-haiku-4-5}", "model: claude-haiku-4-5,"
                                + " service_tier: flex}"),
                        "models[2].service_tier: applies to openai, openai-compatible and gemini models only (the"
                                + " providers that sell flex and priority tiers); this model's provider is"
                                + " 'anthropic'"),
                Arguments.of(MODELS.replace("{name: gpt-4o, provider: openai}",
                                "{name: gpt-4o, provider: openai, service_tier: flexible}"),
                        "models[0].service_tier: expected default, flex or priority, was 'flexible'"),
                Arguments.of(MODELS.replace("{name: gpt-4o, provider: openai}",
                                "{name: gpt-4o, provider: openai, price: {input: \"2.50\", outptu: \"10\"}}"),
                        "models[0].price.outptu: unknown field (known: cache_write_1h, cache_write_5m, cached_input,"
                                + " flex, input, output, priority)"),
                Arguments.of(MODELS.replace("{name: gpt-4o, provider: openai}",
                                "{name: gpt-4o, provider: openai, price: {input: \"-1\", output: \"10\"}}"),
                        "models[0].price.input: cannot be negative, was -1"),
                Arguments.of(MODELS + "budgets:\n  - {name: b, limit: \"5\", window: week}\n",
                        "budgets[0].window: unknown value 'week' (known: day, month)"),
                Arguments.of(MODELS + "budgets:\n  - {name: b, limit: \"5\", scope: everyone}\n",
                        "budgets[0].scope: unknown value 'everyone' (known: global, key, model, team, user)"),
                Arguments.of(MODELS + "budgets:\n  - {name: b, limit: \"5\", windw: day}\n",
                        "budgets[0].windw: unknown field (known: alert_at, downgrade_to, limit, name, on_exhausted,"
                                + " scope, window)"),
                Arguments.of(MODELS + "budgets:\n  - {name: b, limit: \"5\", on_exhausted: downgrade}\n",
                        "budgets[0].downgrade_to: on_exhausted: downgrade needs downgrade_to (a free or cheap"
                                + " model)"),
                Arguments.of(MODELS + "budgets:\n  - {name: b, limit: \"5\", downgrade_to: gpt-4o-mini}\n",
                        "budgets[0].downgrade_to: is used only with on_exhausted: downgrade; this budget has"
                                + " on_exhausted: reject and would never downgrade"),
                Arguments.of(MODELS + "budgets:\n  - {name: b, limit: \"5\", on_exhausted: downgrade,"
                                + " downgrade_to: gpt-4.1-nano}\n",
                        "budgets[0].downgrade_to: unknown model 'gpt-4.1-nano' (known: gpt-4o, gpt-4o-mini, haiku)"),
                Arguments.of(MODELS + "budgets:\n  - {name: b, limit: five}\n",
                        "budgets[0].limit: expected a dollar amount such as \"2.50\", was 'five'"),
                Arguments.of(MODELS + "budgets:\n  - {limit: \"5\"}\n", "budgets[0].name: is required"),
                Arguments.of(MODELS.replace("auto: {default_route: gpt-4o}",
                                "auto: {default_route: gpt-4o, validate: true}"),
                        "pipelines.auto.validate: validation is a step of the multi-model workflow: set"
                                + " workflow: true"),
                Arguments.of(MODELS.replace("auto: {default_route: gpt-4o}",
                                "auto: {default_route: gpt-4o, fallbacks: [gpt-4.1]}"),
                        "pipelines.auto.fallbacks[0]: unknown model 'gpt-4.1' (known: gpt-4o, gpt-4o-mini, haiku)"),
                Arguments.of(MODELS.replace("auto: {default_route: gpt-4o}",
                                "auto: {default_route: gpt-4o, cache: {ttl: 1.5h}}"),
                        "pipelines.auto.cache.ttl: expected a duration such as 250ms, 30s, 5m, 1h or 1d, was '1.5h'"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void givenAConfigTheGatewayRefuses_whenRead_thenRefusedWithTheGatewaysProblemLine(String yaml, String problem) {
        assertThatThrownBy(() -> reader.read(yaml, "auto", "gw.yaml")).isInstanceOf(ScenarioException.class)
                .hasMessage("gw.yaml: " + problem);
    }

    /** As the gateway, every problem is listed at once, each with its path, not the first one only. */
    @Test
    void givenAConfigWithProblemsInSeveralSections_whenRead_thenEachIsListed() {
        String yaml = MODELS.replace("{name: gpt-4o, provider: openai}", "{name: gpt-4o, provider: openai,"
                + " service_tier: flexible}").replace("auto: {default_route: gpt-4o}",
                "auto: {default_route: gpt-4o, fallbacks: [gpt-4.1], routes: [{name: r, model: nano}]}") + """
                budgets:
                  - {name: b, limit: "5", window: week}
                  - {name: c, limit: five}
                """;

        assertThatThrownBy(() -> reader.read(yaml, "auto", "gw.yaml")).isInstanceOf(ScenarioException.class)
                .hasMessage("""
                        gw.yaml: 5 problems:
                          - models[0].service_tier: expected default, flex or priority, was 'flexible'
                          - pipelines.auto.routes[0].model: unknown model 'nano' (known: gpt-4o, gpt-4o-mini, haiku)
                          - pipelines.auto.fallbacks[0]: unknown model 'gpt-4.1' (known: gpt-4o, gpt-4o-mini, haiku)
                          - budgets[0].window: unknown value 'week' (known: day, month)
                          - budgets[1].limit: expected a dollar amount such as "2.50", was 'five'""");
    }

    @Test
    void givenValuesTheGatewayAccepts_whenRead_thenTheyMeanWhatTheyMeanAtTheGateway() {
        String yaml = MODELS.replace("{name: gpt-4o, provider: openai}", "{name: gpt-4o, provider: openai,"
                + " price: {input: \"$2.50\", output: \"10\", cache_write_5m: \"3\"}}")
                .replace("auto: {default_route: gpt-4o}", "auto: {default_route: gpt-4o, cache: false,"
                        + " retry: {initial_delay: 1s}}") + """
                defaults: {cache: {ttl: 10m}, fallbacks: [gpt-4o-mini], retry: {max_retries: 3, max_delay: 9s}}
                budgets:
                  - {name: a, scope: Global, window: DAY, limit: "$5"}
                  - {name: b, scope: model, limit: "0"}
                """;

        GatewayPipelineReader.Priced priced = reader.readPriced(yaml, "auto", "gw.yaml");

        Pricing gpt4o = priced.catalog().require("gpt-4o").pricing().orElseThrow();
        assertThat(gpt4o.inputPerMillion()).hasToString("2.5");
        assertThat(gpt4o.cacheWrite5mPerMillion()).hasToString("3");
        PipelineSpec p = priced.pipeline();
        assertThat(p.cache()).as("cache: false turns the defaults' cache off").isEmpty();
        assertThat(p.fallbacks()).as("the defaults' fallbacks").extracting(CallSite::model)
                .containsExactly("gpt-4o-mini");
        assertThat(p.retry()).as("each field the pipeline's, else the defaults'")
                .contains(new RetrySpec(3, Duration.ofSeconds(1), Duration.ofSeconds(9)));
        assertThat(p.budgets()).hasSize(2);
        assertThat(p.budgets().getFirst().window()).isEqualTo(BudgetWindow.daily(ZoneOffset.UTC));
        assertThat(p.budgets().getFirst().limit()).hasToString("5");
        assertThat(p.budgets().getFirst().perModel()).isFalse();
        assertThat(p.budgets().get(1).limit()).hasToString("0");
    }

    @Test
    void givenManyPipelines_whenTheSectionsAreRead_thenThePipelinesKeepTheFilesOrder() throws Exception {
        List<String> names = List.of("zeta", "alpha", "mike", "bravo", "yankee", "charlie", "xray", "delta", "kilo");
        StringBuilder yaml = new StringBuilder("models:\n  - {name: gpt-4o, provider: openai}\npipelines:\n");
        names.forEach(n -> yaml.append("  ").append(n).append(": {default_route: gpt-4o}\n"));

        GatewayConfigSections sections = GatewayConfigSections.read(new ObjectMapper(new YAMLFactory())
                .readTree(yaml.toString()));

        assertThat(sections.pipelines().keySet()).containsExactlyElementsOf(names);
    }
}
